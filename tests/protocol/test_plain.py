"""The plain door's parser and formatter: every command form of seeds 002 and 003."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.protocol import plain
from parley.protocol.plain import (
    Help,
    Invalid,
    JoinRoom,
    LeaveRoom,
    ListRooms,
    ListUsers,
    ManageAccount,
    Nothing,
    Quit,
    SayTo,
    SearchHistory,
    SendDirect,
    SetTopic,
    ShowHistory,
)


def default(line: str) -> plain.PlainCommand:
    return plain.parse_line(line, "default", in_room=False)


def test_default_mode_commands() -> None:
    assert default("?") == ListUsers()
    assert default("Hi how are you > Joe") == SendDirect("Joe", "Hi how are you")
    assert default("/msg bob hello there") == SendDirect("bob", "hello there")
    assert default("/join teamchat") == JoinRoom("teamchat")
    assert default("/leave") == LeaveRoom(None)
    assert default("/leave dev") == LeaveRoom("dev")
    assert default("/who") == ListUsers()
    assert default("/rooms") == ListRooms()
    assert default("/quit") == Quit()
    assert default("/help") == Help()
    assert default("") == Nothing()
    assert default("/say /who is a command") == SayTo("/who is a command")
    assert default("who") == SayTo("who")  # the slash convention: plain words are chat
    assert default("Bob:hello") == SayTo("Bob:hello")
    assert default("2 > 1 is true, says the teacher") == SayTo("2 > 1 is true, says the teacher")
    assert isinstance(default("/msg bob"), Invalid)
    assert isinstance(default("/frob"), Invalid)
    assert default("/history dev 5") == ShowHistory("dev", 5)
    assert default("/history") == ShowHistory(None, None)
    assert default("/register hunter22") == ManageAccount("create", ("hunter22",))
    assert default("/password old new") == ManageAccount("change", ("old", "new"))
    assert isinstance(default("/password old"), Invalid)


def outside(line: str) -> plain.PlainCommand:
    return plain.parse_line(line, "seed003", in_room=False)


def inside(line: str) -> plain.PlainCommand:
    return plain.parse_line(line, "seed003", in_room=True)


def test_seed003_mode_outside_and_inside_rooms() -> None:
    assert outside("server:who") == ListUsers()
    assert outside("who") == ListUsers()
    assert outside("server:exit") == Quit()
    assert outside("exit") == Quit()
    assert outside("join teamchat") == JoinRoom("teamchat")
    assert outside("server:join teamchat") == JoinRoom("teamchat")
    assert outside("Bob:Hello Bob!") == SendDirect("Bob", "Hello Bob!")
    assert isinstance(outside("leave"), Invalid)
    assert isinstance(outside("hello everyone"), Invalid)
    assert inside("who") == SayTo("who")
    assert inside("exit") == SayTo("exit")
    assert inside("leave") == LeaveRoom(None)
    assert inside("server:leave") == LeaveRoom(None)


@given(st.text(max_size=200), st.sampled_from(["default", "seed003"]), st.booleans())
def test_any_line_parses_to_a_command(line: str, mode: plain.Mode, in_room: bool) -> None:
    command = plain.parse_line(line, mode, in_room)
    kinds = (SayTo, SendDirect, JoinRoom, LeaveRoom, ListUsers, ListRooms, Quit, Help)
    others = (ShowHistory, ManageAccount, plain.Moderate, plain.ChangeMode, Nothing, Invalid)
    assert isinstance(command, (*kinds, *others))


def test_typed_lines_are_cleaned() -> None:
    assert plain.clean_typed_line("hello") == "hello"
    assert plain.clean_typed_line("helo\x7flo") == "hello"
    assert plain.clean_typed_line("ab\b\bcd") == "cd"
    assert plain.clean_typed_line("\x7f\x7fx") == "x"
    assert plain.clean_typed_line("\x1b[31mred") == "\ufffd[31mred"
    assert default("hi\x7f\x7fyo") == SayTo("yo")


def test_moderation_commands() -> None:
    assert default("/kick bob spamming links") == plain.Moderate("kick", "bob", "spamming links")
    assert default("/op carol") == plain.Moderate("op", "carol")
    assert isinstance(default("/ban"), Invalid)
    assert isinstance(default("/mute bob too long"), Invalid)
    assert default("/mode +k s3cret") == plain.ChangeMode("+k", "s3cret")
    assert default("/mode -i") == plain.ChangeMode("-i")
    assert isinstance(default("/mode moderated"), Invalid)


# Every slash command of the default mode, pinned form by form (`plain._SLASH_COMMANDS`).
UNKNOWN_WHO = Invalid("unknown command /who; type /help")

SLASH_CASES: list[tuple[str, plain.PlainCommand]] = [
    ("/msg bob hello  there", SendDirect("bob", "hello  there")),
    ("/m bob hi", SendDirect("bob", "hi")),
    ("/tell bob hi", SendDirect("bob", "hi")),
    ("/msg bob", Invalid("usage: /msg NAME TEXT")),
    ("/tell", Invalid("usage: /msg NAME TEXT")),
    ("/join dev", JoinRoom("dev")),
    ("/join dev s3cret", JoinRoom("dev s3cret")),  # the door splits off the key
    ("/join", Invalid("usage: /join ROOM [KEY]")),
    ("/leave", LeaveRoom(None)),
    ("/part dev", LeaveRoom("dev")),
    ("/who", ListUsers()),
    ("/who bob", UNKNOWN_WHO),
    ("/rooms", ListRooms()),
    ("/rooms all", Invalid("unknown command /rooms; type /help")),
    ("/quit", Quit()),
    ("/exit", Quit()),
    ("/exit now", Invalid("unknown command /exit; type /help")),
    ("/help", Help()),
    ("/help me", Invalid("unknown command /help; type /help")),
    ("/say /quit  now", SayTo("/quit  now")),
    ("/say", Invalid("unknown command /say; type /help")),
    ("/history", ShowHistory(None, None)),
    ("/history @bob 20", ShowHistory("@bob", 20)),
    ("/history 20 #dev", ShowHistory("#dev", 20)),
    ("/history dev 123456", Invalid("usage: /history [ROOM|@NAME] [N]")),
    ("/history dev ops", Invalid("usage: /history [ROOM|@NAME] [N]")),
    ("/search deploy log", SearchHistory("deploy log", None)),
    ("/search deploy #dev", SearchHistory("deploy", "#dev")),
    ("/search @bob", SearchHistory("@bob", None)),
    ("/search deploy @", Invalid("usage: /search WORDS [#ROOM|@NAME]")),
    ("/search", Invalid("usage: /search WORDS [#ROOM|@NAME]")),
    ("/topic", SetTopic(None)),
    ("/topic Release  day", SetTopic("Release  day")),
    ("/register hunter22", ManageAccount("create", ("hunter22",))),
    ("/register", Invalid("usage: /register PASSWORD")),
    ("/password old new", ManageAccount("change", ("old", "new"))),
    ("/password old new newer", Invalid("usage: /password OLD NEW")),
    ("/unregister hunter22", ManageAccount("delete", ("hunter22",))),
    ("/unregister a b", Invalid("usage: /unregister PASSWORD")),
    ("/op carol", plain.Moderate("op", "carol")),
    ("/deop carol", plain.Moderate("deop", "carol")),
    ("/voice carol", plain.Moderate("voice", "carol")),
    ("/devoice carol", plain.Moderate("devoice", "carol")),
    ("/ban bob", plain.Moderate("ban", "bob")),
    ("/unban bob", plain.Moderate("unban", "bob")),
    ("/mute bob", plain.Moderate("mute", "bob")),
    ("/unmute bob", plain.Moderate("unmute", "bob")),
    ("/invite carol", plain.Moderate("invite", "carol")),
    ("/kick bob", plain.Moderate("kick", "bob")),
    ("/kick bob  spamming links ", plain.Moderate("kick", "bob", "spamming links")),
    ("/kick", Invalid("usage: /kick NAME [REASON]")),
    ("/ban bob for spam", Invalid("usage: /ban NAME")),
    ("/invite", Invalid("usage: /invite NAME")),
    ("/mode +m", plain.ChangeMode("+m")),
    ("/mode -k", plain.ChangeMode("-k")),
    ("/mode +k s3cret", plain.ChangeMode("+k", "s3cret")),
    ("/mode", Invalid("usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k")),
    ("/mode +k a b", Invalid("usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k")),
    ("/mode m+", Invalid("usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k")),
]


@pytest.mark.parametrize(("line", "command"), SLASH_CASES)
def test_slash_commands(line: str, command: plain.PlainCommand) -> None:
    assert default(line) == command
    assert plain.parse_line(line, "default", in_room=True) == command


def test_every_slash_command_of_the_table_is_pinned() -> None:
    pinned = {line.split()[0] for line, _ in SLASH_CASES}
    assert pinned == set(plain._SLASH_COMMANDS)
    assert {f"/{verb}" for verb in plain.MODERATION_VERBS} <= pinned


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/JOIN dev", JoinRoom("dev")),  # verbs are case-insensitive, arguments kept
        ("/Kick Bob Go", plain.Moderate("kick", "Bob", "Go")),
        ("  /who  ", ListUsers()),
        ("/who\tbob", Invalid("unknown command /who\tbob; type /help")),  # only a space ends it
        ("/frob", Invalid("unknown command /frob; type /help")),
        ("/", Invalid("unknown command /; type /help")),
        (" ? ", ListUsers()),
        ("?!", SayTo("?!")),
        ("  indented chat  ", SayTo("  indented chat")),
        ("see you > Joe ", SendDirect("Joe", "see you")),
        ("a > b > Joe", SendDirect("Joe", "a > b")),
        ("> Joe", SayTo("> Joe")),
        ("hi > -Joe", SayTo("hi > -Joe")),
        ("\t", Nothing()),
    ],
)
def test_default_mode_edges(line: str, command: plain.PlainCommand) -> None:
    assert default(line) == command


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("who", ListUsers()),
        ("server:who", ListUsers()),
        ("  exit  ", Quit()),
        ("join  #dev ", JoinRoom("#dev")),
        ("server:join", Invalid("usage: join ROOM")),
        ("leave", Invalid("You are not in a chat room.")),
        ("server:leave", Invalid("You are not in a chat room.")),
        ("help", Help()),
        ("server:help me", Help()),  # help takes anything after it
        ("Bob: hi  there ", SendDirect("Bob", "hi  there")),
        (" Bob :hi", SendDirect("Bob", "hi")),
        ("Bob:", Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")),
        ("who bob", Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")),
        ("server:who bob", SendDirect("server", "who bob")),  # read as NAME:MESSAGE
        ("leave now", Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")),
        ("WHO", Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")),
        ("", Nothing()),
    ],
)
def test_seed003_outside_a_room(line: str, command: plain.PlainCommand) -> None:
    assert outside(line) == command


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("leave", LeaveRoom(None)),
        (" server:leave ", LeaveRoom(None)),
        ("leave now", SayTo("leave now")),
        ("join dev", SayTo("join dev")),
        ("Bob: hi", SayTo("Bob: hi")),
        ("/quit", SayTo("/quit")),
        ("  ", Nothing()),
    ],
)
def test_seed003_inside_a_room(line: str, command: plain.PlainCommand) -> None:
    assert inside(line) == command


plain_names = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=32
)
reasons = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=40)


@given(st.sampled_from(sorted(plain.MODERATION_VERBS - {"kick"})), plain_names)
def test_moderation_verbs_take_one_name(verb: str, name: str) -> None:
    assert default(f"/{verb} {name}") == plain.Moderate(verb, name)
    assert default(f"/{verb} {name} extra") == Invalid(f"usage: /{verb} NAME")


@given(plain_names, reasons)
def test_kick_takes_a_reason(name: str, reason: str) -> None:
    assert default(f"/kick {name} {reason}") == plain.Moderate("kick", name, reason.strip())


@given(st.sampled_from("+-"), st.sampled_from("mtisk"), st.one_of(st.just(""), plain_names))
def test_mode_changes(sign: str, letter: str, argument: str) -> None:
    line = f"/mode {sign}{letter} {argument}"
    assert default(line) == plain.ChangeMode(sign + letter, argument)
