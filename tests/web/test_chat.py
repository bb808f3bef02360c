"""Two people in browsers and one CHAT/1.0 client: room messages all ways, a direct message
each way, and unread counts that go up on a room out of sight and clear when it is opened."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.pages import ChatPage
from tests.web.servers import InProcessServer


@pytest.fixture
def carol(web_server: InProcessServer) -> Iterator[Chat1Client]:
    client = Chat1Client(web_server.port, "carol")
    yield client
    client.close()


def test_browsers_and_chat1_client_share_a_room_and_talk_directly(
    new_page: NewPage, carol: Chat1Client
) -> None:
    alice = new_page().sign_in("alice")
    bob = new_page().sign_in("bob")
    alice.join("dev")
    bob.send("/join dev")
    expect(bob.page.locator("#chat-title")).to_have_text("#dev")
    carol.join("dev")
    expect(alice.page.locator("#member-list")).to_contain_text("carol")
    expect(alice.page.locator("#member-list")).to_contain_text("bob")

    alice.send("hello from alice")
    expect(bob.message("hello from alice")).to_have_count(1)
    carol.expect(r"^@alice #dev: hello from alice$")

    bob.send("hi from bob")
    expect(alice.message("hi from bob")).to_have_count(1)
    carol.expect(r"^@bob #dev: hi from bob$")

    carol.say("hi from carol", room="dev")
    expect(alice.message("hi from carol")).to_have_count(1)
    expect(bob.message("hi from carol")).to_have_count(1)
    # Your own line is shown once, as yours, with the id the server gave it.
    expect(alice.message("hello from alice")).to_have_count(1)
    expect(alice.page.locator("#timeline .msg.own[data-id]")).to_have_count(1)

    # Direct messages: from a browser to the CHAT/1.0 client and back to the other browser.
    alice.page.locator("#member-list button", has_text="carol").click()
    expect(alice.page.locator("#chat-title")).to_have_text("carol")
    alice.send("psst, carol")
    carol.expect(r"^@alice > carol: psst, carol$")

    carol.dm("bob", "a secret for bob")
    expect(bob.badge("@carol")).to_have_text("1")
    expect(bob.badge("@carol")).to_have_class("badge mention")
    bob.open("@carol")
    expect(bob.message("a secret for bob")).to_have_count(1)
    expect(bob.badge("@carol")).to_have_count(0)
    bob.send("thanks carol")
    carol.expect(r"^@bob > carol: thanks carol$")
    expect(alice.page.locator(".msg-text", has_text="secret")).to_have_count(0)


def test_unread_counts_rise_out_of_sight_and_clear_when_opened(new_page: NewPage) -> None:
    alice = new_page().sign_in("alice")
    bob = new_page().sign_in("bob")
    alice.join("dev")
    bob.send("/join dev")
    expect(bob.page.locator("#chat-title")).to_have_text("#dev")
    bob.open("lobby")

    alice.send("first")
    expect(bob.badge("dev")).to_have_text("1")
    expect(bob.badge("dev")).not_to_have_class("badge mention")
    alice.send("second, for bob")
    alice.send("third")
    expect(bob.badge("dev")).to_have_text("3")
    expect(bob.badge("dev")).to_have_class("badge mention")
    expect(bob.page).to_have_title("(3) #lobby · Parley")

    bob.open("dev")
    expect(bob.page.locator("#timeline .unread-marker")).to_be_visible()
    first_unread = bob.page.locator("#timeline .unread-marker + .msg .msg-text")
    expect(first_unread).to_have_text("first")
    expect(bob.message("second, for bob")).to_have_count(1)
    expect(bob.page.locator("#timeline .msg.mention")).to_have_count(1)
    expect(bob.page.locator("#timeline mark.mention-name")).to_have_text("bob")
    expect(bob.badge("dev")).to_have_count(0)
    expect(bob.page).to_have_title("#dev · Parley")

    bob.page.locator("#leave").click()
    expect(bob.target("dev")).to_have_count(0)
    expect(bob.page.locator("#chat-title")).to_have_text("#lobby")
    expect(alice.page.locator("#timeline .notice-presence", has_text="bob left")).to_be_visible()
    expect(alice.page.locator("#member-list")).not_to_contain_text("bob")


# A tab that can be hidden at will, and notifications that are recorded instead of shown.
HIDDEN_TAB = """
window.__notes = [];
window.__hidden = false;
window.Notification = class {
    static permission = "granted";
    static requestPermission() { return Promise.resolve("granted"); }
    constructor(title, options) { window.__notes.push({ title, body: options.body }); }
    addEventListener() {}
    close() {}
};
Object.defineProperty(document, "hidden", { get: () => window.__hidden });
Object.defineProperty(document, "visibilityState", {
    get: () => (window.__hidden ? "hidden" : "visible"),
});
"""


def set_hidden(page: ChatPage, hidden: bool) -> None:
    page.page.evaluate(
        """hidden => {
            window.__hidden = hidden;
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_mentions_notify_while_the_tab_is_hidden(new_page: NewPage, carol: Chat1Client) -> None:
    alice = new_page(init_script=HIDDEN_TAB).sign_in("alice")
    carol.say("before hiding")
    expect(alice.message("before hiding")).to_have_count(1)
    set_hidden(alice, True)
    carol.say("just chatting")
    carol.say("alice, the build is broken")
    expect(alice.message("the build is broken")).to_have_count(1)
    alice.page.wait_for_function("window.__notes.length > 0")
    notes = alice.page.evaluate("window.__notes")
    assert notes == [{"title": "carol in #lobby", "body": "alice, the build is broken"}]
    expect(alice.badge("lobby")).to_have_text("2")  # nothing is read while hidden
    marker = alice.page.locator("#timeline .unread-marker + .msg .msg-text")
    expect(marker).to_have_text("just chatting")

    set_hidden(alice, False)
    expect(alice.badge("lobby")).to_have_count(0)
