"""Pure tests of parley.client.appearance: times, name colours, highlights, wrapping."""

from __future__ import annotations

import re
import time

from hypothesis import given, strategies as st

from parley.client.appearance import (
    PALETTE,
    PLAIN,
    Appearance,
    name_colour,
    paint,
    time_prefix,
)
from parley.client.render import Line, history_line, lobby_message, room_message
from parley.protocol.chat1 import IncomingMessage

NOW = time.mktime((2026, 11, 21, 10, 42, 0, 0, 0, -1))
SGR = re.compile(r"\x1b\[[0-9;]*m")


def test_plain_appearance_shows_the_seed_line_exactly() -> None:
    assert PLAIN.plain
    assert paint(lobby_message("bob", "hi"), PLAIN, now=NOW, columns=None) == "@bob: hi"
    assert paint(lobby_message("bob", "hi"), PLAIN, now=NOW, columns=100) == "@bob: hi"


def test_dimmed_lines_stay_dimmed_as_before_without_colour() -> None:
    line = Line("old", dim=True)
    assert paint(line, PLAIN, now=NOW, columns=80) == "\x1b[2mold\x1b[22m"
    assert paint(line, PLAIN, now=NOW, columns=None) == "old"  # no terminal: no escapes


def test_time_goes_before_every_line_in_the_format_asked() -> None:
    looks = Appearance(time_format="%H:%M")
    assert paint(Line("* bob joined dev"), looks, now=NOW, columns=None) == "10:42 * bob joined dev"
    seconds = Appearance(time_format="%H:%M:%S")
    assert paint(Line("x"), seconds, now=NOW, columns=None) == "10:42:00 x"


def test_a_stored_line_shows_its_own_time_in_the_format_asked() -> None:
    at = NOW - 3600
    line = history_line(IncomingMessage("bob", "morning", room="dev"), at, NOW, me="alice")
    assert line.text == "[09:42] bob (in dev): morning"  # scripts: as it always was
    looks = Appearance(time_format="%H:%M")
    assert SGR.sub("", paint(line, looks, now=NOW, columns=None)) == "09:42 bob (in dev): morning"
    assert paint(line, Appearance(), now=NOW, columns=None) == "[09:42] bob (in dev): morning"


def test_an_earlier_day_has_its_date() -> None:
    assert time_prefix(NOW - 86400, NOW, "%H:%M") == "2026-11-20 10:42 "
    assert time_prefix(NOW, NOW, "") == ""


def test_a_name_is_drawn_in_its_own_colour() -> None:
    looks = Appearance(colour=True)
    shown = paint(room_message("bob", "dev", "hi"), looks, now=NOW, columns=None)
    assert shown == f"\x1b[38;5;{name_colour('bob')}mbob\x1b[0m (in dev): hi"
    lobby = paint(lobby_message("bob", "hi"), looks, now=NOW, columns=None)
    assert lobby == f"@\x1b[38;5;{name_colour('bob')}mbob\x1b[0m: hi"


def test_highlights_are_bold_reverse_video() -> None:
    line = Line("@bob: hi alice", highlights=((9, 14),))
    shown = paint(line, Appearance(colour=True), now=NOW, columns=None)
    assert shown == "@bob: hi \x1b[1;7malice\x1b[0m"


def test_name_colours_are_stable_and_ignore_case() -> None:
    assert name_colour("Bob") == name_colour("bob")
    assert name_colour("alice") in PALETTE
    assert len({name_colour(f"user{n}") for n in range(200)}) > len(PALETTE) // 2


def test_the_palette_avoids_colours_unreadable_on_dark_or_light_backgrounds() -> None:
    unreadable = {0, 7, 8, 15, 16, 17, 18, 19, 226, 227, 228, 229, 230, 231, 232, 255}
    assert not unreadable & set(PALETTE)


@given(
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), max_size=300),
    st.integers(min_value=12, max_value=120),
)
def test_painting_never_changes_the_text_or_its_rows(text: str, columns: int) -> None:
    line = lobby_message("bob", text)
    looks = Appearance(colour=True, time_format="%H:%M")
    plain = paint(line, Appearance(time_format="%H:%M"), now=NOW, columns=columns)
    assert SGR.sub("", paint(line, looks, now=NOW, columns=columns)) == plain
