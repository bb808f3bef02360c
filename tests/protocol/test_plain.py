"""The plain door's parser and formatter: every command form of seeds 002 and 003."""

from __future__ import annotations

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
    SendDirect,
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
