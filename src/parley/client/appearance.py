"""How a line looks on a terminal: its time, the colour of each name, the highlights, dimming.

Pure: a `Line`, the time and the terminal's width in, the exact characters to write out
(rows wrapped as `parley.client.wrapping` does, with SGR escape sequences of our own). The
text of the line itself was neutralised before it got here, so the only escape sequences in
the result are the ones added here. A script's output (no terminal, no ``--color always``,
no ``--time-format``) never passes through here: it stays the seed's lines exactly.

Each name has a colour picked by a stable hash (CRC-32 of the name's key, so ``Bob`` and
``bob`` look alike and every run agrees) from a palette of mid-lightness xterm-256 colours
that read on dark and light backgrounds alike (no white, black, pale yellow or deep blue).
Highlights (your name, your highlight words) are bold reverse video, which every terminal
shows and which needs no colour.
"""

from __future__ import annotations

import time
import zlib

from parley.client.render import Line
from parley.client.wrapping import CONTINUATION, TAB_SIZE, wrap
from parley.protocol.names import name_key
from parley.records import record

PALETTE = (31, 32, 34, 35, 37, 61, 64, 67, 70, 97, 98, 124, 125, 127, 130, 133, 136, 161, 166, 172)
"""xterm-256 colours readable on dark and light backgrounds (medium lightness, saturated)."""
DIM, NORMAL = "\x1b[2m", "\x1b[22m"
RESET = "\x1b[0m"
HIGHLIGHT = ("1", "7")
"""Bold, reverse video."""
DEFAULT_TIME_FORMAT = "%H:%M"


@record
class Appearance:
    """What a terminal shows beyond the text: colours, a time on each line, the bell."""

    colour: bool = False
    """Names in colour and highlights in reverse video (off: ``NO_COLOR``, ``--color never``)."""
    time_format: str = ""
    """`time.strftime` format of the time before each line; "" for none."""
    bell: bool = False
    """Ring the terminal bell (``\\a``) for a line that mentions you."""

    @property
    def plain(self) -> bool:
        """Whether lines are shown exactly as the seed's (no time, no colour)."""
        return not self.colour and not self.time_format


PLAIN = Appearance()


def name_colour(name: str) -> int:
    """The xterm-256 colour of `name`: the same in every run, for every spelling of it."""
    return PALETTE[zlib.crc32(name_key(name).encode()) % len(PALETTE)]


def time_prefix(at: float, now: float, time_format: str) -> str:
    """``08:00 `` (in `time_format`), with the date first if `at` is not today; "" for none."""
    if not time_format:
        return ""
    when, today = time.localtime(at), time.localtime(now)
    stamp = time.strftime(time_format, when)
    if when[:3] != today[:3]:
        stamp = time.strftime("%Y-%m-%d ", when) + stamp
    return stamp + " "


def stamped(line: Line, now: float, time_format: str) -> tuple[str, int]:
    """`line`'s text with its time in front, and how far that moved the rest of the text.

    A line from the store already starts with its own ``[08:00] ``: that stamp is replaced
    by its time in `time_format` (and kept as it is when there is no format).
    """
    if not time_format or not line.timed:
        return line.text, 0
    if line.at is not None and line.stamp_width:
        prefix = time_prefix(line.at, now, time_format)
        return prefix + line.text[line.stamp_width :], len(prefix) - line.stamp_width
    prefix = time_prefix(now, now, time_format)
    return prefix + line.text, len(prefix)


def paint(line: Line, looks: Appearance, *, now: float, columns: int | None) -> str:
    """The characters that show `line` (without a line end): rows of at most `columns`
    cells (no wrapping if None), each row's styles opened and closed within it."""
    text, shift = stamped(line, now, looks.time_format)
    text = text.expandtabs(TAB_SIZE) if "\t" in text else text
    rows = wrap(text, columns) if columns is not None else [text]
    if not looks.colour:
        if line.dim and columns is not None:  # dimmed on a terminal only, as it always was
            return "\n".join(f"{DIM}{row}{NORMAL}" for row in rows)
        return "\n".join(rows)
    styles = _styles(line, text, shift)
    pieces = _pieces(text, rows)
    return "\n".join(_sgr_row(piece, start, styles, head) for head, piece, start in pieces)


def _styles(line: Line, text: str, shift: int) -> list[tuple[str, ...]]:
    """The SGR codes of each character of `text`."""
    base: tuple[str, ...] = ("2",) if line.dim else ()
    styles = [base] * len(text)
    if line.speaker:
        start = line.speaker_at + shift
        end = start + len(line.speaker)
        if text[start:end] == line.speaker:
            colour = (*base, f"38;5;{name_colour(line.speaker)}")
            styles[start:end] = [colour] * (end - start)
    for first, last in line.highlights:
        start, end = first + shift, last + shift
        if 0 <= start < end <= len(text):
            styles[start:end] = [(*base, *HIGHLIGHT)] * (end - start)
    return styles


def _pieces(text: str, rows: list[str]) -> list[tuple[str, str, int]]:
    """Each row as (continuation mark, piece of `text`, where the piece starts in `text`)."""
    pieces: list[tuple[str, str, int]] = []
    position = 0
    for index, row in enumerate(rows):
        head = CONTINUATION if index else ""
        piece = row[len(head) :]
        found = text.find(piece, position)
        start = found if found >= 0 else position
        pieces.append((head, piece, start))
        position = start + len(piece)
    return pieces


def _sgr_row(piece: str, start: int, styles: list[tuple[str, ...]], head: str) -> str:
    """One row: the mark, then runs of characters with the same style, each closed."""
    out = [head]
    run_style: tuple[str, ...] = ()
    run: list[str] = []
    for offset, char in enumerate(piece):
        index = start + offset
        style = styles[index] if index < len(styles) else ()
        if style != run_style and run:
            out.append(_run(run_style, "".join(run)))
            run = []
        run_style = style
        run.append(char)
    if run:
        out.append(_run(run_style, "".join(run)))
    return "".join(out)


def _run(style: tuple[str, ...], text: str) -> str:
    return f"\x1b[{';'.join(style)}m{text}{RESET}" if style else text
