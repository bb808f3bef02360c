"""The full-screen mode's buffers, without a terminal: routing, counts, switching, scrolling."""

from __future__ import annotations

from parley.client.buffers import Buffers, Fetch
from parley.client.chat import ChatState
from parley.client.lag import LagMeter
from parley.client.render import Line, Older
from parley.client.requests import HistoryRequest, Ping, encode_request
from parley.protocol.chat1 import IncomingMessage, NumericReply, PresenceNotice


def said(text: str, where: str | None, *, mention: bool = False) -> Line:
    return Line(text, where=where, mention=mention)


def test_a_line_goes_to_its_conversations_buffer_and_a_notice_to_the_current_one() -> None:
    buffers = Buffers()
    buffers.add(said("bob (in dev): hi", "#dev"))
    buffers.add(Line.notice("server: 404 nope"))
    assert [b.label for b in buffers.all] == ["lobby", "dev"]
    dev = buffers.find("#dev")
    assert dev is not None
    assert [shown.line.text for shown in dev.lines] == ["bob (in dev): hi"]
    assert [shown.line.text for shown in buffers.current.lines] == ["server: 404 nope"]


def test_unread_and_mentions_count_on_hidden_buffers_and_clear_on_switch() -> None:
    buffers = Buffers()
    buffers.open_room("dev")
    buffers.add(said("bob (in dev): one", "#dev"))
    buffers.add(said("bob (in dev): alice?", "#dev", mention=True))
    buffers.add(said("@carol: in the lobby", "#lobby"))
    buffers.add(Line("old", dim=True, where="#dev"))  # history is not news
    assert [e.text for e in buffers.entries()] == ["1 lobby", "2 dev (2, @1)"]
    assert buffers.switch_number(2) is buffers.find("#dev")
    assert [e.text for e in buffers.entries()] == ["1 lobby", "2 dev"]
    assert [e.current for e in buffers.entries()] == [False, True]


def test_private_lines_open_a_buffer_named_after_the_person() -> None:
    buffers = Buffers()
    line = Line("Bob (private): psst", where="@bob", speaker="Bob")
    buffers.add(line)
    assert [e.text for e in buffers.entries()] == ["1 lobby", "2 @Bob (1)"]
    bob = buffers.find("@bob")
    assert bob is not None and bob.peer == "Bob"


def test_switching_in_turn_by_number_and_by_name() -> None:
    buffers = Buffers()
    for room in ("dev", "design"):
        buffers.open_room(room)
    buffers.open_peer("bob")
    assert buffers.switch_by(1).label == "dev"
    assert buffers.switch_by(-1).label == "lobby"
    assert buffers.switch_by(-1).label == "@bob"
    assert buffers.switch_number(9) is None
    assert buffers.current.label == "@bob"
    found = buffers.switch_name("#design")
    assert found is not None and found.label == "design"
    found = buffers.switch_name("bob")
    assert found is not None and found.label == "@bob"
    assert buffers.switch_name("de") is None  # dev or design: ambiguous
    found = buffers.switch_name("dev")
    assert found is not None and found.label == "dev"
    assert buffers.switch_name("nowhere") is None


def test_following_the_current_room_and_keeping_rooms_left() -> None:
    buffers = Buffers()
    buffers.sync_rooms(["dev"])
    assert buffers.follow_room("dev") is buffers.find("#dev")
    assert buffers.follow_room("dev") is None
    buffers.sync_rooms([])
    assert [b.label for b in buffers.all] == ["lobby", "dev"]


def test_scrolling_keeps_a_page_and_stays_put_as_lines_arrive() -> None:
    buffers = Buffers()
    for number in range(10):
        buffers.add(said(f"line {number}", "#lobby"))
    assert [s.line.text for s in buffers.visible(3)] == ["line 7", "line 8", "line 9"]
    assert not buffers.scroll(4, 3)
    assert [s.line.text for s in buffers.visible(3)] == ["line 3", "line 4", "line 5"]
    buffers.add(said("line 10", "#lobby"))
    assert [s.line.text for s in buffers.visible(3)] == ["line 3", "line 4", "line 5"]
    assert not buffers.scroll(100, 3)
    assert buffers.current.scroll == 8
    assert buffers.scroll(1, 3)  # already at the top: the UI may fetch older history
    buffers.scroll(-100, 3)
    assert [s.line.text for s in buffers.visible(2)] == ["line 9", "line 10"]


def test_the_chat_state_marks_where_each_line_belongs_and_who_is_in_each_room() -> None:
    state = ChatState("alice", clock=lambda: 0.0)
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence history"), 0)
    state.receive(NumericReply(250, "alice bob carol"), 0)
    state.receive(NumericReply(251, "dev bob carol"), 0)
    joined = state.receive(NumericReply(220, "Joined dev"), 0)
    assert [line.where for line in joined] == ["#dev"]
    lines = state.receive(IncomingMessage("bob", "hi alice", room="dev"), 0)
    assert [(line.where, line.mention) for line in lines] == [("#dev", True)]
    lines = state.receive(IncomingMessage("Bob", "psst", recipient="alice"), 0)
    assert [line.where for line in lines] == ["@bob"]
    lines = state.receive(IncomingMessage("carol", "morning"), 0)
    assert [line.where for line in lines] == ["#lobby"]
    state.receive(PresenceNotice("left", "dev", "carol"), 0)
    assert sorted(state.members["dev"].values()) == ["alice", "bob"]
    assert sorted(state.members["lobby"].values()) == ["alice", "bob", "carol"]
    state.receive(PresenceNotice("quit", "lobby", "bob"), 0)
    assert sorted(state.members["dev"].values()) == ["alice"]


