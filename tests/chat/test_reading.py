"""Read markers: unread and mention counts, per user, counted once per message."""

from __future__ import annotations

from parley.chat.reading import MAX_COUNTED, ReadMarkers, is_mention, target_key
from parley.chat.store import StoredMessage


def test_mentions_are_whole_words_in_any_case() -> None:
    assert is_mention("hi Alice!", "alice")
    assert is_mention("@alice: look", "alice")
    assert not is_mention("malice aforethought", "alice")
    assert not is_mention("alicex", "alice")
    assert is_mention("ping a.b please", "a.b")


def test_targets_are_compared_as_names() -> None:
    assert target_key("#Dev") == target_key("dev")
    assert target_key("@Bob") == target_key("@bob") != target_key("bob")


def test_messages_count_until_read() -> None:
    markers = ReadMarkers()
    assert markers.seen("alice", "alice", "dev", message_id=5, sender="bob", text="hi") is not None
    count = markers.seen("alice", "alice", "dev", message_id=6, sender="bob", text="hi alice")
    assert count is not None and (count.unread, count.mentions) == (2, 1)
    again = markers.seen("alice", "alice", "dev", message_id=6, sender="bob", text="hi alice")
    assert again is not None and again.unread == 2  # a second tab does not count it twice
    assert markers.seen("alice", "alice", "dev", message_id=7, sender="Alice", text="x") is None
    read = markers.read("alice", "#Dev", 5)
    assert (read.unread, read.mentions, read.last_read) == (1, 1, 5)
    assert markers.read("alice", "dev", 3).last_read == 5  # never backwards
    assert markers.read("alice", "dev", 9).unread == 0
    assert markers.seen("alice", "alice", "dev", message_id=8, sender="bob", text="old") is None


def test_counting_is_bounded() -> None:
    markers = ReadMarkers()
    for number in range(1, MAX_COUNTED + 50):
        markers.seen("a", "a", "dev", message_id=number, sender="b", text="x")
    assert markers.counts("a")[0].unread == MAX_COUNTED


def _message(number: int, sender: str, text: str = "x") -> StoredMessage:
    return StoredMessage(number, 0.0, sender, text, room="dev")


def test_backfill_starts_read_then_counts_what_came_since() -> None:
    markers = ReadMarkers()
    first = markers.backfill("a", "a", "dev", [_message(1, "b"), _message(2, "b")])
    assert (first.unread, first.last_read) == (0, 2)  # a first visit is not 2 unread
    later = markers.backfill("a", "a", "dev", [_message(3, "b", "hey a"), _message(4, "a")])
    assert (later.unread, later.mentions) == (1, 1)
    assert markers.last_read("a", "dev") == 2


def test_forget_drops_a_users_markers() -> None:
    markers = ReadMarkers()
    markers.read("a", "dev", 3)
    markers.forget("a")
    assert markers.counts("a") == ()
