"""The plain line door for people with telnet or netcat, and for seed 002/003 clients.

Pure: turns a typed line into a command and a delivery into the text a person reads. Two
modes, chosen by how the connection registered:

- ``default`` (answered the name prompt): slash commands (``/msg``, ``/join``, ``/leave``,
  ``/who``, ``/rooms``, ``/quit``, ``/help``), seed 002's ``?`` and ``text > Joe``; any other
  line is chat in the current room.
- ``seed003`` (registered with ``server:register <name>``): seed 003's semantics exactly:
  outside a room every line is a command (``server:who``/``who``, ``server:exit``/``exit``,
  ``server:join <room>``/``join <room>``, ``<recipient>:<message>``); inside a room every line
  is room chat except ``leave``/``server:leave``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from parley.protocol.chat1 import neutralise_controls

# Re-exported: these modules' users name the shared commands through them.
from parley.protocol.commands import (
    Invalid as Invalid,
    JoinRoom as JoinRoom,
    LeaveRoom as LeaveRoom,
    ListRooms as ListRooms,
    ListUsers as ListUsers,
    Nothing as Nothing,
    Quit as Quit,
    SendDirect as SendDirect,
    SetTopic as SetTopic,
    ShowHistory as ShowHistory,
)
from parley.protocol.names import is_valid_name

Mode = Literal["default", "seed003"]
MODERATION_VERBS = frozenset(
    {"op", "deop", "voice", "devoice", "ban", "unban", "mute", "unmute", "kick", "invite"}
)


@dataclass(frozen=True, slots=True)
class SayTo:
    """Chat `text` in the current room."""

    text: str


@dataclass(frozen=True, slots=True)
class Help:
    """Show the commands."""


@dataclass(frozen=True, slots=True)
class Moderate:
    """``/op``, ``/deop``, ``/voice``, ``/devoice``, ``/ban``, ``/unban``, ``/mute``,
    ``/unmute``, ``/kick NAME [REASON]`` and ``/invite NAME``, in the current room."""

    action: str  # the verb without its slash
    name: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ChangeMode:
    """``/mode +m``, ``/mode -i``, ``/mode +k KEY``: a flag of the current room."""

    change: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class ManageAccount:
    """``/register PASSWORD``, ``/password OLD NEW``, ``/unregister PASSWORD``."""

    action: Literal["create", "change", "delete"]
    passwords: tuple[str, ...]


PlainCommand = (
    SayTo
    | SendDirect
    | JoinRoom
    | LeaveRoom
    | ListUsers
    | ListRooms
    | Quit
    | Help
    | ShowHistory
    | SetTopic
    | ManageAccount
    | Moderate
    | ChangeMode
    | Nothing
    | Invalid
)

HELP_DEFAULT = """\
Commands (anything else is chat in your current room):
  /msg NAME TEXT    private message (also: TEXT > NAME)
  /join ROOM        join or create ROOM and talk there
  /leave [ROOM]     leave ROOM (default: the current one)
  /who  (or ?)      who is online
  /rooms            rooms and their members
  /topic [TEXT]     show or set the current room's topic
  /history [ROOM|@NAME] [N]   earlier messages (default: the current room)
  /register PASSWORD          protect your name with a password (an account)
  /password OLD NEW           change that password
  /unregister PASSWORD        drop the account
  /op NAME, /deop NAME, /voice NAME, /kick NAME [REASON], /ban NAME, /unban NAME,
  /mute NAME, /unmute NAME, /invite NAME      moderate the current room (operators)
  /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k     room flags: moderated, topic lock,
                    invite-only, secret, key
  /quit             leave the server
  /help             this list"""

HELP_SEED003 = """\
Commands outside a room:
  who | server:who              who is online
  join ROOM | server:join ROOM  join or create ROOM
  NAME:MESSAGE                  private message (kept if NAME is offline)
  exit | server:exit            leave the server
