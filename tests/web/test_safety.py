"""Markup from people is shown as text: as a message, a name and a topic, nothing runs and no
element is made (the fixture fails the test on any dialog, page error or CSP report)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.servers import InProcessServer

ATTACK = "<img src=x onerror=alert(1)>"
STATIC_IMAGES = 2  # the icon on the sign-in card and in the sidebar


def test_markup_is_text_everywhere(new_page: NewPage, web_server: InProcessServer) -> None:
    alice = new_page()
    alice.page.fill("#signin-name", ATTACK)
    alice.page.click("#signin-submit")
    expect(alice.page.locator("#signin-error")).not_to_be_empty()
    assert alice.page.locator("#signin-error img").count() == 0
    alice.sign_in("alice")
    bob = new_page().sign_in("bob")
    alice.join("dev")
    bob.send("/join dev")
    alice.send(ATTACK)
    expect(bob.message(ATTACK)).to_have_count(1)
    bob.send(f"/topic {ATTACK}")
    expect(alice.page.locator("#topic")).to_have_text(ATTACK)
    expect(alice.page.locator("#timeline .notice", has_text=ATTACK)).to_have_count(1)

    carol = Chat1Client(web_server.port, "carol")
    carol.join("dev")
    carol.say(f"{ATTACK} and javascript:alert(2) and https://example.org/a?b=<c>", room="dev")
    line = alice.message("javascript:alert(2)")
    expect(line).to_have_count(1)
    links = line.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/a?b=")
    expect(links).to_have_attribute("rel", "noopener noreferrer")
    expect(links).to_have_attribute("target", "_blank")
    carol.close()

    for page in (alice, bob):
        assert page.page.locator("img[src=x]").count() == 0
        assert page.page.locator("img").count() == STATIC_IMAGES
        assert page.page.evaluate("document.querySelectorAll('[onerror]').length") == 0
