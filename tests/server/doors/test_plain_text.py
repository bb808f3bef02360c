"""What a person on the plain door reads for each delivery (pure formatting)."""

from __future__ import annotations

from parley.chat.events import (
    DirectMessage,
    Invited,
    Kicked,
    ModeChanged,
    Presence,
    RoomMessage,
    TopicChanged,
    Typing,
)
from parley.server.doors.plain_text import format_delivery


def test_formats_match_the_seeds() -> None:
    said = RoomMessage("Alice", ("Hello team!",), "teamchat")
    assert format_delivery(said, "default") == "Alice (in teamchat): Hello team!"
    assert format_delivery(RoomMessage("Alice", ("a", "b")), "default") == "Alice: a\nAlice: b"
    whisper = DirectMessage("Alice", "Bob", "Hello Bob!")
    assert format_delivery(whisper, "seed003") == "Alice: Hello Bob!"
    assert format_delivery(DirectMessage("Alice", "Bob", "hi"), "default") == "Alice (private): hi"
    assert format_delivery(Presence("bob", "*", "quit"), "default") == "* bob disconnected"
    assert format_delivery(Presence("bob", "dev", "joined"), "default") == "* bob joined dev"


def test_room_events_in_words() -> None:
    assert format_delivery(TopicChanged("ann", "dev", ""), "default") == (
        "* ann cleared the topic of dev"
    )
    assert format_delivery(Kicked("dev", "bob", "ann", "spam"), "default") == (
        "* bob was kicked from dev by ann (spam)"
    )
    assert format_delivery(ModeChanged("dev", "ann", "+o", "bob"), "default") == (
        "* ann made bob an operator of dev"
    )
    assert format_delivery(ModeChanged("dev", "ann", "+m"), "default") == (
        "* ann made moderated: dev"
    )
    assert format_delivery(Invited("dev", "ann", "bob"), "default") == (
        "* ann invited you to dev; /join dev to go in"
    )
    assert format_delivery(Typing("ann", "hel"), "default") == ""
