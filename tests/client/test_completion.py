"""Pure tests of parley.client.completion: what Tab (and typing) offers."""

from __future__ import annotations

from parley.client.chat import ChatState
from parley.client.completion import Recent, complete
from parley.protocol.chat1 import IncomingMessage, NumericReply, PresenceNotice


def texts(before: str, recent: Recent, joined: tuple[str, ...] = (), **kw: bool) -> list[str]:
    return [c.text for c in complete(before, recent, joined, **kw)]


def seen(*names: str) -> Recent:
    recent = Recent("me")
    for name in names:
        recent.name_active(name)
    return recent


def test_a_name_at_the_start_of_the_line_gets_a_colon() -> None:
    assert texts("al", seen("alice", "bob")) == ["alice: "]
    assert texts("hey al", seen("alice", "bob")) == ["alice"]
    assert texts("AL", seen("alice")) == ["alice: "]


def test_the_most_recently_active_names_come_first() -> None:
    recent = seen("anna", "alice", "bob")
    recent.name_active("anna")
    assert texts("a", recent) == ["anna: ", "alice: "]
    recent.names_seen(["al", "anna"])  # listed by WHO: known, not active
    assert texts("a", recent) == ["anna: ", "alice: ", "al: "]


def test_my_own_name_is_never_offered() -> None:
    recent = seen("me", "mel")
    recent.names_seen(["me"])
    assert texts("m", recent) == ["mel: "]


def test_plain_words_are_completed_on_tab_only() -> None:
    assert texts("hey al", seen("alice"), requested=False) == []


def test_commands_show_as_you_type() -> None:
    found = complete("/jo", Recent("me"), requested=False)
    assert [(c.text, c.replaces) for c in found] == [("/join ", 3)]
    assert "/mentions " in texts("/me", Recent("me"), requested=False)


def test_rooms_after_join_leave_and_a_hash() -> None:
    recent = Recent("me")
    recent.rooms_seen(["design", "dev"])
    recent.room_active("devops")
    assert texts("/join d", recent, ("dev",), requested=False) == ["dev", "devops", "design"]
    assert texts("/leave ", recent, ("dev", "ops"), requested=False) == ["ops", "dev"]
    assert texts("see #dev", recent, ("dev",), requested=False) == ["#devops"]
    assert texts("see #de", recent, ("dev",), requested=False) == ["#dev", "#devops", "#design"]


def test_command_arguments() -> None:
    recent = seen("bob")
    assert texts("/msg b", recent) == ["bob "]
    assert texts("/kick b", recent) == ["bob "]
    assert texts("/live o", recent, requested=False) == ["on ", "off "]
    assert "+m " in texts("/mode +", recent, requested=False)
    assert texts("/history @b", recent) == ["@bob"]
    assert texts("/msg bob hi b", recent) == []  # the text of a message: nothing


def test_the_state_feeds_names_and_rooms_from_what_it_sees() -> None:
    chat = ChatState("me")
    chat.receive(NumericReply(210, "Extensions enabled: rooms who presence"), 0.0)
    chat.receive(NumericReply(250, "me zed yan"), 0.0)
    chat.receive(NumericReply(251, "ops kim"), 0.0)
    chat.receive(PresenceNotice("joined", "dev", "ann"), 0.0)
    chat.receive(IncomingMessage("bob", "hi"), 0.0)
    assert chat.recent.names == ["bob", "ann", "zed", "yan", "kim"]
    assert chat.recent.rooms == ["dev", "ops"]


def test_who_and_rooms_are_asked_quietly_to_know_names_before_they_speak() -> None:
    chat = ChatState("me")
    chat.receive(NumericReply(210, "Extensions enabled: rooms who presence"), 0.0)
    assert [type(r).__name__ for r in chat.prime().requests] == ["Who", "Rooms"]
    assert chat.receive(NumericReply(250, "me carol"), 0.0) == []
    assert chat.receive(NumericReply(251, "teamchat carol"), 0.0) == []
    assert chat.receive(NumericReply(252, "End of rooms"), 0.0) == []
    assert chat.recent.names == ["carol"] and chat.recent.rooms == ["teamchat"]
    [line] = chat.receive(NumericReply(250, "me carol"), 0.0)  # a /who of one's own
    assert line.text == "Online (2): me, carol"


def test_nothing_is_asked_of_a_server_without_who() -> None:
    chat = ChatState("me")
    chat.receive(NumericReply(210, "Extensions enabled: rooms"), 0.0)
    assert chat.prime().requests == ()
