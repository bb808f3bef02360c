"""What a typed line means: chat, or one of the commands of the seeds and the slash commands.

Pure: a line and the command style in, a frozen `Command` out, for every possible line
(never an exception). Nothing here sends, prints or knows whether the server supports a
command; `parley.client.chat` decides that.

The seeds disagree about what a line means, so the style is chosen with ``--commands``:

- ``slash`` (the default): ``/msg``, ``/join``, ``/leave``, ``/who``, ``/rooms``,
  ``/topic``, ``/history``, ``/more``, ``/register``, ``/password``, ``/unregister``,
  ``/live``, ``/say``, ``/help``, ``/quit``, the moderation commands of
  `parley.client.moderation` (``/op``, ``/kick``, ``/mode``, ...); seed 002's ``?`` and
  ``TEXT > NAME`` (when
  NAME is one valid name); every other line is chat in the current room. The account
  commands take no arguments: passwords are asked for without echo, never typed on the
  command line (`holds_password` tells the line history which lines to forget).
- ``seed002``: ``?`` and ``TEXT > NAME``; every other line is chat.
- ``seed003``: outside a room every line is a command (``who``, ``message``,
  ``join ROOM``, ``leave``, ``exit``, ``NAME:MESSAGE``, ``server:who``, ``server:exit``);
  inside a room every line is room chat except ``leave``.
- ``seed004``: every line is chat; there are no commands (Ctrl-C and Ctrl-D still leave).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from parley.client.moderation import (
    MODERATION_VERBS,
    InviteUser as InviteUser,
    KickMember as KickMember,
    SetMode as SetMode,
)

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
from parley.protocol.names import is_valid_name, name_key
from parley.records import record

CommandStyle = Literal["slash", "seed002", "seed003", "seed004"]
COMMAND_STYLES: tuple[CommandStyle, ...] = get_args(CommandStyle)
DEFAULT_STYLE: CommandStyle = "slash"


@record
class Say:
    """Send `text` as chat in the current room (the lobby unless a room was joined)."""

    text: str


@record
class JoinWithKey:
    """Join `room`, which has a key (``/join ROOM KEY``), and make it current."""

    room: str
    key: str


@record
class ComposeDirect:
    """Seed 003's ``message``: ask for the recipient, then the message."""


@record
class MoreHistory:
    """The page of messages before the oldest one shown by the last history."""


AccountAction = Literal["create", "change", "delete"]


@record
class ManageAccount:
    """Protect my name with a password (``create``), change it, or drop the account."""

    action: AccountAction


@record
class SetLive:
    """Turn live typing on (True), off (False) or the other way round (None)."""

    on: bool | None


@record
class ShowHelp:
    """List the commands of the current style."""


@record
class ShowMentions:
    """List the recent lines that said my name or a highlight word."""


Command = (
    Say
    | SendDirect
    | ComposeDirect
    | JoinRoom
    | JoinWithKey
    | LeaveRoom
    | ListUsers
    | ListRooms
    | ShowHistory
    | SearchHistory
    | MoreHistory
    | SetTopic
    | ManageAccount
    | SetLive
    | ShowHelp
    | ShowMentions
    | SetMode
    | KickMember
    | InviteUser
    | Quit
    | Nothing
    | Invalid
)


def parse_command(
    line: str, style: CommandStyle = DEFAULT_STYLE, *, in_room: bool = False
) -> Command:
    """What `line` means in `style`; `in_room`: a room other than the lobby is current."""
    if not line.strip():
        return Nothing()
    if style == "seed004":
        return Say(line)
    if style == "seed003":
        return _parse_seed003(line.strip(), in_room)
    stripped = line.strip()
    if stripped == "?":
        return ListUsers()
    if style == "slash" and stripped.startswith("/"):
        return _parse_slash(stripped)
    direct = _arrow_direct(stripped)
    return direct if direct is not None else Say(line)


def _arrow_direct(line: str) -> SendDirect | None:
    """Seed 002's ``Hi how are you > Joe``: a direct message if Joe is one valid name."""
    text, arrow, recipient = line.rpartition(">")
    recipient = recipient.strip()
    if arrow and text.strip() and is_valid_name(recipient):
        return SendDirect(recipient, text.strip())
    return None


