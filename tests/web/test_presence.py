"""Join and leave notices: a run of them folds into one line that opens on a click or Enter,
and the header's toggle still hides them all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.server.test_irc import IrcClient
from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.servers import InProcessServer


def leave(client: Chat1Client, room: str) -> None:
    client.send(f"LEAVE {room} CHAT/1.0")
    client.expect(rf"^221 Left {room}$")


def test_a_run_of_joins_and_leaves_folds_into_one_line(
    new_page: NewPage, web_server: InProcessServer, screenshot_path: Callable[[str], Path]
) -> None:
    alice = new_page().sign_in("alice")
    alice.join("dev")
    alice.send("before the crowd")  # a message ends the run of alice's own join
    expect(alice.message("before the crowd")).to_have_count(1)
    page = alice.page
    runs = page.locator("#timeline .presence-run")  # the first: "You joined #dev"
    expect(runs).to_have_text(["You joined #dev"])

    bob, carol = Chat1Client(web_server.port, "bob"), Chat1Client(web_server.port, "carol")
    bob.join("dev")
    carol.join("dev")
    leave(carol, "dev")
    expect(runs).to_have_count(2)
    summary = runs.nth(1).locator(".presence-summary")
    expect(summary).to_have_text("▸bob, carol joined; carol left")
    expect(summary).to_have_attribute("aria-expanded", "false")
    details = runs.nth(1).locator(".presence-details")
    expect(details).to_be_hidden()

    summary.click()  # a click opens it: each line of the run, in order
    expect(summary).to_have_attribute("aria-expanded", "true")
    expect(details).to_be_visible()
    lines = details.locator("li > span")
    expect(lines).to_have_text(["bob joined", "carol joined", "carol left"])
    summary.click()
    expect(details).to_be_hidden()

    # Past three people the line counts instead: 5 joins, 2 leaves.
    alice.send("after the first run")
    expect(alice.message("after the first run")).to_have_count(1)
    crowd = [Chat1Client(web_server.port, f"guest{k}") for k in range(5)]
    for client in crowd:
        client.join("dev")
    leave(crowd[0], "dev")
    leave(crowd[1], "dev")
    expect(runs).to_have_count(3)
    second = runs.nth(2).locator(".presence-summary")
    expect(second).to_have_text("▸5 joins, 2 leaves")
    expect(alice.page.locator("#member-list .member")).to_have_count(5)  # alice, bob, 3 guests

    # Keyboard: Tab reaches the line, Enter opens it.
    second.focus()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("aria-expanded", "true")
    expect(runs.nth(2).locator(".presence-details li")).to_have_count(7)
    page.screenshot(path=str(screenshot_path("web-presence-run.png")))

    # A message after the run, then one more join: a new line, not the old one growing.
    alice.send("between runs")
    expect(alice.message("between runs")).to_have_count(1)
    crowd[0].join("dev")
    expect(runs).to_have_count(4)
    expect(runs.nth(3)).to_have_text("guest0 joined")

    # The toggle still hides every join and leave line, folded or not.
    page.click("#notices-toggle")
    for k in range(4):
        expect(runs.nth(k)).to_be_hidden()
    page.click("#notices-toggle")
    expect(runs.nth(2)).to_be_visible()

    for client in [bob, carol, *crowd]:
        client.close()


def test_leave_reasons_are_shown_and_sent(new_page: NewPage, web_server: InProcessServer) -> None:
    """An IRC user's PART reason reads on the page; ``/leave ROOM REASON`` gives one."""
    alice = new_page().sign_in("alice")
    alice.join("dev")
    irc = IrcClient(web_server.port)
    irc.register("ircer")
    irc.send("JOIN #dev")
    irc.until(" 366 ")
    irc.send("PART #dev :gone fishing")
    runs = alice.page.locator("#timeline .presence-run")
    expect(runs.last).to_contain_text("ircer left (gone fishing)")
    irc.send("JOIN #dev")
    irc.until(" JOIN #dev")
    expect(alice.page.locator("#member-list .member")).to_have_count(2)
    alice.send("/leave dev back after lunch")
    assert irc.until(":alice")[-1] == ":alice!alice@parley PART #dev :back after lunch"
    expect(alice.target("dev")).to_have_count(0)  # the room left the list
    irc.client.close()