In a room every line is room chat; leave | server:leave leaves it."""


def parse_name_answer(line: str) -> str | None:
    """The name a person typed at the name prompt, if it is a valid one."""
    name = clean_typed_line(line).strip()
    return name if is_valid_name(name) else None


def clean_typed_line(line: str) -> str:
    """What a person meant to type: backspaces applied, control characters neutralised.

    Raw-mode clients (seed 000) and telnet in character mode send every key, DEL and BS
    included; nothing that could act on another user's terminal may pass through.
    """
    if line.isprintable():
        return line
    kept: list[str] = []
    for char in line:
        if char in "\x7f\b":
            if kept:
                kept.pop()
        else:
            kept.append(char)
    return neutralise_controls("".join(kept))


def parse_line(line: str, mode: Mode, in_room: bool) -> PlainCommand:
    """Read one typed line in `mode`; `in_room`: a room other than the lobby is current."""
    line = clean_typed_line(line)
    if mode == "seed003":
        return _parse_seed003(line.strip(), in_room)
    return _parse_default(line)


def _parse_default(line: str) -> PlainCommand:
    stripped = line.strip()
    if not stripped:
        return Nothing()
    if stripped == "?":
        return ListUsers()
    if stripped.startswith("/"):
        return _parse_slash(stripped)
    text, arrow, recipient = stripped.rpartition(">")
    recipient = recipient.strip()
    if arrow and text.strip() and is_valid_name(recipient):
        return SendDirect(recipient, text.strip())
    return SayTo(line.rstrip())


def _parse_slash(line: str) -> PlainCommand:
    verb, _, rest = line.partition(" ")
    rest = rest.strip()
    verb = verb.lower()
    if verb in ("/msg", "/m", "/tell"):
        recipient, _, text = rest.partition(" ")
        if not recipient or not text.strip():
            return Invalid("usage: /msg NAME TEXT")
        return SendDirect(recipient, text.strip())
    if verb == "/join":
        return JoinRoom(rest) if rest else Invalid("usage: /join ROOM [KEY]")
    if verb[1:] in MODERATION_VERBS:
        name, _, reason = rest.partition(" ")
        if not name or (reason and verb != "/kick"):
            return Invalid(f"usage: {verb} NAME" + (" [REASON]" if verb == "/kick" else ""))
        return Moderate(verb[1:], name, reason.strip())
    if verb == "/mode":
        parts = rest.split()
        if not 1 <= len(parts) <= 2 or len(parts[0]) != 2 or parts[0][0] not in "+-":
            return Invalid("usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k")
        return ChangeMode(parts[0], parts[1] if len(parts) == 2 else "")
    if verb in ("/leave", "/part"):
        return LeaveRoom(rest or None)
    simple: dict[str, PlainCommand] = {
        "/who": ListUsers(),
        "/rooms": ListRooms(),
        "/quit": Quit(),
        "/exit": Quit(),
        "/help": Help(),
    }
    if verb in simple and not rest:
        return simple[verb]
    if verb == "/say" and rest:
        return SayTo(rest)
    if verb == "/history":
        return _parse_history(rest)
    if verb == "/topic":
        return SetTopic(rest or None)
    accounts: dict[str, tuple[Literal["create", "change", "delete"], int, str]] = {
        "/register": ("create", 1, "/register PASSWORD"),
        "/password": ("change", 2, "/password OLD NEW"),
        "/unregister": ("delete", 1, "/unregister PASSWORD"),
    }
    if verb in accounts:
        action, arity, usage = accounts[verb]
        words = tuple(rest.split())
        return ManageAccount(action, words) if len(words) == arity else Invalid(f"usage: {usage}")
    return Invalid(f"unknown command {verb}; type /help")


def _parse_history(rest: str) -> PlainCommand:
    words = rest.split()
    target: str | None = None
    count: int | None = None
    for word in words:
        if word.isascii() and word.isdigit() and count is None and len(word) < 6:
            count = int(word)
        elif target is None and not word.isdigit():
            target = word
        else:
            return Invalid("usage: /history [ROOM|@NAME] [N]")
    return ShowHistory(target, count)


def _parse_seed003(line: str, in_room: bool) -> PlainCommand:
    command = line.removeprefix("server:")
    if in_room:
        if command == "leave":
            return LeaveRoom(None)
        return SayTo(line) if line else Nothing()
    if not line:
        return Nothing()
    verb, _, rest = command.partition(" ")
    if verb == "who" and not rest:
        return ListUsers()
    if verb == "exit" and not rest:
        return Quit()
    if verb == "join":
        return JoinRoom(rest.strip()) if rest.strip() else Invalid("usage: join ROOM")
    if verb == "leave" and not rest:
        return Invalid("You are not in a chat room.")
    if verb == "help":
        return Help()
    recipient, colon, text = line.partition(":")
    if colon and is_valid_name(recipient.strip()) and text.strip():
        return SendDirect(recipient.strip(), text.strip())
    return Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")