_SIMPLE_SLASH: dict[str, Command] = {
    "/who": ListUsers(),
    "/rooms": ListRooms(),
    "/more": MoreHistory(),
    "/quit": Quit(),
    "/exit": Quit(),
    "/help": ShowHelp(),
    "/?": ShowHelp(),
    "/mentions": ShowMentions(),
}
_LIVE_WORDS = {"": None, "on": True, "off": False}


def _parse_slash(line: str) -> Command:
    if line.startswith("//"):
        return Say(line[1:])
    verb, _, rest = line.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    parse = _SLASH_VERBS.get(verb)
    if parse is not None:
        return parse(verb, rest)
    return Invalid(
        f"unknown command {verb}; /help lists the commands "
        f"(to send a line that starts with '/', type /{line} or /say {line})"
    )


def _slash_msg(verb: str, rest: str) -> Command:
    recipient, _, text = rest.partition(" ")
    if not recipient or not text.strip():
        return Invalid("usage: /msg NAME TEXT, for example /msg bob see you at 5")
    if not is_valid_name(recipient):
        return Invalid(f"{recipient!r} is not a user name (one word: letters, digits, _ - .)")
    return SendDirect(recipient, text.strip())


def _slash_join(verb: str, rest: str) -> Command:
    words = rest.split()
    if len(words) != 2:
        return _join(rest, _JOIN_USAGE)
    room, key = words
    if not is_room_name(room):
        return Invalid(f"{room!r} is not a room name: {_JOIN_USAGE}")
    if room_key(room) == "lobby":
        return Invalid("the lobby has no key: /join lobby goes back to it")
    if not key.isprintable():
        return Invalid(f"a key is one word of printable characters: {_JOIN_USAGE}")
    return JoinWithKey(room.removeprefix("#"), key)


_JOIN_USAGE = "usage: /join ROOM [KEY], for example /join teamchat"


def _slash_leave(verb: str, rest: str) -> Command:
    return Invalid("usage: /leave [ROOM]") if " " in rest else LeaveRoom(rest or None)


def _slash_say(verb: str, rest: str) -> Command:
    return Say(rest) if rest else Invalid("usage: /say TEXT (sends TEXT as chat, as it is)")


def _slash_live(verb: str, rest: str) -> Command:
    if rest.lower() in _LIVE_WORDS:
        return SetLive(_LIVE_WORDS[rest.lower()])
    return Invalid("usage: /live [on|off]")


def _slash_account(verb: str, rest: str) -> Command:
    if rest:
        return Invalid(
            f"{verb} takes no arguments: the passwords are asked for without echo "
            "(in a script they come from --password-file or PARLEY_PASSWORD)"
        )
    return ManageAccount(ACCOUNT_VERBS[verb])


def _slash_simple(verb: str, rest: str) -> Command:
    return _SIMPLE_SLASH[verb] if not rest else Invalid(f"{verb} takes no arguments")


ACCOUNT_VERBS: dict[str, AccountAction] = {
    "/register": "create",
    "/password": "change",
    "/passwd": "change",
    "/unregister": "delete",
}
MAX_HISTORY = 500
"""Lines of history a server returns at most for one request."""
_HISTORY_USAGE = "usage: /history [#ROOM|@NAME] [N], for example /history #teamchat 50"


def holds_password(line: str) -> bool:
    """Whether `line` is an account command, which a line history must not keep.

    The commands take no arguments, but someone may type ``/register hunter22`` anyway: such
    a line is refused, and it should not come back with Up either.
    """
    verb = line.strip().partition(" ")[0].lower()
    return verb in ACCOUNT_VERBS


