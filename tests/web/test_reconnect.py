"""Reconnecting: a reload resumes with the session's token, and after a server restart (same
data directory, same port) the page signs in again and catches up, with nothing lost or
doubled."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.servers import InProcessServer


def test_reload_resumes_the_session(new_page: NewPage) -> None:
    alice = new_page().sign_in("alice")
    alice.join("dev")
    alice.send("kept across a reload")
    alice.page.reload()
    expect(alice.page.locator("#app")).to_be_visible()
    expect(alice.page.locator("#me-name")).to_have_text("alice")
    alice.open("dev")
    expect(alice.message("kept across a reload")).to_have_count(1)


def test_a_dropped_connection_resumes_and_catches_up(
    new_page: NewPage, web_server: InProcessServer
) -> None:
    alice = new_page().sign_in("alice")
    carol = Chat1Client(web_server.port, "carol")
    carol.say("before the drop")
    expect(alice.message("before the drop")).to_have_count(1)
    already = len(alice.frames)

    alice.page.context.set_offline(True)  # no reconnecting until the lines below are in
    alice.page.evaluate("window.parley.connection.socket.close()")
    banner = alice.page.locator("#banner")
    expect(banner).to_contain_text("Connection lost")
    expect(alice.page.locator("#me-status")).to_have_text("offline")
    carol.say("during the drop")
    carol.say("alice, still there?")
    carol.sync()
    alice.page.context.set_offline(False)

    expect(banner).to_be_hidden()
    expect(alice.message("during the drop")).to_have_count(1)
    expect(alice.message("alice, still there?")).to_have_count(1)
    assert alice.texts().count("before the drop") == 1
    kinds = [json.loads(frame)["type"] for frame in alice.frames[already:]]
    assert "resume" in kinds and "signin" not in kinds, kinds
    assert "history" in kinds, kinds
    carol.close()


def test_restart_catches_up_without_gaps_or_doubles(new_page: NewPage, tmp_path: Path) -> None:
    server = InProcessServer(tmp_path / "data").start()
    try:
        alice = new_page(server).sign_in("alice")
        alice.join("dev")
        carol = Chat1Client(server.port, "carol")
        carol.join("dev")
        carol.say("before the restart")
        carol.say("in dev before", room="dev")
        alice.send("alice in dev before")
        carol.expect(r"^@alice #dev: alice in dev before$")
        alice.open("lobby")
        expect(alice.message("before the restart")).to_have_count(1)
        carol.close()

        # The page cannot reconnect until the lines below are in: the gap is real.
        server.stop()
        banner = alice.page.locator("#banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("shutting down")
        alice.page.context.set_offline(True)
        server = server.successor().start()
        carol = Chat1Client(server.port, "carol")
        carol.join("dev")
        for k in range(5):
            carol.say(f"while away {k}")
        carol.say("in dev while away", room="dev")
        carol.sync()
        alice.page.context.set_offline(False)

        expect(banner).to_be_hidden(timeout=15_000)
        for k in range(5):
            expect(alice.message(f"while away {k}")).to_have_count(1)
        carol.say("after the restart")
        expect(alice.message("after the restart")).to_have_count(1)
        assert alice.texts().count("before the restart") == 1
        ids = alice.ids()
        assert ids == sorted(set(ids)), ids

        alice.open("dev")
        expect(alice.message("in dev while away")).to_have_count(1)
        assert alice.texts().count("in dev before") == 1
        assert alice.texts().count("alice in dev before") == 1
        alice.send("alice in dev after")
        carol.expect(r"^@alice #dev: alice in dev after$")
        carol.close()
    finally:
        server.stop()


def test_an_account_resumes_after_a_restart_without_its_password(
    new_page: NewPage, tmp_path: Path
) -> None:
    server = InProcessServer(tmp_path / "data").start()
    try:
        alice = new_page(server).sign_in("alice", "a long secret", signup=True)
        expect(alice.page.locator("#me-status")).to_have_text("account")
        alice.join("dev")
        server.stop()
        banner = alice.page.locator("#banner")
        expect(banner).to_contain_text("shutting down")
        already = len(alice.frames)
        server = server.successor().start()

        expect(banner).to_be_hidden(timeout=15_000)  # signed in again by itself
        expect(alice.page.locator("#app")).to_be_visible()
        expect(alice.page.locator("#signin")).to_be_hidden()
        expect(alice.page.locator("#me-status")).to_have_text("account")
        kinds = [json.loads(frame)["type"] for frame in alice.frames[already:]]
        assert "resume" in kinds and "signin" not in kinds, kinds
        assert all("password" not in frame for frame in alice.frames[already:])
        alice.open("dev")
        alice.send("back without a password")
        expect(alice.page.locator("#timeline .msg.own[data-id]")).to_have_count(1)

        # A reload after the restart resumes too, and signing out ends the token for good.
        alice.page.reload()
        expect(alice.page.locator("#me-name")).to_have_text("alice")
        token = alice.page.evaluate("JSON.parse(sessionStorage.getItem('parley.session')).token")
        alice.page.click("#signout")
        expect(alice.page.locator("#signin")).to_be_visible()
        bob = new_page(server)
        bob.page.evaluate(
            "token => sessionStorage.setItem('parley.session', JSON.stringify("
            "{token, name: 'alice', account: true}))",
            token,
        )
        bob.page.reload()
        expect(bob.page.locator("#signin-error")).to_have_text(
            "Your session has ended. Sign in again."
        )
    finally:
        server.stop()
