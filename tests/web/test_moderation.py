"""Moderation from the page: the slash commands of the other doors, operators and voiced
people marked in the member list, and the person muted or kicked told so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.servers import InProcessServer


def test_an_operator_voices_mutes_and_kicks_from_the_page(
    new_page: NewPage, web_server: InProcessServer, screenshot_path: Callable[[str], Path]
) -> None:
    alice = new_page().sign_in("alice")
    alice.join("dev")  # she made it: she is its operator
    bob = new_page().sign_in("bob")
    bob.join("dev")
    carol = Chat1Client(web_server.port, "carol")
    carol.join("dev")
    members = alice.page.locator("#member-list")
    expect(members).to_contain_text("carol")
    alice_row = members.locator(".member", has_text="alice")
    expect(alice_row.locator(".role-operator")).to_have_text("op")
    bob_sees = bob.page.locator("#member-list .member", has_text="alice")
    expect(bob_sees.locator(".role")).to_have_text("op")  # bob learnt it from `joined`

    # Someone who is not an operator is refused, and told why.
    bob.send("/kick carol")
    expect(bob.page.locator("#timeline .notice")).to_contain_text(
        ["/kick not done: Not a room operator: dev"]
    )

    # Voice for the CHAT/1.0 client: it hears the change, every page marks it.
    alice.send("/voice carol")
    carol.expect(r"^MODE dev alice \+v carol CHAT/1\.0$")
    carol_row = members.locator(".member", has_text="carol")
    expect(carol_row.locator(".role-voice")).to_have_text("voice")
    expect(alice.page.locator("#timeline .notice-mode")).to_have_text(
        ["alice gave carol voice in #dev"]
    )
    expect(members.locator(".member-name")).to_have_text(["alice", "carol", "bob"])  # by rank

    # Muting the other browser user: bob is told, and what he says is refused.
    alice.send("/mute bob")
    carol.expect(r"^MODE dev alice \+q bob CHAT/1\.0$")
    expect(bob.page.locator("#timeline .notice-alert")).to_have_text(["alice muted you in #dev"])
    bob.send("can anyone hear me?")
    expect(bob.page.locator("#timeline .msg.failed")).to_contain_text("not sent: May not speak")
    bob_row = members.locator(".member", has_text="bob")
    expect(bob_row.locator(".role-muted")).to_have_text("muted")  # on every page, last
    expect(members.locator(".member-name")).to_have_text(["alice", "carol", "bob"])
    alice.page.screenshot(path=str(screenshot_path("web-moderation.png")))
    late = new_page().sign_in("dave")  # who joins later learns it from `joined`
    late.join("dev")
    late_sees = late.page.locator("#member-list .member", has_text="bob")
    expect(late_sees.locator(".role")).to_have_text("muted")

    # Kicking him: out of #dev in every page of his, and told where he lands.
    alice.send("/kick bob spamming links")
    carol.expect(r"^KICKED dev bob alice spamming links CHAT/1\.0$")
    expect(bob.page.locator("#chat-title")).to_have_text("#lobby")
    expect(bob.target("dev")).to_have_count(0)
    expect(bob.page.locator("#timeline .notice-alert")).to_have_text(
        ["alice removed you from #dev (spamming links)."]
    )
    bob.page.screenshot(path=str(screenshot_path("web-kicked.png")))
    expect(members.locator(".member-name")).to_have_text(["alice", "carol", "dave"])
    expect(alice.page.locator("#timeline .notice-kick")).to_have_text(
        ["alice removed bob (spamming links)"]
    )

    # Room flags, in words; a usage line for a wrong one.
    alice.send("/mode +m")
    carol.expect(r"^MODE dev alice \+m CHAT/1\.0$")
    expect(alice.page.locator("#timeline .notice-mode").last).to_have_text(
        "alice made #dev moderated: only operators and voiced people speak"
    )
    alice.send("/mode +x")
    expect(alice.page.locator("#timeline .notice").last).to_have_text(
        "Usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k"
    )
    carol.close()