def _history(rest: str) -> Command:
    words = rest.split()
    if len(words) > 2:
        return Invalid(_HISTORY_USAGE)
    target: str | None = None
    count: int | None = None
    for index, word in enumerate(words):
        if word.isascii() and word.isdigit():
            if count is not None or int(word) < 1 or int(word) > MAX_HISTORY:
                return Invalid(f"N is a number of lines from 1 to {MAX_HISTORY}: {_HISTORY_USAGE}")
            count = int(word)
        elif index == 0 and word.startswith("@"):
            if not is_valid_name(word[1:]):
                return Invalid(f"{word[1:]!r} is not a user name: {_HISTORY_USAGE}")
            target = word
        elif index == 0:
            if not is_room_name(word):
                return Invalid(f"{word!r} is not a room name: {_HISTORY_USAGE}")
            target = "#" + word.removeprefix("#")
        else:
            return Invalid(_HISTORY_USAGE)
    return ShowHistory(target, count)


_SEARCH_USAGE = "usage: /search WORDS [#ROOM|@NAME], for example /search deploy log #dev"


def _search(rest: str) -> Command:
    words = rest.split()
    target = words.pop() if len(words) > 1 and words[-1][:1] in ("#", "@") else None
    if not words:
        return Invalid(_SEARCH_USAGE)
    if target is not None and target.startswith("@") and not is_valid_name(target[1:]):
        return Invalid(f"{target[1:]!r} is not a user name: {_SEARCH_USAGE}")
    if target is not None and target.startswith("#") and not is_room_name(target[1:]):
        return Invalid(f"{target[1:]!r} is not a room name: {_SEARCH_USAGE}")
    return SearchHistory(" ".join(words), target)


def _join(rest: str, usage: str) -> Command:
    if not rest:
        return Invalid(usage)
    if " " in rest:
        return Invalid("a room name is one word: " + usage)
    if not is_room_name(rest):
        return Invalid(f"{rest!r} is not a room name (one word: letters, digits, _ - .)")
    return JoinRoom(rest.removeprefix("#"))


_SlashParser = Callable[[str, str], Command]
"""Parses what follows a slash command's verb (the verb is given too, for messages)."""

_SLASH_VERBS: dict[str, _SlashParser] = {
    "/msg": _slash_msg,
    "/m": _slash_msg,
    "/tell": _slash_msg,
    "/join": _slash_join,
    "/leave": _slash_leave,
    "/part": _slash_leave,
    "/say": _slash_say,
    "/live": _slash_live,
    "/history": lambda verb, rest: _history(rest),
    "/search": lambda verb, rest: _search(rest),
    "/topic": lambda verb, rest: SetTopic(rest or None),
    **dict.fromkeys(ACCOUNT_VERBS, _slash_account),
    **dict.fromkeys(_SIMPLE_SLASH, _slash_simple),
    **MODERATION_VERBS,
}
"""Every slash command's verb and the parser of its arguments."""


_SEED003_UNKNOWN = "Unknown command. Use who, message, join ROOM, NAME:MESSAGE or exit."


_SEED003_SIMPLE: dict[str, Command] = {
    "who": ListUsers(),
    "exit": Quit(),
    "leave": Invalid("You are not in a chat room."),
    "message": ComposeDirect(),
    "help": ShowHelp(),
}
"""Seed 003's commands without arguments (outside a room)."""


def _parse_seed003(line: str, in_room: bool) -> Command:
    command = line.removeprefix("server:")
    if in_room:
        return LeaveRoom(None) if command == "leave" else Say(line)
    verb, _, rest = command.partition(" ")
    rest = rest.strip()
    if verb in _SEED003_SIMPLE:
        return (
            Invalid(f"{verb} takes no arguments. {_SEED003_UNKNOWN}")
            if rest
            else _SEED003_SIMPLE[verb]
        )
    if verb == "join":
        return _join(rest, "usage: join ROOM")
    return _seed003_direct(line)


def _seed003_direct(line: str) -> Command:
    """Seed 003's ``NAME:MESSAGE``, or a reminder of the commands."""
    recipient, colon, text = line.partition(":")
    recipient = recipient.strip()
    if colon and recipient != "server" and is_valid_name(recipient):
        if text.strip():
            return SendDirect(recipient, text.strip())
        return Invalid(f"Empty message: type {recipient}:MESSAGE")
    return Invalid(_SEED003_UNKNOWN)


def is_room_name(room: str) -> bool:
    """A room name is a name-like word, optionally written with a leading ``#``."""
    return is_valid_name(room.removeprefix("#"))


