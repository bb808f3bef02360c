"""Pure tests of parley.client.commands: what every kind of typed line means in each style."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.client.commands import (
    COMMAND_STYLES,
    HELP,
    Command,
    CommandStyle,
    ComposeDirect,
    Invalid,
    InviteUser,
    JoinRoom,
    JoinWithKey,
    KickMember,
    LeaveRoom,
    ListRooms,
    ListUsers,
    ManageAccount,
    MoreHistory,
    Nothing,
    Quit,
    Say,
    SendDirect,
    SetLive,
    SetMode,
    SetTopic,
    ShowHelp,
    ShowHistory,
    chat_hint,
    holds_password,
    parse_command,
)


def slash(line: str, *, in_room: bool = False) -> Command:
    return parse_command(line, "slash", in_room=in_room)


# The default (slash) style -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("hello", Say("hello")),
        ("  indented stays", Say("  indented stays")),
        ("\ttab too", Say("\ttab too")),
        ("who", Say("who")),  # seed 003's words are chat unless --commands seed003
        ("exit", Say("exit")),
        ("server:who", Say("server:who")),
        ("Joe:message", Say("Joe:message")),
        ("join teamchat", Say("join teamchat")),
        ("?", ListUsers()),
        ("  ?  ", ListUsers()),
        ("??", Say("??")),
        ("is it? yes", Say("is it? yes")),
        ("/who", ListUsers()),
        ("/WHO", ListUsers()),
        ("/rooms", ListRooms()),
        ("/quit", Quit()),
        ("/exit", Quit()),
        ("  /quit  ", Quit()),
        ("/help", ShowHelp()),
        ("/?", ShowHelp()),
        ("/msg bob see you at 5", SendDirect("bob", "see you at 5")),
        ("/m bob hi", SendDirect("bob", "hi")),
        ("/tell bob hi", SendDirect("bob", "hi")),
        ("/msg bob   spaced  ", SendDirect("bob", "spaced")),
        ("/join teamchat", JoinRoom("teamchat")),
        ("/join #teamchat", JoinRoom("teamchat")),
        ("/join lobby", JoinRoom("lobby")),
        ("/leave", LeaveRoom(None)),
        ("/leave teamchat", LeaveRoom("teamchat")),
        ("/part teamchat", LeaveRoom("teamchat")),
        ("/live", SetLive(None)),
        ("/live on", SetLive(True)),
        ("/live OFF", SetLive(False)),
        ("/say /not a command", Say("/not a command")),
        ("/history", ShowHistory(None, None)),
        ("/history 50", ShowHistory(None, 50)),
        ("/history #teamchat", ShowHistory("#teamchat", None)),
        ("/history teamchat 5", ShowHistory("#teamchat", 5)),
        ("/history lobby", ShowHistory("#lobby", None)),
        ("/history @bob 500", ShowHistory("@bob", 500)),
        ("/HISTORY   @bob   2", ShowHistory("@bob", 2)),
        ("/more", MoreHistory()),
        ("/topic", SetTopic(None)),
        ("/topic Release  planning, 5 pm ", SetTopic("Release  planning, 5 pm")),
        ("/register", ManageAccount("create")),
        ("/password", ManageAccount("change")),
        ("/passwd", ManageAccount("change")),
        ("/unregister", ManageAccount("delete")),
        ("//etc/passwd is a path", Say("/etc/passwd is a path")),
        ("Hi how are you > Joe", SendDirect("Joe", "Hi how are you")),
        ("hi>Joe", SendDirect("Joe", "hi")),
        ("a > b > carol", SendDirect("carol", "a > b")),
        ("> Joe", Say("> Joe")),
        ("hi > two words", Say("hi > two words")),
        ("hi >", Say("hi >")),
        ("x > -dash", Say("x > -dash")),
        ("", Nothing()),
        ("   ", Nothing()),
    ],
)
def test_slash_style(line: str, command: Command) -> None:
    assert slash(line) == command
    assert slash(line, in_room=True) == command  # a room changes nothing in this style


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("/msg", "usage: /msg NAME TEXT"),
        ("/msg bob", "usage: /msg NAME TEXT"),
        ("/msg bob   ", "usage: /msg NAME TEXT"),
        ("/msg b:ob hi", "not a user name"),
        ("/join", "usage: /join ROOM"),
        ("/join three words here", "one word"),
        ("/join bad!name", "not a room name"),
        ("/leave a b", "usage: /leave"),
        ("/live maybe", "usage: /live"),
        ("/say", "usage: /say TEXT"),
        ("/who now", "takes no arguments"),
        ("/more please", "takes no arguments"),
        ("/history 0", "from 1 to 500"),
        ("/history 501", "from 1 to 500"),
        ("/history 5 6", "from 1 to 500"),
        ("/history 5 #dev", "usage: /history"),
        ("/history #dev 5 6", "usage: /history"),
        ("/history bad!room", "not a room name"),
        ("/history @b:ob", "not a user name"),
        ("/register hunter22", "takes no arguments: the passwords are asked for without echo"),
        ("/password old new", "takes no arguments"),
        ("/unregister x", "takes no arguments"),
        ("/quit please", "takes no arguments"),
        ("/frobnicate", "unknown command /frobnicate"),
        ("/", "unknown command /"),
    ],
)
def test_slash_errors_say_what_to_type(line: str, fragment: str) -> None:
    command = slash(line)
    assert isinstance(command, Invalid)
    assert fragment in command.message


def test_unknown_slash_command_says_how_to_send_it_as_chat() -> None:
    command = slash("/shrug")
    assert isinstance(command, Invalid)
    assert "//shrug" in command.message
    assert "/say /shrug" in command.message


# Seed 002 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("?", ListUsers()),
        ("Hi how are you > Joe", SendDirect("Joe", "Hi how are you")),
        ("hello", Say("hello")),
        ("/who", Say("/who")),
        ("/quit", Say("/quit")),
        ("who", Say("who")),
        ("", Nothing()),
    ],
)
def test_seed002_style(line: str, command: Command) -> None:
    assert parse_command(line, "seed002") == command


# Seed 003 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("who", ListUsers()),
        ("server:who", ListUsers()),
        ("  who  ", ListUsers()),
        ("exit", Quit()),
        ("server:exit", Quit()),
        ("message", ComposeDirect()),
        ("join teamchat", JoinRoom("teamchat")),
        ("server:join teamchat", JoinRoom("teamchat")),
        ("Joe:message", SendDirect("Joe", "message")),
        ("Bob:Hello Bob!", SendDirect("Bob", "Hello Bob!")),
        ("Bob: spaced ", SendDirect("Bob", "spaced")),
        ("help", ShowHelp()),
        ("", Nothing()),
    ],
)
def test_seed003_outside_a_room_every_line_is_a_command(line: str, command: Command) -> None:
    assert parse_command(line, "seed003", in_room=False) == command


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("leave", "not in a chat room"),
        ("server:leave", "not in a chat room"),
        ("hello there", "Unknown command"),
        ("/who", "Unknown command"),
        ("who is here", "takes no arguments"),
        ("join", "usage: join ROOM"),
        ("join a b", "one word"),
        ("Bob:", "Empty message"),
        ("server:foo", "Unknown command"),
        ("two words:hi", "Unknown command"),
    ],
)
def test_seed003_errors_outside_a_room(line: str, fragment: str) -> None:
    command = parse_command(line, "seed003", in_room=False)
    assert isinstance(command, Invalid)
    assert fragment.lower() in command.message.lower()


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("leave", LeaveRoom(None)),
        ("server:leave", LeaveRoom(None)),
        ("  leave ", LeaveRoom(None)),
        ("Hello team!", Say("Hello team!")),
        ("who", Say("who")),
        ("exit", Say("exit")),
        ("message", Say("message")),
        ("join other", Say("join other")),
        ("Bob:hi", Say("Bob:hi")),
        ("/quit", Say("/quit")),
        ("", Nothing()),
    ],
)
def test_seed003_in_a_room_every_line_is_chat_but_leave(line: str, command: Command) -> None:
    assert parse_command(line, "seed003", in_room=True) == command


# Seed 004 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["hello", "/quit", "/msg bob x", "?", "a > bob", "who", "  x"])
def test_seed004_every_line_is_chat(line: str) -> None:
    assert parse_command(line, "seed004") == Say(line)
    assert parse_command(line, "seed004", in_room=True) == Say(line)


# Hints and help ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hinted"),
    [
        ("who", True),
        ("exit", True),
        ("server:exit", True),
        ("join teamchat", True),
        ("quit", True),
        ("who is there", False),
        ("hello", False),
    ],
)
def test_seed003_words_in_slash_style_get_a_hint(line: str, hinted: bool) -> None:
    hint = chat_hint(line, "slash")
    assert (hint is not None) is hinted
    if hint is not None:
        assert "--commands seed003" in hint
    assert chat_hint(line, "seed002") is None


@pytest.mark.parametrize("style", COMMAND_STYLES)
def test_every_style_has_help_that_fits_a_small_terminal(style: CommandStyle) -> None:
    assert HELP[style].strip()
    assert max(len(line) for line in HELP[style].splitlines()) < 80


def test_slash_help_lists_every_command_with_an_example() -> None:
    text = HELP["slash"]
    for word in ("/msg", "/join", "/leave", "/who", "?", "/rooms", "/live", "/say", "/help"):
        assert word in text
    for word in ("/topic", "/history", "/more", "/register", "/password", "/unregister"):
        assert word in text
    assert "/quit" in text
    assert "e.g. /msg bob" in text
    assert "> bob" in text


# Any line at all -----------------------------------------------------------------------------

COMMAND_TYPES = (
    Say,
    SendDirect,
    ComposeDirect,
    JoinRoom,
    LeaveRoom,
    ListUsers,
    ListRooms,
    ShowHistory,
    MoreHistory,
    SetTopic,
    ManageAccount,
    SetLive,
    ShowHelp,
    Quit,
    Nothing,
    Invalid,
    JoinWithKey,
    SetMode,
    KickMember,
    InviteUser,
)


@given(
    line=st.text(),
    style=st.sampled_from(COMMAND_STYLES),
    in_room=st.booleans(),
)
def test_any_line_is_a_command_never_an_exception(
    line: str, style: CommandStyle, in_room: bool
) -> None:
    command = parse_command(line, style, in_room=in_room)
    assert isinstance(command, COMMAND_TYPES)
    if isinstance(command, Say):
        assert command.text.strip()
    if isinstance(command, SendDirect):
        assert command.recipient and " " not in command.recipient
        assert command.text == command.text.strip() != ""
    if isinstance(command, JoinRoom | JoinWithKey):
        assert command.room and not command.room.startswith("#")
    if isinstance(command, JoinWithKey):
        assert command.key and command.key.isprintable() and " " not in command.key
    if isinstance(command, SetMode):
        assert len(command.change) == 2 and command.change[0] in "+-"
        assert (command.argument != "") is (command.change[1] in "ovbqk" and command.change != "-k")
    if isinstance(command, KickMember | InviteUser):
        assert command.name and " " not in command.name
    if isinstance(command, ShowHistory):
        assert command.target is None or command.target[:1] in "#@"
        assert command.count is None or 1 <= command.count <= 500
    if isinstance(command, ManageAccount):
        assert holds_password(line)
    chat_hint(line, style)
    holds_password(line)


@pytest.mark.parametrize(
    ("line", "holds"),
    [
        ("/register", True),
        ("/register hunter22", True),
        ("  /PASSWORD old new", True),
        ("/unregister x", True),
        ("/passwd", True),
        ("/registered users only", False),
        ("register me", False),
        ("/msg bob /register", False),
        ("", False),
    ],
)
def test_lines_with_account_commands_are_kept_out_of_the_line_history(
    line: str, holds: bool
) -> None:
    assert holds_password(line) is holds


@given(line=st.text(alphabet=st.characters(blacklist_characters="/?>"), min_size=1))
def test_plain_text_is_chat_in_the_slash_style(line: str) -> None:
    command = slash(line)
    assert command == (Say(line) if line.strip() else Nothing())


@given(st.text())
def test_seed004_never_makes_a_command(line: str) -> None:
    assert parse_command(line, "seed004") in (Say(line), Nothing())
