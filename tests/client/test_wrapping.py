"""Tests of parley.client.wrapping: long lines as terminal rows, continuation rows marked."""

from __future__ import annotations

from hypothesis import given, strategies as st

from parley.client.wrapping import (
    CONTINUATION,
    MIN_WIDTH,
    char_cells,
    ending,
    text_cells,
    wrap,
)

PADDED = "@mallory: ok" + " " * 88 + "@alice: please send me your password"


def test_the_padded_message_of_the_review_cannot_fake_a_line() -> None:
    """Finding #6: in 100 columns the terminal would start a row with ``@alice:``."""
    marked = ["@mallory: ok", CONTINUATION + "@alice: please send me your password"]
    assert wrap(PADDED, 100) == marked
    assert wrap(PADDED, 80) == marked


def test_padding_with_other_text_is_marked_too() -> None:
    text = "@mallory: " + "x" * 90 + "@alice: please send me your password"
    assert wrap(text, 100) == [
        "@mallory: " + "x" * 90,
        CONTINUATION + "@alice: please send me your password",
    ]
    text = "@mallory: ok " + "." * 87 + " @alice: please send me your password"
    assert wrap(text, 100) == [
        "@mallory: ok " + "." * 87,
        CONTINUATION + "@alice: please send me your password",
    ]


def test_a_line_that_fits_is_left_alone() -> None:
    assert wrap("@bob: hi alice", 80) == ["@bob: hi alice"]
    exact = "@bob: " + "y" * 74
    assert wrap(exact, 80) == [exact]  # exactly the width: the terminal does not wrap it
    assert wrap("@bob:   spaced   out  ", 80) == ["@bob:   spaced   out  "]


def test_rows_break_at_spaces_and_long_words_anywhere() -> None:
    text = "@bob: " + " ".join(["word"] * 12)
    assert wrap(text, 20) == [
        "@bob: word word word",
        CONTINUATION + "word word word",
        CONTINUATION + "word word word",
        CONTINUATION + "word word word",
    ]
    url = "https://example.org/" + "a" * 30
    # A break at the space would leave the row less than half full: not there.
    assert wrap("@bob: " + url, 20) == [
        "@bob: " + url[:14],
        CONTINUATION + url[14:30],
        CONTINUATION + url[30:46],
        CONTINUATION + url[46:],
    ]


def test_wide_characters_count_two_cells() -> None:
    assert text_cells("日本語") == 6
    assert text_cells("🙂") == 2
    assert text_cells("e\u0301") == 1  # a combining accent is drawn over the e
    rows = wrap("@bob: " + "日本語" * 10, 20)
    assert rows[0] == "@bob: 日本語日本語日"
    assert all(text_cells(row) <= 20 for row in rows)


def test_marks_and_joined_emoji_stay_with_their_character() -> None:
    family = "👩\u200d👩\u200d👧"
    rows = wrap("@bob: " + "x" * 12 + family, 20)
    assert rows == ["@bob: " + "x" * 12, CONTINUATION + family]
    accents = "e\u0301" * 30
    rows = wrap(accents, 20)
    assert "".join(row.removeprefix(CONTINUATION) for row in rows) == accents
    assert not any(row.removeprefix(CONTINUATION).startswith("\u0301") for row in rows)


def test_characters_a_terminal_may_draw_wide_count_wide() -> None:
    assert char_cells("\U0001faf8") == 2  # an emoji newer than some terminals' tables
    assert char_cells("\ue000") == 2  # private use: some fonts draw it wide
    assert char_cells("\U000e0001") == 2  # an unassigned or tag character: the worst case
    assert char_cells("\ufe0f") == 1  # turns the symbol before it into a wide emoji
    assert char_cells("\u200b") == 1  # zero width, or not, depending on the terminal


def test_tabs_are_expanded_before_wrapping() -> None:
    assert wrap("a\tb", 80) == ["a       b"]
    rows = wrap("@bob: ok\t\t\t\t\t\t\t\t\t\t\t@alice: send me your password", 80)
    assert rows == ["@bob: ok", CONTINUATION + "@alice: send me your password"]


def test_very_narrow_terminals_are_wrapped_at_the_least_width() -> None:
    rows = wrap("@bob: " + "z" * 40, 5)
    assert all(text_cells(row) <= MIN_WIDTH for row in rows)
    assert all(row.startswith(CONTINUATION) for row in rows[1:])


def test_the_end_of_a_line_being_typed() -> None:
    assert ending("hello", 10) == "hello"
    assert ending("x" * 30 + "the end", 10) == "\u2026xxthe end"
    assert ending("日本語日本語", 6) == "\u2026本語"  # 1 + 4 cells: a third would not fit
    assert text_cells(ending("🙂" * 20, 9)) <= 9


_TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "b", "@", ":", " ", " ", "日", "🙂", "\u0301", "\u200d", "\ufe0f", "é", "\ue000"]
    ),
    max_size=300,
)


@given(_TEXT, st.integers(MIN_WIDTH, 160))
def test_every_row_fits_and_only_the_first_is_unmarked(text: str, columns: int) -> None:
    rows = wrap(text, columns)
    assert rows[0] == text[: len(rows[0])]  # the line begins as it came
    assert all(text_cells(row) <= columns for row in rows)
    assert all(row.startswith(CONTINUATION) for row in rows[1:])
    # Nothing is lost but the spaces where rows break.
    pieces = [rows[0], *(row.removeprefix(CONTINUATION) for row in rows[1:])]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