def room_key(room: str) -> str:
    """The identity of a room name (``#Team`` and ``team`` are one room)."""
    return name_key(room.removeprefix("#"))


_SEED003_WORDS = frozenset({"who", "exit", "leave", "message", "server:who", "server:exit"})


def chat_hint(line: str, style: CommandStyle) -> str | None:
    """A hint when a line sent as chat in the slash style was probably meant as a command."""
    if style != "slash":
        return None
    words = line.strip().lower().split()
    seed003 = (len(words) == 1 and words[0] in _SEED003_WORDS) or (
        len(words) == 2 and words[0] in ("join", "server:join")
    )
    if seed003 or words in (["quit"], ["help"]):
        return (
            f"(sent {line.strip()!r} as chat: commands start with '/' here, see /help; "
            "start parley with --commands seed003 for seed 003's commands)"
        )
    return None


HELP_SLASH = """\
Commands (any other line is chat in your current room):
  /msg NAME TEXT     private message, e.g. /msg bob see you at 5
  TEXT > NAME        the same, seed 002's way, e.g. see you at 5 > bob
  /join ROOM         join or create ROOM and talk there, e.g. /join teamchat;
                     if you are in ROOM already, switch to it
  /join ROOM KEY     join ROOM, which has a key
  /join lobby        talk in the lobby again (everyone stays in the lobby)
  /leave [ROOM]      leave ROOM (default: the current room)
  /who   or   ?      who is online
  /rooms             every room and who is in it
  /topic [TEXT]      show, or set, the topic of the current room
  /history [#ROOM|@NAME] [N]
                     the last N messages of a room (default: the current one)
                     or of your private talk with NAME, e.g. /history @bob 20
  /more              the messages before those that history showed last
  /search WORDS [#ROOM|@NAME]
                     messages with those words, in your rooms and private talk
                     (or only ROOM, or with NAME), e.g. /search deploy log
  /mentions          the recent lines that said your name (or a highlight word)
  /register          protect your name with a password (asked twice, not shown)
  /password          change that password
  /unregister        remove the password: the name is free for anyone again
  /live [on|off]     live typing: people in live mode see your line as you
                     type it, and you see theirs
  /say TEXT, //TEXT  send TEXT as chat even if it looks like a command
  /help              this list
  /quit              leave (also Ctrl-C, or Ctrl-D on an empty line)
Moderating the current room (for its operators; whoever creates a room is one):
  /op NAME, /deop NAME        make NAME an operator of the room, or no longer
  /voice NAME, /devoice NAME  let NAME speak in a moderated room, or no longer
  /mute NAME, /unmute NAME    stop NAME speaking in the room, or let them again
  /ban NAME, /unban NAME      keep NAME out of the room, or let them in again
  /kick NAME [REASON]         put NAME out of the room, e.g. /kick bob spam
  /invite NAME                let NAME in past invite-only and the key
  /mode +m|-m                 moderated: only operators and voiced people speak
  /mode +t|-t                 only operators may set the topic (or anyone)
  /mode +i|-i                 invite-only (or open to all)
  /mode +s|-s                 secret: not listed in others' /rooms (or listed)
  /mode +k KEY|-k             joining takes /join ROOM KEY (or no key)"""

HELP_SEED002 = """\
Commands (seed 002; any other line is chat):
  ?                  who is online
  TEXT > NAME        private message, e.g. Hi how are you > Joe
  Ctrl-C             leave"""

HELP_SEED003 = """\
Commands outside a room (seed 003):
  who, server:who    who is online
  message            asks for the recipient, then the message
  NAME:MESSAGE       private message (kept if NAME is away), e.g. Bob:Hi Bob!
  join ROOM          join or create ROOM, e.g. join teamchat
  exit, server:exit  leave the server (also Ctrl-C)
In a room every line is room chat; leave leaves the room."""

HELP_SEED004 = """\
Seed 004 style: every line you type is chat; there are no commands.
Ctrl-C (or Ctrl-D on an empty line) leaves."""

HELP: dict[CommandStyle, str] = {
    "slash": HELP_SLASH,
    "seed002": HELP_SEED002,
    "seed003": HELP_SEED003,
    "seed004": HELP_SEED004,
}
