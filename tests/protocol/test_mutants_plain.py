"""Plain-text forms that mutation testing found unchecked: what BS does as well as DEL,
and seed 003's private messages whose text holds a colon."""

from __future__ import annotations

import pytest

from parley.protocol import plain
from parley.protocol.plain import SendDirect


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("helo\x7flo", "hello"),
        ("helo\blo", "hello"),  # BS, as some terminals send for the backspace key
        ("\x7f\bhi", "hi"),  # nothing to rub out yet
        ("ab\b\b\bc", "c"),
    ],
)
def test_both_rubout_keys_take_back_a_character(typed: str, meant: str) -> None:
    assert plain.clean_typed_line(typed) == meant


def test_a_seed003_private_message_may_hold_colons() -> None:
    line = "bob: meet at 10:30: room 2"
    expected = SendDirect("bob", "meet at 10:30: room 2")
    assert plain.parse_line(line, "seed003", in_room=False) == expected