def older(text: str, where: str, message_id: int) -> Line:
    return Line(text, dim=True, where=where, message_id=message_id, older=Older.LINE)


def test_scrolling_past_the_top_fetches_the_page_before_the_oldest_history_line() -> None:
    buffers = Buffers()
    buffers.switch_to(buffers.open_room("dev"))
    assert buffers.fetch_older() == Fetch("#dev", None)  # no id yet: the newest page
    buffers.add(Line("", where="#dev", older=Older.END))
    for number in (41, 42):
        buffers.add(Line(f"old {number}", dim=True, where="#dev", message_id=number))
    buffers.add(said("live", "#dev"))
    buffers.scroll(100, 2)
    assert [s.line.text for s in buffers.visible(2)] == ["old 41", "old 42"]
    assert buffers.fetch_older() == Fetch("#dev", 41)
    assert buffers.fetch_older() is None  # one page at a time
    for number in (39, 40):
        buffers.add(older(f"old {number}", "#dev", number))
    buffers.add(Line("", where="#dev", older=Older.END))
    dev = buffers.current
    assert [s.line.text for s in dev.lines] == ["old 39", "old 40", "old 41", "old 42", "live"]
    assert [s.line.text for s in buffers.visible(2)] == ["old 41", "old 42"]  # the view stays
    assert dev.unread == 0 and dev.oldest_id == 39
    assert buffers.scroll(100, 2) is False
    assert [s.line.text for s in buffers.visible(2)] == ["old 39", "old 40"]
    assert buffers.fetch_older() == Fetch("#dev", 39)
    buffers.add(Line("No earlier messages in dev.", where="#dev", older=Older.NONE))
    assert dev.lines[0].line.text == "No earlier messages in dev."
    assert buffers.fetch_older() is None  # the server has none: ask no more


def test_an_older_page_of_a_hidden_buffer_is_not_unread() -> None:
    buffers = Buffers()
    buffers.open_peer("bob")
    buffers.add(older("bob (private): old", "@bob", 3))
    bob = buffers.find("@bob")
    assert bob is not None and bob.unread == 0 and bob.oldest_id == 3


def test_the_chat_state_asks_for_an_older_page_and_marks_its_lines() -> None:
    state = ChatState("alice", clock=lambda: 0.0)
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence history"), 0)
    step = state.older_history("#dev", 41, 50)
    assert step is not None and step.requests == (HistoryRequest("#dev", 50, 41),)
    assert encode_request(step.requests[0]) == b"HISTORY #dev 50 41 CHAT/1.0\n"
    lines = state.receive(NumericReply(260, "7 1763712000.0 @bob #dev: earlier"), 0)
    assert [(line.where, line.message_id, line.older) for line in lines] == [
        ("#dev", 7, Older.LINE)
    ]
    assert [line.older for line in state.receive(NumericReply(261, "End of history"), 0)] == [
        Older.END
    ]
    state.older_history("#dev", 7, 50)
    lines = state.receive(NumericReply(261, "End of history"), 0)
    assert [(line.text, line.where, line.older) for line in lines] == [
        ("No earlier messages in dev.", "#dev", Older.NONE)
    ]
    assert ChatState("bob").older_history("#dev", None, 50) is None  # no history extension


def test_history_lines_carry_their_ids() -> None:
    state = ChatState("alice", clock=lambda: 0.0)
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence history"), 0)
    state.receive(NumericReply(220, "Joined dev"), 0)
    lines = state.receive(NumericReply(260, "12 1763712000.0 @bob #dev: hi"), 0)
    assert [(line.where, line.message_id, line.older) for line in lines] == [("#dev", 12, None)]


def test_the_lag_is_the_time_from_a_ping_to_its_pong() -> None:
    now = [10.0]
    meter = LagMeter(clock=lambda: now[0])
    assert meter.text == ""
    first = meter.ping()
    second = meter.ping()
    assert first != second and first.startswith("lag-")
    now[0] = 10.25
    assert not meter.pong("Pong someone-elses")
    assert meter.pong(f"Pong {second}")
    assert meter.text == "lag 250 ms"
    assert not meter.pong(f"Pong {first}")  # sent before the one answered: forgotten
    third = meter.ping()
    now[0] = 11.75
    assert meter.pong(f"Pong {third}") and meter.text == "lag 1.5 s"


def test_the_chat_state_takes_its_pongs_in_silently_and_shows_others() -> None:
    state = ChatState("alice", clock=lambda: 0.0)
    state.receive(NumericReply(210, "Extensions enabled: rooms dm who presence history"), 0)
    token = state.lag.ping()
    assert state.receive(NumericReply(290, f"Pong {token}"), 0) == []
    assert state.lag.lag is not None
    assert state.receive(NumericReply(290, "Pong mine"), 0) != []
    assert encode_request(Ping(token)) == f"PING {token} CHAT/1.0\n".encode()
