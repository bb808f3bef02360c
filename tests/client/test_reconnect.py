"""Reconnecting: the back-off, rejoining rooms, and showing each missed message exactly once."""

from __future__ import annotations

from parley.client.catchup import WINDOW, Transcript, conversation
from parley.client.chat import CATCH_UP, ChatState
from parley.client.commands import JoinRoom, JoinWithKey, Say
from parley.client.reconnect import Backoff
from parley.client.requests import HistoryRequest, Join
from parley.protocol.chat1 import IncomingMessage, NumericReply, PresenceNotice

ALL = "Extensions enabled: rooms dm who presence history auth"
T0 = 1_800_000_000.0


def test_backoff_doubles_up_to_thirty_seconds() -> None:
    backoff = Backoff(rand=lambda: 0.5)  # no jitter at the middle
    assert [backoff.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.tries == 8


def test_backoff_jitter_stays_within_a_fifth_and_the_cap() -> None:
    low = Backoff(rand=lambda: 0.0)
    high = Backoff(rand=lambda: 0.999999)
    assert [round(low.next_delay(), 2) for _ in range(3)] == [0.8, 1.6, 3.2]
    assert [round(high.next_delay(), 1) for _ in range(7)] == [1.2, 2.4, 4.8, 9.6, 19.2, 30, 30]


def test_transcript_tells_missed_entries_from_seen_ones() -> None:
    seen = Transcript()
    lobby = conversation()
    seen.shown(lobby, "bob", "ok", T0)
    seen.shown(lobby, "bob", "ok", T0 + 1)
    seen.shown_id(lobby, 7)
    seen.heard(T0 + 2)
    seen.dropped()
    assert not seen.is_new(lobby, 7, "carol", "old", T0 - 50)  # its id was shown
    assert not seen.is_new(lobby, 8, "carol", "older", T0 - WINDOW - 10)  # before the drop
    assert not seen.is_new(lobby, 9, "Bob", "ok", T0 + 0.5)  # shown live
    assert not seen.is_new(lobby, 10, "bob", "ok", T0 + 1.2)  # the second "ok" too
    assert seen.is_new(lobby, 11, "bob", "ok", T0 + 5)  # a third one was never shown
    assert seen.is_new(lobby, 12, "carol", "while away", T0 + 30)
    assert not seen.is_new(lobby, 12, "carol", "while away", T0 + 30)  # never twice


def chat(clock: list[float]) -> ChatState:
    state = ChatState("alice", clock=lambda: clock[0])
    state.receive(NumericReply(210, ALL), 0.0)
    return state


def test_after_a_drop_the_rooms_are_joined_again_and_the_missed_fetched() -> None:
    clock = [T0]
    state = chat(clock)
    state.perform(JoinWithKey("ops", "s3cret"))
    state.receive(NumericReply(220, "Joined ops"), 0.0)
    state.receive(NumericReply(261, "End of history"), 0.0)
    state.perform(JoinRoom("dev"))
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    state.receive(NumericReply(261, "End of history"), 0.0)
    state.receive(IncomingMessage("bob", "before the drop", room="dev"), 0.0)
    state.perform(Say("mine, before the drop"))
    state.perform(JoinRoom("ops"))  # switch back: ops is current
    clock[0] = T0 + 10
    state.reconnected(None)
    assert state.rooms == [] and state.current == "ops"

    start = state.start()
    assert start.requests  # EXTEND again
    state.receive(NumericReply(210, ALL), 0.0)
    requests = state.rejoin().requests
    assert requests == (
        HistoryRequest("#lobby", CATCH_UP),
        Join("ops", "s3cret"),
        HistoryRequest("#ops", CATCH_UP),
        Join("dev", ""),
        HistoryRequest("#dev", CATCH_UP),
    )

    # The lobby: nothing missed, so nothing is said.
    assert state.receive(NumericReply(261, "End of history"), 0.0) == []
    assert [line.text for line in state.receive(NumericReply(220, "Joined ops"), 0.0)] == [
        "Back in ops."
    ]
    assert state.receive(NumericReply(261, "End of history"), 0.0) == []  # the join's
    assert state.receive(NumericReply(261, "End of history"), 0.0) == []  # the catch-up's
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    joined = f"7 {T0 + 12:.3f} @carol #dev: while you were away"
    assert state.receive(NumericReply(260, joined), 0.0) == []  # the join's: taken in quietly
    assert state.receive(NumericReply(261, "End of history"), 0.0) == []
    entries = [
        f"5 {T0 - 2:.3f} @bob #dev: before the drop",
        f"6 {T0 - 1:.3f} @alice #dev: mine, before the drop",
        f"7 {T0 + 12:.3f} @carol #dev: while you were away",
    ]
    shown = [line for e in entries for line in state.receive(NumericReply(260, e), 0.0)]
    assert [line.text.split("] ", 1)[1] for line in shown] == [
        "carol (in dev): while you were away"
    ]
    assert not shown[0].dim
    end = state.receive(NumericReply(261, "End of history"), 0.0)
    assert [line.text for line in end] == ["--- end of what you missed in dev ---"]
    assert state.rooms == ["ops", "dev"] and state.current == "ops"
    assert state.prompt() == "[ops] > "


def test_a_room_that_refuses_us_again_is_dropped_from_the_list() -> None:
    clock = [T0]
    state = chat(clock)
    state.perform(JoinRoom("dev"))
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    state.receive(NumericReply(261, "End of history"), 0.0)
    state.reconnected(None)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    state.rejoin()
    state.receive(NumericReply(261, "End of history"), 0.0)
    lines = state.receive(NumericReply(420, "Banned from dev"), 0.0)
    assert lines and state.current == "lobby" and state.rooms == []


def test_a_mention_missed_while_away_counts_as_one() -> None:
    clock = [T0]
    state = chat(clock)
    state.receive(IncomingMessage("bob", "hello"), 0.0)
    state.reconnected(None)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    state.rejoin()
    [line] = state.receive(NumericReply(260, f"9 {T0 + 5:.3f} @bob: alice, you there?"), 0.0)
    assert line.mention
    assert len(state.mentions) == 1


def test_what_was_said_before_we_came_is_not_missed() -> None:
    seen = Transcript()
    lobby, dev = conversation(), conversation("dev")
    seen.began(lobby, T0)
    seen.began(dev, T0 + 100)
    seen.heard(T0 + 200)
    seen.dropped()
    assert not seen.is_new(lobby, 1, "bob", "before I connected", T0 - 60)
    assert seen.is_new(lobby, 2, "bob", "while I was away", T0 + 300)
    assert not seen.is_new(dev, 3, "bob", "before I joined dev", T0 + 50)
    assert seen.is_new(dev, 4, "bob", "a clock a little behind", T0 + 95)


def test_a_room_the_server_put_an_account_back_in_is_caught_up_too() -> None:
    clock = [T0]
    state = chat(clock)
    state.perform(JoinRoom("dev"))
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    state.receive(NumericReply(261, "End of history"), 0.0)
    state.reconnected(None)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    state.receive(PresenceNotice("joined", "dev", "alice"), 0.0)  # put back at login: quiet
    state.rejoin()
    state.receive(NumericReply(261, "End of history"), 0.0)  # the lobby's
    assert [line.text for line in state.receive(NumericReply(417, "Already in dev"), 0.0)] == [
        "Back in dev."
    ]
    [line] = state.receive(NumericReply(260, f"9 {T0 + 5:.3f} @bob #dev: missed"), 0.0)
    assert line.text.endswith("bob (in dev): missed") and not line.dim
    assert state.rooms == ["dev"]
