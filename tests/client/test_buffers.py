"""The full-screen mode's buffers, without a terminal: routing, counts, switching, scrolling."""

from __future__ import annotations

from parley.client.buffers import Buffers
from parley.client.chat import ChatState
from parley.client.render import Line
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
