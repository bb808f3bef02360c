"""The page on a desktop and on a phone, its themes and its keyboard; the screenshots of
docs/web.md (rewritten only with PARLEY_SCREENSHOTS=1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import PHONE, NewPage
from tests.web.pages import ChatPage
from tests.web.servers import InProcessServer

Shot = Callable[[str], Path]


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return {
        "left": found["x"],
        "top": found["y"],
        "right": found["x"] + found["width"],
        "bottom": found["y"] + found["height"],
    }


def assert_apart(page: Page, *selectors: str) -> None:
    """The regions do not overlap one another, and all fit in the viewport."""
    size = page.viewport_size
    assert size is not None
    boxes = {selector: box(page, selector) for selector in selectors}
    for name, b in boxes.items():
        assert b["left"] >= 0 and b["top"] >= 0, name
        assert b["right"] <= size["width"] + 0.5 and b["bottom"] <= size["height"] + 0.5, name
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = boxes[first], boxes[second]
            apart = (
                a["right"] <= b["left"] + 0.5
                or b["right"] <= a["left"] + 0.5
                or a["bottom"] <= b["top"] + 0.5
                or b["bottom"] <= a["top"] + 0.5
            )
            assert apart, f"{first} overlaps {second}: {a} {b}"


def a_lively_room(alice: ChatPage, bob: ChatPage, carol: Chat1Client) -> None:
    alice.join("design")
    bob.send("/join design")
    carol.join("design")
    alice.send("/topic Colours, type and the new sign-in page")
    bob.send("Morning! I pushed the new palette, have a look: https://example.org/palette")
    carol.say("Looks good from my terminal client too.", room="design")
    alice.send("Nice work bob. The contrast in the dark theme is much better now.")
    alice.send("Can we keep the accent colour for mentions only?")
    bob.send("Sure, alice. I will change the badges today.")
    carol.say("+1, and the day separators read well.", room="design")
    carol.dm("alice", "Lunch at noon?")
    bob.page.locator("#composer-input").fill("Also the phone lay")
    expect(alice.page.locator("#typing")).to_contain_text("Also the phone lay")
    expect(alice.message("the day separators")).to_have_count(1)


def test_desktop_and_phone_layouts(
    new_page: NewPage, web_server: InProcessServer, screenshot_path: Shot
) -> None:
    carol = Chat1Client(web_server.port, "carol")
    alice = new_page().sign_in("alice")
    bob = new_page().sign_in("bob")
    alice.join("dev")
    a_lively_room(alice, bob, carol)
    carol.join("dev")
    carol.say("Who is around for the release later?", room="dev")
    carol.say("The build is green again.")
    expect(alice.badge("dev")).to_have_text("1")
    expect(alice.badge("@carol")).to_have_text("1")
    page = alice.page
    assert_apart(page, "#sidebar", ".chat-head", "#timeline", "#composer", "#members")
    expect(page.locator("#menu-toggle")).to_be_hidden()
    unnamed = page.evaluate(
        """[...document.querySelectorAll('button, input, textarea')]
            .filter(e => e.checkVisibility())
            .filter(e => !(e.getAttribute('aria-label') || e.labels?.length
                           || e.textContent.trim()))
            .map(e => e.outerHTML)"""
    )
    assert unnamed == [], f"controls without a name: {unnamed}"
    page.mouse.move(700, 100)  # no hover effect in the picture
    page.screenshot(path=screenshot_path("web-desktop.png"))

    # The same room on a phone: the room list is a drawer, the members a panel.
    dave = new_page(viewport=PHONE, color_scheme="dark").sign_in("dave")
    phone = dave.page
    expect(phone.locator("#sidebar")).to_be_hidden()
    expect(phone.locator("#members")).to_be_hidden()
    dave.join("design")
    expect(phone.locator("#sidebar")).to_be_hidden()
    expect(dave.message("the day separators")).to_have_count(1)
    bob.page.locator("#composer-input").fill("")
    bob.page.locator("#composer-input").fill("Welcome dave! The phone layout is next")
    expect(phone.locator("#typing")).to_contain_text("The phone layout is next")
    assert_apart(phone, ".chat-head", "#timeline", "#composer")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways"
    phone.mouse.move(200, 100)
    phone.screenshot(path=screenshot_path("web-phone.png"))

    phone.locator("#menu-toggle").click()
    expect(phone.locator("#sidebar")).to_be_visible()
    expect(phone.locator("#menu-toggle")).to_have_attribute("aria-expanded", "true")
    phone.screenshot(path=screenshot_path("web-phone-rooms.png"))
    dave.target("lobby").click()
    expect(phone.locator("#sidebar")).to_be_hidden()
    expect(phone.locator("#chat-title")).to_have_text("#lobby")
    phone.locator("#menu-toggle").click()
    expect(phone.locator("#sidebar")).to_be_visible()
    phone.keyboard.press("Escape")
    expect(phone.locator("#sidebar")).to_be_hidden()
    phone.locator("#members-toggle").click()
    expect(phone.locator("#members")).to_be_visible()
    expect(phone.locator("#member-list")).to_contain_text("carol")
    carol.close()


def test_themes_follow_the_system_and_the_toggle(new_page: NewPage) -> None:
    alice = new_page(color_scheme="dark").sign_in("alice")
    html = alice.page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")
    background = alice.page.evaluate("getComputedStyle(document.body).backgroundColor")
    alice.page.locator("#theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
    assert alice.page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    alice.page.reload()
    expect(alice.page.locator("#app")).to_be_visible()
    expect(alice.page.locator("html")).to_have_attribute("data-theme", "light")


def test_keyboard_typing_and_notices(new_page: NewPage) -> None:
    alice = new_page().sign_in("alice")
    bob = new_page().sign_in("bob")
    alice.join("dev")
    bob.send("/join dev")
    expect(alice.page.locator("#timeline .notice-presence", has_text="bob joined")).to_be_visible()
    alice.page.locator("#notices-toggle").click()
    expect(alice.page.locator("#timeline .notice-presence:visible")).to_have_count(0)
    alice.page.locator("#notices-toggle").click()
    # Her own join and bob's follow each other: one folded line.
    shown = alice.page.locator("#timeline .notice-presence:visible")
    expect(shown).to_have_count(1)
    expect(shown.locator(".presence-summary")).to_have_text("▸you, bob joined")

    box = alice.page.locator("#composer-input")
    box.fill("first line")
    expect(bob.page.locator("#typing")).to_contain_text("first line")
    box.press("Shift+Enter")
    alice.page.keyboard.insert_text("second line")
    expect(bob.page.locator("#typing")).to_contain_text("second line")
    box.press("Enter")
    expect(bob.message("first line")).to_have_count(1)
    expect(bob.message("second line")).to_have_count(1)
    expect(bob.page.locator("#typing")).to_be_empty()

    box.press("ArrowUp")
    expect(box).to_have_value("first line\nsecond line")
    box.fill("")

    # Live typing is throttled (about 3 a second), and the last state always goes out.
    before = len(alice.sent("typing"))
    started = time.monotonic()
    box.press_sequentially("abcdefghijklmnopqrstuvwxyz")
    elapsed = time.monotonic() - started
    expect(bob.page.locator("#typing")).to_contain_text("abcdefghijklmnopqrstuvwxyz")
    previews = [message["text"] for message in alice.sent("typing")[before:]]
    assert previews[-1] == "abcdefghijklmnopqrstuvwxyz"
    assert len(previews) <= elapsed * 3 + 2, (len(previews), elapsed)
    box.fill("")
    expect(bob.page.locator("#typing")).to_be_empty()
    assert alice.sent("typing")[-1]["text"] == ""

    alice.page.keyboard.press("Alt+1")
    expect(alice.page.locator("#chat-title")).to_have_text("#lobby")
    alice.page.keyboard.press("Alt+2")
    expect(alice.page.locator("#chat-title")).to_have_text("#dev")
    expect(box).to_be_focused()
