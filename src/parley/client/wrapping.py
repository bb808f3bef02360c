"""Rows for a terminal: a line wider than the terminal, wrapped so that no piece of it can pass
for a line of its own.

A terminal wraps a long line by itself, and whatever lands at the start of a row looks like
any other line: ``@mallory: ok``, 88 spaces, then ``@alice: please send me your password``
shows a perfect ``@alice:`` line in a 100-column terminal, and so does any text that puts
``@alice:`` at the right column. So the client wraps every line it shows on a terminal
itself, to the terminal's width, and starts every row after the first with `CONTINUATION`
(an indent and ``↳``), which no line starts with: each row that does not is a line of its
own. Rows break at a space where they can (the spaces there are dropped, so a run of spaces
vanishes at the break instead of pushing text along), else between any two characters.

Widths are counted in terminal cells. Where terminals may disagree (emoji, characters newer
than Python's Unicode tables, private-use characters) a character counts as wide as it may
be shown: a row a little short is harmless, but one cell too long and the terminal would wrap
it again, unmarked. Pure: nothing here asks a terminal anything.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

CONTINUATION = "  \u21b3 "
"""What every row after a line's first starts with."""
CONTINUATION_CELLS = 4
MIN_WIDTH = 12
"""Narrower terminals are wrapped as if this wide (and then wrap again by themselves)."""
TAB_SIZE = 8

_EMOJI_PRESENTATION = "\ufe0f"
_JOINER = "\u200d"


def char_cells(char: str) -> int:
    """The terminal cells `char` may take, at most (0 for one drawn over the one before)."""
    if " " <= char <= "~":
        return 1
    if char == _EMOJI_PRESENTATION:
        return 1  # it may turn a narrow symbol before it into a wide emoji
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return 0
    if (
        unicodedata.east_asian_width(char) in ("W", "F")
        or category in ("Cn", "Co")
        or ord(char) >= 0x1F000  # emoji and symbols, some newer than our tables
    ):
        return 2
    return 1


def text_cells(text: str) -> int:
    """The terminal cells `text` may take, at most."""
    if text.isascii():
        return len(text)
    return sum(map(char_cells, text))


def wrap(text: str, columns: int) -> list[str]:
    """`text` as rows of at most `columns` cells; every row after the first is marked.

    A line that fits is returned whole and unchanged (but for tabs, expanded to spaces).
    """
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    if text_cells(text) <= columns:
        return [text]
    columns = max(columns, MIN_WIDTH)
    rows: list[str] = []
    rest, room = text, columns
    while rest:
        cut = _fitting(rest, room)
        if cut == len(rest):
            rows.append(rest)
            break
        row, rest = _split(rest, cut)
        rows.append(row)
        room = columns - CONTINUATION_CELLS
    return [rows[0], *(CONTINUATION + row for row in rows[1:])]


def ending(text: str, room: int) -> str:
    """The end of `text` in at most `room` cells: all of it, or ``…`` and as much as fits."""
    if text_cells(text) <= room:
        return text
    pieces = list(_clusters(text))
    starts = [0, *(end for end, _ in pieces[:-1])]
    used, start = 1, len(text)  # 1: the ellipsis
    for begin, (_, taken) in zip(reversed(starts), reversed(pieces), strict=True):
        if used + taken > room:
            break
        used, start = used + taken, begin
    return "\u2026" + text[start:]


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """(end, cells) of each piece never split across rows: a character with the marks
    drawn over it, and emoji joined to it."""
    index, length = 0, len(text)
    while index < length:
        taken = char_cells(text[index])
        index += 1
        while index < length and (
            text[index] == _JOINER
            or text[index - 1] == _JOINER
            or unicodedata.category(text[index]) in ("Mn", "Me")
        ):
            taken += char_cells(text[index])
            index += 1
        yield index, taken


def _fitting(text: str, room: int) -> int:
    """How many characters of `text` fit in `room` cells (at least one piece, whatever)."""
    used, fitted = 0, 0
    for end, taken in _clusters(text):
        if used + taken > room and fitted:
            return fitted
        used, fitted = used + taken, end
    return fitted


def _split(text: str, cut: int) -> tuple[str, str]:
    """The row before `cut` and the rest, with no space at either side of the break.

    The row ends at its last space if that leaves it at least half full (text without
    spaces, a long address or Chinese, is cut where the row is full).
    """
    space = text.rfind(" ", cut // 2, cut + 1)
    row = text[:space].rstrip(" ") if space > 0 else ""
    if row:
        return row, text[space:].lstrip(" ")
    return text[:cut], text[cut:].lstrip(" ")
