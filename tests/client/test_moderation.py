"""Pure tests of parley.client.moderation and of room moderation in the conversation state.

The commands (``/op``, ``/kick``, ``/mode``, ``/invite``, ``/join ROOM KEY``), the server's
``KICKED``/``MODE``/``INVITED`` lines and the ``282``-``284`` and ``419``-``425`` replies, as
`ChatState` turns them into requests and lines; and, in
``test_moderation_server.py``, the same against the real server.
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.client.chat import ChatState, Step
from parley.client.commands import (
    HELP,
    Invalid,
    InviteUser,
    JoinWithKey,
    KickMember,
    SetMode,
    parse_command,
)
from parley.client.moderation import (
    Invited,
    Kicked,
    ModeChanged,
    describe_mode,
    parse_event,
)
from parley.client.render import Channel, Line
from parley.client.requests import ChatMessage, Invite, Join, Kick, Mode
from parley.protocol.chat1 import (
    Notice,
    NumericReply,
    PresenceNotice,
    parse_server_line,
)

ALL = "Extensions enabled: rooms dm who presence live history auth"


def texts(lines: list[Line] | tuple[Line, ...]) -> list[str]:
    return [line.text for line in lines]


def extended(me: str = "ann") -> ChatState:
    state = ChatState(me)
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    return state


def in_room(room: str = "dev", me: str = "ann") -> ChatState:
    state = extended(me)
    assert typed(state, f"/join {room}").requests == (Join(room),)
    state.receive(PresenceNotice("joined", room, me), 0.0)
    state.receive(NumericReply(220, f"Joined {room}"), 0.0)
    state.receive(NumericReply(261, "End of history"), 0.0)
    return state


def typed(state: ChatState, line: str) -> Step:
    return state.perform(state.parse(line))


def heard(state: ChatState, line: str) -> list[str]:
    """What `state` shows for the server line `line`."""
    return texts(state.receive(parse_server_line(line.encode()), 0.0))


# Parsing the commands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/op bob", SetMode("+o", "bob")),
        ("/deop bob", SetMode("-o", "bob")),
        ("/voice bob", SetMode("+v", "bob")),
        ("/devoice bob", SetMode("-v", "bob")),
        ("/ban bob", SetMode("+b", "bob")),
        ("/unban bob", SetMode("-b", "bob")),
        ("/mute bob", SetMode("+q", "bob")),
        ("/unmute  bob ", SetMode("-q", "bob")),
        ("/OP Bob", SetMode("+o", "Bob")),
        ("/kick bob", KickMember("bob")),
        ("/kick bob spam,  again and again", KickMember("bob", "spam,  again and again")),
        ("/invite cat", InviteUser("cat")),
        ("/mode +m", SetMode("+m")),
        ("/mode -m", SetMode("-m")),
        ("/mode +t", SetMode("+t")),
        ("/mode -t", SetMode("-t")),
        ("/mode +i", SetMode("+i")),
        ("/mode -i", SetMode("-i")),
        ("/mode +s", SetMode("+s")),
        ("/mode -s", SetMode("-s")),
        ("/mode +k sekrit", SetMode("+k", "sekrit")),
        ("/mode -k", SetMode("-k")),
        ("/join dev sekrit", JoinWithKey("dev", "sekrit")),
        ("/join #dev s3cr!t", JoinWithKey("dev", "s3cr!t")),
    ],
)
def test_moderation_commands(line: str, command: object) -> None:
    assert parse_command(line) == command
    assert parse_command(line, in_room=True) == command


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("/op", "usage: /op NAME"),
        ("/deop", "usage: /deop NAME"),
        ("/voice a b", "usage: /voice NAME"),
        ("/ban b:ob", "not a user name"),
        ("/mute", "usage: /mute NAME"),
        ("/unmute", "usage: /unmute NAME"),
        ("/unban", "usage: /unban NAME"),
        ("/devoice", "usage: /devoice NAME"),
        ("/kick", "usage: /kick NAME [REASON]"),
        ("/kick b:ob spam", "not a user name"),
        ("/invite", "usage: /invite NAME"),
        ("/invite a b", "usage: /invite NAME"),
        ("/mode", "usage: /mode +m|-m"),
        ("/mode m", "unknown mode 'm'"),
        ("/mode +x", "unknown mode '+x'"),
        ("/mode +o bob", "/op, /voice, /ban and /mute"),
        ("/mode +k", "usage: /mode +k KEY"),
        ("/mode +k two words", "usage: /mode +k KEY"),
        ("/mode -k sekrit", "takes no argument"),
        ("/mode +m now", "takes no argument"),
        ("/join dev key extra", "one word"),
        ("/join bad!room key", "not a room name"),
        ("/join lobby key", "the lobby has no key"),
    ],
)
def test_moderation_usage_errors(line: str, fragment: str) -> None:
    command = parse_command(line)
    assert isinstance(command, Invalid)
    assert fragment in command.message


def test_other_styles_have_no_moderation_commands() -> None:
    assert parse_command("/kick bob", "seed002") == parse_command("/kick bob", "seed004")
    assert isinstance(parse_command("/kick bob", "seed003"), Invalid)
    assert isinstance(parse_command("join dev key", "seed003"), Invalid)


def test_help_lists_the_moderation_commands() -> None:
    text = HELP["slash"]
    for word in ("/op", "/deop", "/voice", "/devoice", "/kick", "/ban", "/unban"):
        assert word in text
    for word in ("/mute", "/unmute", "/invite", "/mode +k KEY", "/join ROOM KEY"):
        assert word in text
    assert max(len(line) for line in text.splitlines()) < 80


# The requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "request_"),
    [
        ("/op bob", Mode("dev", "+o", "bob")),
        ("/unmute bob", Mode("dev", "-q", "bob")),
        ("/mode +k sekrit", Mode("dev", "+k", "sekrit")),
        ("/mode -k", Mode("dev", "-k")),
        ("/kick bob", Kick("dev", "bob")),
        ("/kick bob go  away", Kick("dev", "bob", "go  away")),
        ("/invite cat", Invite("dev", "cat")),
    ],
)
def test_commands_act_on_the_current_room(line: str, request_: Mode | Kick | Invite) -> None:
    assert typed(in_room(), line) == Step(requests=(request_,))


def test_a_keyed_join_sends_the_key_and_is_awaited() -> None:
    state = extended()
    assert typed(state, "/join dev sekrit").requests == (Join("dev", "sekrit"),)
    assert state.awaiting_reply
    state.receive(NumericReply(423, "Wrong key for dev"), 0.0)
    assert not state.awaiting_reply
    assert state.current == "lobby"


def test_a_keyed_join_of_a_room_already_joined_just_switches_to_it() -> None:
    state = in_room()
    typed(state, "/join lobby")
    assert typed(state, "/join dev sekrit") == Step(lines=(Line("You are now in dev."),))
    assert state.current == "dev"


@pytest.mark.parametrize(
    ("line", "verb"),
    [
        ("/op bob", "/op"),
        ("/deop bob", "/deop"),
        ("/voice bob", "/voice"),
        ("/ban bob", "/ban"),
        ("/unban bob", "/unban"),
        ("/kick bob", "/kick"),
        ("/invite bob", "/invite"),
        ("/mode +t", "/mode +t"),
        ("/mode +k sekrit", "/mode +k"),
    ],
)
def test_in_the_lobby_room_commands_are_refused_without_asking(line: str, verb: str) -> None:
    step = typed(extended(), line)
    assert step.requests == ()
    assert step.lines == (
        Line.notice(f"{verb} works in a room, and you are in the lobby: /join the room first."),
    )


def test_mute_and_moderated_in_the_lobby_are_for_the_server_to_decide() -> None:
    state = extended()
    assert typed(state, "/mute bob").requests == (Mode("lobby", "+q", "bob"),)
    assert typed(state, "/mode +m").requests == (Mode("lobby", "+m"),)
    assert heard(state, "419 Not an operator of lobby") == ["You are not an operator of lobby."]


def test_without_rooms_moderation_says_so() -> None:
    state = ChatState("ann")
    state.start()
    state.receive(NumericReply(210, "Extensions enabled: who"), 0.0)
    step = typed(state, "/kick bob")
    assert step.requests == ()
    assert texts(step.lines) == ["This server does not support rooms."]
    assert typed(ChatState("ann"), "/op bob") == Step(wait=True)  # extensions not known yet


# What the server says --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("KICKED dev bob ann CHAT/1.0", Kicked("dev", "bob", "ann")),
        (
            "KICKED dev bob ann spam  and more CHAT/1.0",
            Kicked("dev", "bob", "ann", "spam  and more"),
        ),
        ("MODE dev ann +o bob CHAT/1.0", ModeChanged("dev", "ann", "+o", "bob")),
        ("MODE dev ann -m CHAT/1.0", ModeChanged("dev", "ann", "-m")),
        ("INVITED dev ann CHAT/1.0", Invited("dev", "ann")),
        ("INVITED dev CHAT/1.0", None),
        ("KICKED dev bob CHAT/1.0", None),
        ("MODE dev ann +o bob extra CHAT/1.0", None),
        ("MODE dev ann o bob CHAT/1.0", None),
        ("MODE dev ann +m", None),
        ("hello there CHAT/1.0", None),
        ("", None),
    ],
)
def test_server_moderation_lines(line: str, event: object) -> None:
    assert parse_event(line) == event


@pytest.mark.parametrize(
    ("change", "target", "words"),
    [
        ("+o", "bob", "* ann made bob an operator of dev"),
        ("-o", "bob", "* ann removed bob as an operator of dev"),
        ("+v", "bob", "* ann gave bob a voice in dev"),
        ("-v", "bob", "* ann took the voice in dev from bob"),
        ("+b", "bob", "* ann banned bob from dev"),
        ("-b", "bob", "* ann lifted the ban on bob in dev"),
        ("+q", "bob", "* ann muted bob in dev"),
        ("-q", "bob", "* ann unmuted bob in dev"),
        ("+m", "", "* ann made dev moderated: only its operators and voiced members may speak"),
        ("-m", "", "* ann made dev unmoderated: everyone in it may speak"),
        ("+t", "", "* ann locked the topic of dev: only its operators may change it"),
        ("-t", "", "* ann unlocked the topic of dev: anyone in it may change it"),
        ("+i", "", "* ann made dev invite-only"),
        ("-i", "", "* ann opened dev to everyone (no invitation needed)"),
        ("+s", "", "* ann made dev secret: only its members see it in the room list"),
        ("-s", "", "* ann made dev visible in the room list again"),
        ("+k", "", "* ann set a key on dev: joining it takes /join dev KEY"),
        ("-k", "", "* ann removed the key of dev"),
        ("+z", "", "* ann set mode +z on dev"),
        ("+z", "bob", "* ann set mode +z bob on dev"),
    ],
)
def test_every_mode_change_in_words(change: str, target: str, words: str) -> None:
    assert describe_mode("dev", "ann", change, target, me="cat") == words


def test_you_are_you() -> None:
    assert describe_mode("dev", "Ann", "+o", "bob", me="ann") == "* you made bob an operator of dev"
    assert describe_mode("dev", "ann", "+o", "Bob", me="bob") == "* ann made you an operator of dev"
    assert (
        describe_mode("lobby", "server", "+q", "bob", me="ann") == "* server muted bob in the lobby"
    )


def test_others_see_kicks_modes_and_nothing_changes_for_them() -> None:
    state = in_room(me="cat")
    assert heard(state, "KICKED dev bob ann spam CHAT/1.0") == [
        "* bob was kicked from dev by ann (spam)"
    ]
    assert heard(state, "KICKED dev bob ann CHAT/1.0") == ["* bob was kicked from dev by ann"]
    assert heard(state, "MODE dev ann +o bob CHAT/1.0") == ["* ann made bob an operator of dev"]
    assert heard(state, "MODE dev ann +q cat CHAT/1.0") == ["* ann muted you in dev"]
    assert state.current == "dev"
    assert state.rooms == ["dev"]


def test_being_kicked_leaves_the_room() -> None:
    state = in_room("ops", me="bob")
    typed(state, "/join dev")
    state.receive(NumericReply(220, "Joined dev"), 0.0)
    lines = state.receive(parse_server_line(b"KICKED dev Bob ann spam CHAT/1.0"), 0.0)
    assert lines == [Line("You were kicked from dev by ann (spam); now in ops.")]
    assert state.rooms == ["ops"]
    assert state.current == "ops"
    assert state.prompt() == "[ops] > "
    assert heard(state, "KICKED ops bob ann CHAT/1.0") == [
        "You were kicked from ops by ann; now in the lobby."
    ]
    assert state.rooms == []
    assert state.prompt() == "> "
    assert typed(state, "hello").requests == (ChatMessage("bob", "hello"),)  # in the lobby


def test_an_invitation_says_how_to_go_in() -> None:
    assert heard(extended(), "INVITED dev ann CHAT/1.0") == [
        "* ann invited you to dev; /join dev to go in"
    ]
    state = ChatState("cat", "seed003")
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    assert heard(state, "INVITED dev ann CHAT/1.0") == [
        "* ann invited you to dev; join dev to go in"
    ]


def test_our_own_change_is_shown_once_the_event_then_the_answer() -> None:
    state = in_room()
    typed(state, "/op bob")
    assert heard(state, "MODE dev ann +o bob CHAT/1.0") == ["* you made bob an operator of dev"]
    assert heard(state, "282 Mode dev +o bob") == []
    typed(state, "/mode +k sekrit")
    assert heard(state, "MODE dev ann +k CHAT/1.0") == [
        "* you set a key on dev: joining it takes /join dev KEY"
    ]
    assert heard(state, "282 Mode dev +k") == []
    typed(state, "/kick bob spam")
    assert heard(state, "KICKED dev bob ann spam CHAT/1.0") == ["* you kicked bob from dev (spam)"]
    assert heard(state, "283 Kicked bob") == []


def test_an_answer_without_its_event_is_shown_in_words() -> None:
    state = in_room()
    assert heard(state, "282 Mode dev +b bob") == ["* you banned bob from dev"]
    typed(state, "/kick bob")
    assert heard(state, "283 Kicked bob") == ["* you kicked bob from dev"]
    assert heard(state, "283 Kicked zed") == ["* you kicked zed"]
    typed(state, "/invite cat")
    assert heard(state, "284 Invited cat") == ["You invited cat to dev; they have been told."]
    assert heard(state, "282 Mode") == ["server: 282 Mode"]


def test_inviting_someone_already_in_the_room_does_not_join_a_room_named_after_them() -> None:
    # The server answers such an INVITE with "417 Already in <name>".
    state = in_room()
    typed(state, "/invite cat")
    lines = state.receive(NumericReply(417, "Already in cat"), 0.0)
    assert lines == [Line.notice("cat is already in dev.")]
    assert state.rooms == ["dev"]
    assert state.current == "dev"
    state.receive(NumericReply(417, "Already in ops"), 0.0)  # a JOIN's answer, as before
    assert state.current == "ops"


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ("419 Not an operator of dev", "You are not an operator of dev."),
        ("420 Banned from dev", "You are banned from dev."),
        (
            "421 You may not speak in dev",
            "You may not speak in dev (it is moderated, or you are muted); "
            "the message was not sent.",
        ),
        (
            "422 dev is invite-only",
            "dev is invite-only: one of its operators must /invite you first.",
        ),
        ("423 Wrong key for dev", "Wrong key for dev: type /join dev KEY with the room's key."),
        ("424 zed is not in that room", "zed is not in that room."),
        ("425 Unknown mode +x", "The server does not know the mode +x."),
    ],
)
def test_refusals_in_words(reply: str, words: str) -> None:
    lines = extended().receive(parse_server_line(reply.encode()), 0.0)
    assert lines == [Line(words, Channel.NOTICE)]


@pytest.mark.parametrize("code", [420, 422, 423])
def test_a_refused_join_ends_the_wait_and_changes_no_room(code: int) -> None:
    state = in_room()
    typed(state, "/join ops")
    assert state.awaiting_reply
    state.receive(NumericReply(code, "ops"), 0.0)
    assert not state.awaiting_reply
    assert state.current == "dev"
    assert state.rooms == ["dev"]


@pytest.mark.parametrize("code", [282, 283, 284, 419, 421, 424, 425])
def test_moderation_answers_do_not_answer_a_join(code: int) -> None:
    state = extended()
    typed(state, "/join ops")
    state.receive(NumericReply(code, "x"), 0.0)
    assert state.awaiting_reply


@given(
    verb=st.sampled_from(["KICKED", "MODE", "INVITED"]),
    words=st.lists(st.text(max_size=8), max_size=6),
    code=st.sampled_from([282, 283, 284, 417, 419, 420, 421, 422, 423, 424, 425]),
    text=st.text(max_size=30),
)
def test_any_moderation_line_never_raises(
    verb: str, words: list[str], code: int, text: str
) -> None:
    state = in_room()
    typed(state, "/kick bob")
    typed(state, "/invite bob")
    line = " ".join([verb, *words, "CHAT/1.0"])
    for shown in state.receive(Notice(line), 0.0) + state.receive(NumericReply(code, text), 0.0):
        assert "\x1b" not in shown.text
    assert state.prompt().endswith("> ")


@given(
    verb=st.sampled_from(["/op", "/deop", "/voice", "/mute", "/ban", "/kick", "/invite", "/mode"]),
    rest=st.text(max_size=30),
)
def test_any_moderation_command_line_is_a_command_or_says_what_to_type(
    verb: str, rest: str
) -> None:
    command = parse_command(f"{verb} {rest}")
    assert isinstance(command, SetMode | KickMember | InviteUser | Invalid)
    if isinstance(command, Invalid):
        assert "usage" in command.message or "takes no argument" in command.message
    state = in_room()
    step = state.perform(command)
    assert len(step.requests) + len(step.lines) == 1
