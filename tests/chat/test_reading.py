"""Read markers: unread and mention counts, per user, counted once per message."""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st

from parley.chat.reading import (
    MAX_COUNTED,
    TALLY_KEPT,
    ReadMarkers,
    is_mention,
    target_key,
)
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


def test_mention_counts_follow_reading_and_never_count_a_message_twice() -> None:
    """The mention count is kept as messages come (a count is asked for on every delivery):
    it must match what is pending after any mix of notes, repeats, backfills and reads."""
    markers = ReadMarkers()
    note = markers.note
    marks = [note("a", "dev", n, n % 3 == 0) for n in range(1, 13)]  # 3, 6, 9, 12 mention
    assert all(m is not None for m in marks)
    assert note("a", "dev", 6, True) is not None  # seen again by a second tab
    count = markers.counts("a")[0]
    assert (count.unread, count.mentions) == (12, 4)
    markers.backfill("a", "a", "dev", [_message(9, "b", "hey a"), _message(13, "b", "a!")])
    assert (markers.counts("a")[0].unread, markers.counts("a")[0].mentions) == (13, 5)
    read = markers.read("a", "dev", 7)  # 3 and 6 read; 9, 12, 13 still mention
    assert (read.unread, read.mentions) == (6, 3)
    assert note("a", "dev", 5, True) is None  # already read
    assert (markers.read("a", "dev", 13).unread, markers.counts("a")[0].mentions) == (0, 0)


def test_a_tally_counts_a_room_message_once_for_all_its_readers() -> None:
    """A room message goes into the room's tally once; each reader's marker counts it from
    the position it was first relayed at, without its own messages, once however many tabs."""
    markers = ReadMarkers()
    tally = markers.tally("dev")
    assert markers.tally("#Dev") is tally
    first = tally.append(10, 3, "bob")  # 10, 11, 12
    tally.append(13, 1, "alice")
    assert markers.follow("alice", "dev", tally, first).count().unread == 3  # not her 13
    assert markers.follow("carol", "#Dev", tally, first + 1).count().unread == 3  # 11-13
    assert markers.follow("alice", "dev", tally, first).count().unread == 3  # a second tab
    assert markers.read("alice", "dev", 11).unread == 1
    tally.append(14, 1, "bob")
    count = markers.follow("alice", "dev", tally, first).count()
    assert (count.unread, count.mentions, count.last_read) == (2, 0, 11)  # 12 and 14


def test_a_mention_noted_as_it_came_is_counted_once_with_the_tally() -> None:
    markers = ReadMarkers()
    tally = markers.tally("dev")
    position = tally.append(5, 2, "bob")
    assert markers.note("a", "dev", 6, True) is not None  # the door saw the mention
    count = markers.follow("a", "dev", tally, position).count()
    assert (count.unread, count.mentions) == (2, 1)
    assert markers.read("a", "dev", 5).mentions == 1
    assert (markers.read("a", "dev", 6).unread, markers.counts("a")[0].mentions) == (0, 0)


def test_what_a_tally_had_while_a_reader_was_away_is_counted_once() -> None:
    """Counts asked at sign-in (`counts`, `backfill`) catch up with the tally first, and a
    message both in the tally and in history is one unread message."""
    markers = ReadMarkers()
    tally = markers.tally("dev")
    markers.read("a", "dev", 2)
    markers.follow("a", "dev", tally, tally.append(3, 1, "b"))
    tally.append(4, 1, "b")  # relayed to others only: "a" was not on the web
    assert markers.counts("a")[0].unread == 2
    history = [_message(3, "b"), _message(4, "b"), _message(5, "b", "hey a")]
    later = markers.backfill("a", "a", "dev", history)
    assert (later.unread, later.mentions) == (3, 1)


def test_tally_counting_is_bounded_and_survives_trimming() -> None:
    markers = ReadMarkers()
    tally = markers.tally("dev")
    first = tally.append(1, 1, "b")
    last = 3 * TALLY_KEPT
    for number in range(2, last + 1):
        tally.append(number, 1, "b")
        if number % 500 == 0:
            markers.follow("a", "dev", tally, first)
    assert len(tally.ids) <= 2 * TALLY_KEPT and tally.end == last
    assert markers.follow("a", "dev", tally, first).count().unread == MAX_COUNTED
    assert markers.read("a", "dev", last).unread == 0
    tally.append(last + 1, 1, "b")
    assert markers.follow("a", "dev", tally, first).count().unread == 1


_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("say"), st.sampled_from(["a", "b", "c"]), st.integers(1, 3), st.booleans()
        ),
        st.just(("count",)),
        st.tuples(st.just("read"), st.integers(0, 4)),
    ),
    max_size=40,
)


@given(_OPS)
def test_tally_counts_are_what_came_unread_and_not_from_the_reader(
    ops: list[tuple[Any, ...]],
) -> None:
    """Counted from first principles: the reader "a" has unread every message relayed to it
    that is not its own and newer than its last read, and a mention among them is one too,
    whatever the order of messages, mentions noted as they came, counts asked and reads (of
    the newest, or a few back from it)."""
    markers = ReadMarkers()
    tally = markers.tally("dev")
    relayed: list[tuple[int, str, bool]] = []  # id, sender, mentions "a"
    next_id, position, last_read = 100, None, 0
    for op in ops:
        if op[0] == "say":
            _, sender, lines, mention = op
            first = tally.append(next_id, lines, sender)
            for number in range(next_id, next_id + lines):
                mentioned = mention and sender != "a" and number == next_id
                relayed.append((number, sender, mentioned))
                if mentioned:
                    markers.note("a", "dev", number, True)
            next_id += lines
            if position is None:
                position = first  # the door follows from the first message it relayed
        elif op[0] == "count" and position is not None:
            count = markers.follow("a", "dev", tally, position).count()
            unread = [m for m in relayed if m[1] != "a" and m[0] > last_read]
            assert (count.unread, count.mentions) == (len(unread), sum(m[2] for m in unread))
        elif op[0] == "read" and relayed:
            target = relayed[max(len(relayed) - 1 - op[1], 0)][0]
            last_read = max(last_read, target)
            markers.read("a", "dev", target)
    if position is not None:
        count = markers.follow("a", "dev", tally, position).count()
        unread = [m for m in relayed if m[1] != "a" and m[0] > last_read]
        assert (count.unread, count.mentions) == (len(unread), sum(m[2] for m in unread))
