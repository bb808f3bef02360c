"""History keys, which mutation testing found unchecked: a room's key under any spelling,
and the two names of a conversation read back from its key."""

from __future__ import annotations

import pytest

from parley.chat.store import conversation_of, direct_pair, pair_of, room_conversation


def test_a_room_has_one_history_key_under_any_spelling() -> None:
    assert room_conversation("#DEV") == room_conversation("Dev") == "#dev"
    assert room_conversation("#dev#") == "#dev#"  # only a leading '#' is the room sign
    assert conversation_of("ann", "#Dev", None) == "#dev"


@pytest.mark.parametrize(("a", "b"), [("ann", "bob"), ("zed", "al"), ("a:b", "c"), ("x", "x")])
def test_a_conversation_key_gives_back_its_two_names(a: str, b: str) -> None:
    assert pair_of(direct_pair(a, b)) == tuple(sorted((a, b)))
    assert pair_of(conversation_of(a, None, b)) == tuple(sorted((a, b)))
    assert pair_of(room_conversation("dev")) is None


@pytest.mark.parametrize(("room", "recipient"), [(None, None), ("dev", "bob")])
def test_a_message_to_neither_or_both_is_refused_saying_why(
    room: str | None, recipient: str | None
) -> None:
    """Every store's `append` relies on this check; its words name the rule broken."""
    with pytest.raises(ValueError) as refused:
        conversation_of("ann", room, recipient)
    assert str(refused.value) == "a message goes to exactly one of a room or a recipient"
