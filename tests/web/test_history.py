"""History: older lines load when scrolling up, and the view stays on what you were reading."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.chat1 import Chat1Client
from tests.web.conftest import NewPage
from tests.web.servers import InProcessServer

SEEDED = 75


ROW_TOP = """([text, top]) => {
    const timeline = document.getElementById('timeline');
    if (top) timeline.scrollTop = 0;
    const rows = [...timeline.querySelectorAll('.msg')];
    const row = rows.find(r => r.querySelector('.msg-text').textContent === text);
    return row.getBoundingClientRect().top - timeline.getBoundingClientRect().top;
}"""


def row_top(page: Page, text: str, *, scroll_to_top: bool = False) -> float:
    """Where the row with `text` is below the top of the timeline's viewport (after scrolling
    to the top first, in the same script, so no history can arrive in between)."""
    return float(page.evaluate(ROW_TOP, [text, scroll_to_top]))


def test_scrolling_up_loads_older_lines_in_place(
    new_page: NewPage, web_server: InProcessServer
) -> None:
    carol = Chat1Client(web_server.port, "carol")
    for k in range(SEEDED):
        carol.say(f"line {k:02d}")
    carol.sync()
    alice = new_page().sign_in("alice")
    page = alice.page

    expect(alice.message("line 74")).to_be_in_viewport()
    expect(alice.message("line 25")).to_have_count(1)  # the newest 50 are shown
    expect(alice.message("line 24")).to_have_count(0)

    # Read back a little: the page stays there when new lines come.
    page.locator("#timeline").evaluate(
        "t => { t.scrollTop = t.scrollHeight - t.clientHeight - 120; }"
    )
    expect(page.locator("#jump-bottom")).to_be_visible()
    carol.say("a new line while reading back")
    expect(alice.message("a new line while reading back")).to_have_count(1)
    expect(alice.message("a new line while reading back")).not_to_be_in_viewport()
    expect(page.locator("#jump-bottom")).to_have_text("1 new message ↓")

    # Scroll to the top: the older lines come in above, and line 25 stays where it was.
    before = row_top(page, "line 25", scroll_to_top=True)
    expect(alice.message("line 00")).to_have_count(1)
    after = row_top(page, "line 25")
    assert abs(after - before) < 40, (before, after)
    assert page.locator("#timeline").evaluate("t => t.scrollTop") > 0

    texts = alice.texts()
    assert texts == [f"line {k:02d}" for k in range(SEEDED)] + ["a new line while reading back"]
    ids = alice.ids()
    assert ids == sorted(set(ids))

    page.locator("#jump-bottom").click()
    expect(alice.message("a new line while reading back")).to_be_in_viewport()
    expect(page.locator("#jump-bottom")).to_be_hidden()
    carol.close()


def test_jump_to_the_first_unread_line_loads_what_it_needs(
    new_page: NewPage, web_server: InProcessServer
) -> None:
    first = new_page().sign_in("alice", "a long password", signup=True)
    carol = Chat1Client(web_server.port, "carol")
    carol.say("read before leaving")
    expect(first.message("read before leaving")).to_have_count(1)
    first.page.context.close()
    for k in range(SEEDED):
        carol.say(f"missed {k:02d}")
    carol.sync()

    alice = new_page().sign_in("alice", "a long password")
    page = alice.page
    expect(alice.message(f"missed {SEEDED - 1:02d}")).to_be_in_viewport()
    expect(alice.message("missed 00")).to_have_count(0)  # not loaded yet
    jump = page.locator("#jump-unread")
    expect(jump).to_be_visible()
    jump.click()
    expect(page.locator("#timeline .unread-marker")).to_be_in_viewport()
    expect(alice.message("missed 00")).to_be_in_viewport()
    expect(page.locator("#timeline .unread-marker + .msg .msg-text")).to_have_text("missed 00")
    expect(jump).to_be_hidden()
    carol.close()
