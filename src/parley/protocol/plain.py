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

from collections.abc import Callable
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
    SearchHistory as SearchHistory,
    SendDirect as SendDirect,
    SetTopic as SetTopic,
    ShowHistory as ShowHistory,
)
from parley.protocol.names import is_valid_name
from parley.records import record

Mode = Literal["default", "seed003"]
MODERATION_VERBS = frozenset(
    {"op", "deop", "voice", "devoice", "ban", "unban", "mute", "unmute", "kick", "invite"}
)


@record
class SayTo:
    """Chat `text` in the current room."""

    text: str


@record
class Help:
    """Show the commands."""


@record
class Moderate:
    """``/op``, ``/deop``, ``/voice``, ``/devoice``, ``/ban``, ``/unban``, ``/mute``,
    ``/unmute``, ``/kick NAME [REASON]`` and ``/invite NAME``, in the current room."""

    action: str  # the verb without its slash
    name: str
    reason: str = ""


@record
class ChangeMode:
    """``/mode +m``, ``/mode -i``, ``/mode +k KEY``: a flag of the current room."""

    change: str
    argument: str = ""


@record
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
    | SearchHistory
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
  /search WORDS [#ROOM|@NAME] messages with those words (default: everywhere)
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


# Default mode's slash commands, as a verb table (as ergo's irc/commands.go). A handler gets
# the verb as typed, lower-cased, and the rest of the line, stripped.
_SlashHandler = Callable[[str, str], PlainCommand]


def _parse_slash(line: str) -> PlainCommand:
    verb, _, rest = line.partition(" ")
    verb = verb.lower()
    return _SLASH_COMMANDS.get(verb, _unknown)(verb, rest.strip())


def _unknown(verb: str, _rest: str) -> PlainCommand:
    return Invalid(f"unknown command {verb}; type /help")


def _without_arguments(command: Callable[[], PlainCommand]) -> _SlashHandler:
    """A command that takes nothing: with anything after it, it is an unknown command."""

    def handle(verb: str, rest: str) -> PlainCommand:
        return _unknown(verb, rest) if rest else command()

    return handle


def _send_direct(_verb: str, rest: str) -> PlainCommand:
    recipient, _, text = rest.partition(" ")
    if not recipient or not text.strip():
        return Invalid("usage: /msg NAME TEXT")
    return SendDirect(recipient, text.strip())


def _join(_verb: str, rest: str) -> PlainCommand:
    return JoinRoom(rest) if rest else Invalid("usage: /join ROOM [KEY]")


def _say(verb: str, rest: str) -> PlainCommand:
    return SayTo(rest) if rest else _unknown(verb, rest)


def _moderate(verb: str, rest: str) -> PlainCommand:
    name, _, reason = rest.partition(" ")
    if not name or (reason and verb != "/kick"):
        return Invalid(f"usage: {verb} NAME" + (" [REASON]" if verb == "/kick" else ""))
    return Moderate(verb[1:], name, reason.strip())


def _change_mode(_verb: str, rest: str) -> PlainCommand:
    parts = rest.split()
    if not 1 <= len(parts) <= 2 or len(parts[0]) != 2 or parts[0][0] not in "+-":
        return Invalid("usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k")
    return ChangeMode(parts[0], parts[1] if len(parts) == 2 else "")


def _manage_account(
    action: Literal["create", "change", "delete"], arity: int, usage: str
) -> _SlashHandler:
    """``/register``, ``/password``, ``/unregister``: exactly `arity` passwords."""

    def handle(_verb: str, rest: str) -> PlainCommand:
        words = tuple(rest.split())
        return ManageAccount(action, words) if len(words) == arity else Invalid(f"usage: {usage}")

    return handle


_SLASH_COMMANDS: dict[str, _SlashHandler] = {
    "/msg": _send_direct,
    "/m": _send_direct,
    "/tell": _send_direct,
    "/join": _join,
    "/leave": lambda _verb, rest: LeaveRoom(rest or None),
    "/part": lambda _verb, rest: LeaveRoom(rest or None),
    "/who": _without_arguments(ListUsers),
    "/rooms": _without_arguments(ListRooms),
    "/quit": _without_arguments(Quit),
    "/exit": _without_arguments(Quit),
    "/help": _without_arguments(Help),
    "/say": _say,
    "/history": lambda _verb, rest: _parse_history(rest),
    "/search": lambda _verb, rest: _parse_search(rest),
    "/topic": lambda _verb, rest: SetTopic(rest or None),
    "/register": _manage_account("create", 1, "/register PASSWORD"),
    "/password": _manage_account("change", 2, "/password OLD NEW"),
    "/unregister": _manage_account("delete", 1, "/unregister PASSWORD"),
    "/mode": _change_mode,
    **{f"/{verb}": _moderate for verb in sorted(MODERATION_VERBS)},
}


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


def _parse_search(rest: str) -> PlainCommand:
    words = rest.split()
    target = words.pop() if len(words) > 1 and words[-1][:1] in ("#", "@") else None
    if not words or (target is not None and len(target) < 2):
        return Invalid("usage: /search WORDS [#ROOM|@NAME]")
    return SearchHistory(" ".join(words), target)


def _parse_seed003(line: str, in_room: bool) -> PlainCommand:
    command = line.removeprefix("server:")
    if in_room:
        return _parse_seed003_in_room(line, command)
    if not line:
        return Nothing()
    verb, _, rest = command.partition(" ")
    handler = _SEED003_COMMANDS.get(verb)
    parsed = handler(rest) if handler is not None else None
    return parsed if parsed is not None else _parse_seed003_direct(line)


def _parse_seed003_in_room(line: str, command: str) -> PlainCommand:
    """In a room every line is room chat, except ``leave``."""
    if command == "leave":
        return LeaveRoom(None)
    return SayTo(line) if line else Nothing()


def _parse_seed003_direct(line: str) -> PlainCommand:
    """``NAME:MESSAGE``, seed 003's private message (``server:`` is not taken off here)."""
    recipient, colon, text = line.partition(":")
    if colon and is_valid_name(recipient.strip()) and text.strip():
        return SendDirect(recipient.strip(), text.strip())
    return Invalid("Unknown command. Use who, join ROOM, NAME:MESSAGE or exit.")


# Seed 003's words outside a room. A handler gets what follows the word, and returns None when
# the line is not that command after all: it is then read as NAME:MESSAGE.
_Seed003Handler = Callable[[str], PlainCommand | None]


def _alone(command: Callable[[], PlainCommand]) -> _Seed003Handler:
    """A word that is a command only when nothing follows it."""
    return lambda rest: None if rest else command()


def _seed003_join(rest: str) -> PlainCommand:
    room = rest.strip()
    return JoinRoom(room) if room else Invalid("usage: join ROOM")


_SEED003_COMMANDS: dict[str, _Seed003Handler] = {
    "who": _alone(ListUsers),
    "exit": _alone(Quit),
    "join": _seed003_join,
    "leave": _alone(lambda: Invalid("You are not in a chat room.")),
    "help": lambda _rest: Help(),
}
