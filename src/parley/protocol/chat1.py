"""The CHAT/1.0 wire protocol (seed 004), sans-I/O.

Client to server::

    REGISTER <name> CHAT/1.0        ask to register a name
    @<name>: <text>                 a chat message, <name> being the sender's own
    DISCONNECT <name> CHAT/1.0      the client is leaving (no reply)

Server to client::

    200 Registration successful     400 Invalid registration     401 Client already registered
    @<name>: <text>                 a message relayed from <name>
    DISCONNECT CHAT/1.0             the server is going away; the client should exit
    <code> <text>                   other numbered replies (see docs/protocol.md)

Every line ends in ``\\n``; ``\\r\\n`` is accepted on input. This module only turns lines
into frozen events and events into bytes; it never touches a socket and never raises on
any input: a line it cannot read becomes `Malformed`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from enum import IntEnum

from parley.protocol.framing import LineTooLong
from parley.protocol.names import is_valid_name

VERSION = "CHAT/1.0"

# C0 and C1 control characters other than TAB, line and paragraph separators, and the
# bidirectional overrides: they could move another user's cursor, clear their screen, forge a
# line or reverse how a line reads, so they never reach anyone.
_CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def neutralise_controls(text: str) -> str:
    """Replace control characters (except TAB) with U+FFFD so they cannot act on a terminal."""
    if text.isprintable():
        return text
    return _CONTROL_CHARACTERS.sub("\ufffd", text)


class Reply(IntEnum):
    """Numbered replies from the server. The text of each is fixed by `REPLY_TEXT`."""

    REGISTERED = 200
    EXTENSIONS = 210
    JOINED = 220
    LEFT = 221
    QUEUED = 230
    STORED = 240
    WHO = 250
    ROOM = 251
    END_OF_ROOMS = 252
    HISTORY = 260
    END_OF_HISTORY = 261
    TOPIC = 280
    MODE_SET = 282
    KICK_DONE = 283
    INVITE_DONE = 284
    PONG = 290
    ACCOUNT_CREATED = 270
    PASSWORD_CHANGED = 271
    ACCOUNT_DELETED = 272
    INVALID_REGISTRATION = 400
    ALREADY_REGISTERED = 401
    SENDER_MISMATCH = 403
    UNKNOWN_COMMAND = 404
    PASSWORD_REQUIRED = 406
    BAD_LOGIN = 407
    BAD_PASSWORD = 408
    NO_SUCH_USER = 410
    NO_SUCH_ROOM = 411
    INVALID_ROOM = 412
    LINE_TOO_LONG = 413
    QUEUE_FULL = 414
    INVALID_UTF8 = 415
    TOO_MANY_ROOMS = 416
    ALREADY_IN_ROOM = 417
    LOBBY_IS_HOME = 418
    NOT_OPERATOR = 419
    BANNED = 420
    MUTED = 421
    INVITE_ONLY = 422
    BAD_KEY = 423
    NOT_IN_THAT_ROOM = 424
    UNKNOWN_MODE = 425
    TOO_FAST = 429


# "{}" is filled with the reply's argument; other texts get it appended in parentheses.
REPLY_TEXT: dict[Reply, str] = {
    Reply.REGISTERED: "Registration successful",
    Reply.EXTENSIONS: "Extensions enabled:{}",
    Reply.JOINED: "Joined {}",
    Reply.LEFT: "Left {}",
    Reply.QUEUED: "Queued for {} (offline)",
    Reply.STORED: "Stored {}",
    Reply.HISTORY: "{}",
    Reply.END_OF_HISTORY: "End of history",
    Reply.TOPIC: "{}",
    Reply.PONG: "Pong {}",
    Reply.ACCOUNT_CREATED: "Account created",
    Reply.PASSWORD_CHANGED: "Password changed",
    Reply.ACCOUNT_DELETED: "Account deleted",
    Reply.PASSWORD_REQUIRED: "Password required",
    Reply.BAD_LOGIN: "Invalid name or password",
    Reply.BAD_PASSWORD: "Unacceptable password",
    Reply.WHO: "{}",
    Reply.ROOM: "{}",
    Reply.END_OF_ROOMS: "End of rooms",
    Reply.INVALID_REGISTRATION: "Invalid registration",
    Reply.ALREADY_REGISTERED: "Client already registered",
    Reply.SENDER_MISMATCH: "Sender does not match registration",
    Reply.UNKNOWN_COMMAND: "Unknown command",
    Reply.NO_SUCH_USER: "No such user {}",
    Reply.NO_SUCH_ROOM: "Not in room {}",
    Reply.INVALID_ROOM: "Invalid room name {}",
    Reply.LINE_TOO_LONG: "Line too long",
    Reply.QUEUE_FULL: "Offline queue full for {}",
    Reply.INVALID_UTF8: "Invalid UTF-8",
    Reply.TOO_MANY_ROOMS: "Too many rooms",
    Reply.ALREADY_IN_ROOM: "Already in {}",
    Reply.LOBBY_IS_HOME: "Everyone stays in the lobby",
    Reply.TOO_FAST: "{}",
    Reply.MODE_SET: "Mode {}",
    Reply.KICK_DONE: "Kicked {}",
    Reply.INVITE_DONE: "Invited {}",
    Reply.NOT_OPERATOR: "Not an operator of {}",
    Reply.BANNED: "Banned from {}",
    Reply.MUTED: "You may not speak in {}",
    Reply.INVITE_ONLY: "{} is invite-only",
    Reply.BAD_KEY: "Wrong key for {}",
    Reply.NOT_IN_THAT_ROOM: "{} is not in that room",
    Reply.UNKNOWN_MODE: "Unknown mode {}",
}

EXTENSIONS = ("rooms", "dm", "who", "presence", "live", "history", "auth", "ack")
_PRESENCE_VERBS = frozenset({"JOINED", "LEFT", "QUIT"})


# Events a client sends -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Register:
    """``REGISTER <name> CHAT/1.0``."""

    name: str


@dataclass(frozen=True, slots=True)
class Disconnect:
    """``DISCONNECT <name> CHAT/1.0`` (name may be None for a bare ``DISCONNECT CHAT/1.0``)."""

    name: str | None


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """``@<name>: <text>`` (the lobby) or ``@<name> #<room>: <text>`` (extension ``rooms``)."""

    name: str
    text: str
    room: str | None = None


@dataclass(frozen=True, slots=True)
class TypingUpdate:
    """``@<name> ~: <partial>`` or ``@<name> ~#<room>: <partial>`` (extension ``live``)."""

    name: str
    text: str
    room: str | None = None


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """``@<name> > <recipient>: <text>`` (extension ``dm``)."""

    name: str
    recipient: str
    text: str


@dataclass(frozen=True, slots=True)
class Extend:
    """``EXTEND [<extension> ...] CHAT/1.0``: ask for extensions (none listed: all)."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Join:
    """``JOIN <room> [<key>] CHAT/1.0``."""

    room: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class Mode:
    """``MODE <room> <+letter|-letter> [<argument>] CHAT/1.0`` (extension ``rooms``).

    Letters as IRC's: ``o`` operator, ``v`` voice, ``b`` ban, ``q`` mute (each with a name),
    ``m`` moderated, ``t`` topic lock, ``i`` invite-only, ``s`` secret, ``k`` key (with it).
    """

    room: str
    change: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Kick:
    """``KICK <room> <name> [<reason>] CHAT/1.0`` (extension ``rooms``)."""

    room: str
    name: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Invite:
    """``INVITE <room> <name> CHAT/1.0`` (extension ``rooms``)."""

    room: str
    name: str


@dataclass(frozen=True, slots=True)
class Leave:
    """``LEAVE <room> CHAT/1.0``."""

    room: str


@dataclass(frozen=True, slots=True)
class Who:
    """``WHO CHAT/1.0``."""


@dataclass(frozen=True, slots=True)
class Rooms:
    """``ROOMS CHAT/1.0``."""


@dataclass(frozen=True, slots=True)
class Ping:
    """``PING [<token>] CHAT/1.0``: answered ``290 Pong <token>`` in order with everything else."""

    token: str


@dataclass(frozen=True, slots=True)
class Topic:
    """``TOPIC <room> [<text>] CHAT/1.0``: ask for a room's topic, or set it (``rooms``)."""

    room: str
    text: str | None


@dataclass(frozen=True, slots=True)
class Login:
    """``LOGIN <name> <base64 password> CHAT/1.0`` (extension ``auth``)."""

    name: str
    password: str


@dataclass(frozen=True, slots=True)
class Signup:
    """``SIGNUP <name> <base64 password> CHAT/1.0``: register and create an account."""

    name: str
    password: str


@dataclass(frozen=True, slots=True)
class AccountCommand:
    """``ACCOUNT CREATE <pw>``, ``ACCOUNT PASSWORD <old> <new>``, ``ACCOUNT DELETE <pw>``."""

    action: str
    passwords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """``HISTORY #<room>|@<user> [<count> [<before id>]] CHAT/1.0`` (extension ``history``)."""

    target: str
    count: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that is not valid CHAT/1.0; `reply` is what the server should answer."""

    reply: Reply
    detail: str = ""


ClientEvent = (
    Register
    | Disconnect
    | ChatMessage
    | DirectMessage
    | TypingUpdate
    | Extend
    | Join
    | Leave
    | Mode
    | Kick
    | Invite
    | Who
    | Rooms
    | Topic
    | Ping
    | Login
    | Signup
    | AccountCommand
    | HistoryRequest
    | Malformed
)


# Events a server sends -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumericReply:
    """``<code> <text>``."""

    code: int
    text: str


@dataclass(frozen=True, slots=True)
class ServerDisconnect:
    """``DISCONNECT CHAT/1.0``: the server is shutting down or dropping this client."""


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """``@<name>: <text>`` relayed by the server, with its room or recipient if extended."""

    name: str
    text: str
    room: str | None = None
    recipient: str | None = None
    typing: bool = False


@dataclass(frozen=True, slots=True)
class PresenceNotice:
    """``JOINED|LEFT|QUIT <room> <name> CHAT/1.0`` (extension ``presence``)."""

    kind: str
    room: str
    name: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Any other line: shown to the user as it is."""

    text: str


ServerEvent = NumericReply | ServerDisconnect | IncomingMessage | PresenceNotice | Notice


# Parsing ---------------------------------------------------------------------------------


def decode_line(line: bytes | LineTooLong) -> str | Malformed:
    """Turn a framed line into text, or into the error it deserves."""
    if isinstance(line, LineTooLong):
        return Malformed(Reply.LINE_TOO_LONG, f"limit {line.limit} bytes")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return Malformed(Reply.INVALID_UTF8)


def parse_client_line(line: bytes | LineTooLong) -> ClientEvent:
    """Read one line a client sent."""
    text = decode_line(line)
    if isinstance(text, Malformed):
        return text
    if text.startswith("@"):
        return _parse_chat_message(text)
    words = text.split()
    if len(words) < 2 or words[-1] != VERSION:
        if words and words[0] == "REGISTER":
            return Malformed(Reply.INVALID_REGISTRATION)
        return Malformed(Reply.UNKNOWN_COMMAND)
    verb, args = words[0], words[1:-1]
    if verb == "REGISTER":
        if len(args) == 1 and is_valid_name(args[0]):
            return Register(args[0])
        return Malformed(Reply.INVALID_REGISTRATION)
    if verb == "DISCONNECT" and len(args) <= 1:
        return Disconnect(args[0] if args else None)
    if verb == "EXTEND":
        return Extend(tuple(args))
    if verb == "JOIN" and len(args) in (1, 2):
        return Join(args[0], args[1] if len(args) == 2 else "")
    if verb == "LEAVE" and len(args) == 1:
        return Leave(args[0])
    if verb in ("MODE", "KICK", "INVITE"):
        return _parse_moderation(verb, args, text)
    if verb == "PING" and len(args) <= 1:
        return Ping(args[0] if args else "")
    if verb == "WHO" and not args:
        return Who()
    if verb == "ROOMS" and not args:
        return Rooms()
    if verb in ("LOGIN", "SIGNUP", "ACCOUNT", "HISTORY"):
        return _parse_extended(verb, args)
    if verb == "TOPIC" and args:
        # The topic is the raw text between the room and the version, spaces kept.
        rest = text.strip()[len("TOPIC") :].strip()
        body = rest[len(args[0]) : -len(VERSION)].strip()
        return Topic(args[0], neutralise_controls(body) if body else None)
    return Malformed(Reply.UNKNOWN_COMMAND)


def _parse_moderation(verb: str, args: list[str], text: str) -> ClientEvent:
    if verb == "MODE" and len(args) in (2, 3) and len(args[1]) == 2 and args[1][0] in "+-":
        return Mode(args[0], args[1], args[2] if len(args) == 3 else "")
    if verb == "INVITE" and len(args) == 2:
        return Invite(args[0], args[1])
    if verb == "KICK" and len(args) >= 2:
        reason = text.strip()[: -len(VERSION)].split(None, 3)[3:]
        return Kick(args[0], args[1], neutralise_controls(reason[0].strip()) if reason else "")
    usage = {
        "MODE": "MODE <room> <+|-letter> [<argument>]",
        "KICK": "KICK <room> <name> [<reason>]",
        "INVITE": "INVITE <room> <name>",
    }
    return Malformed(Reply.UNKNOWN_COMMAND, usage[verb])


_ACCOUNT_ARITY = {"CREATE": 1, "PASSWORD": 2, "DELETE": 1}


def _parse_extended(verb: str, args: list[str]) -> ClientEvent:
    if verb in ("LOGIN", "SIGNUP"):
        if len(args) != 2 or not is_valid_name(args[0]):
            return Malformed(Reply.INVALID_REGISTRATION)
        password = decode_password(args[1])
        if password is None:
            return Malformed(Reply.BAD_LOGIN, "the password must be base64 of UTF-8")
        return Login(args[0], password) if verb == "LOGIN" else Signup(args[0], password)
    if verb == "ACCOUNT":
        if not args or _ACCOUNT_ARITY.get(args[0]) != len(args) - 1:
            return Malformed(Reply.UNKNOWN_COMMAND, "ACCOUNT CREATE|PASSWORD|DELETE ...")
        passwords = [decode_password(a) for a in args[1:]]
        if any(p is None for p in passwords):
            return Malformed(Reply.BAD_LOGIN, "passwords must be base64 of UTF-8")
        return AccountCommand(args[0], tuple(p for p in passwords if p is not None))
    if not args or len(args) > 3 or args[0][:1] not in ("#", "@") or len(args[0]) < 2:
        return Malformed(Reply.UNKNOWN_COMMAND, "HISTORY #room|@user [count [before]]")
    numbers = args[1:]
    if not all(n.isascii() and n.isdigit() and len(n) < 10 for n in numbers):
        return Malformed(Reply.UNKNOWN_COMMAND, "HISTORY #room|@user [count [before]]")
    count = int(numbers[0]) if numbers else None
    before = int(numbers[1]) if len(numbers) > 1 else None
    return HistoryRequest(args[0], count, before)


def decode_password(text: str) -> str | None:
    """A base64 (standard alphabet) UTF-8 password, or None if it is not one."""
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def encode_password(password: str) -> str:
    """How a client writes a password on the wire."""
    return base64.b64encode(password.encode()).decode("ascii")


def is_typing_line(line: bytes | LineTooLong) -> bool:
    """Cheaply tell a live-typing preview (``@name ~…: …``) from everything else."""
    if isinstance(line, LineTooLong) or not line.startswith(b"@"):
        return False
    head = line[: line.find(b":")]
    return b" ~" in head


def _parse_chat_message(text: str) -> ClientEvent:
    head, colon, rest = text[1:].partition(":")
    body = neutralise_controls(rest.removeprefix(" "))
    words = head.split(" ")
    if not colon or not is_valid_name(words[0]):
        return Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")
    if len(words) == 1:
        return ChatMessage(words[0], body)
    if len(words) == 2 and words[1].startswith("#") and len(words[1]) > 1:
        return ChatMessage(words[0], body, words[1][1:])
    if len(words) == 2 and words[1].startswith("~"):
        room = words[1][1:].removeprefix("#")
        return TypingUpdate(words[0], body, room or None)
    if len(words) == 3 and words[1] == ">" and words[2]:
        return DirectMessage(words[0], words[2], body)
    return Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")


def parse_server_line(line: bytes | LineTooLong) -> ServerEvent:
    """Read one line a server sent (lenient: anything unknown is a `Notice`)."""
    if isinstance(line, LineTooLong):
        return Notice(f"[a line longer than {line.limit} bytes was dropped]")
    text = line.decode("utf-8", errors="replace")
    if text.split() == ["DISCONNECT", VERSION]:
        return ServerDisconnect()
    code, _, rest = text.partition(" ")
    if len(code) == 3 and code.isascii() and code.isdigit():
        return NumericReply(int(code), rest)  # "200" alone counts: some servers send just that
    if text.startswith("@"):
        head, colon, body = text[1:].partition(":")
        words = head.split(" ")
        body = body.removeprefix(" ")
        if colon and words[0]:
            if len(words) == 1:
                return IncomingMessage(words[0], body)
            if len(words) == 2 and words[1].startswith("#"):
                return IncomingMessage(words[0], body, room=words[1][1:])
            if len(words) == 3 and words[1] == ">":
                return IncomingMessage(words[0], body, recipient=words[2])
            if len(words) == 2 and words[1].startswith("~"):
                room = words[1][1:].removeprefix("#") or None
                return IncomingMessage(words[0], body, room=room, typing=True)
    words = text.split()
    if len(words) == 4 and words[0] in _PRESENCE_VERBS and words[3] == VERSION:
        return PresenceNotice(words[0].lower(), words[1], words[2])
    return Notice(text)


# Encoding --------------------------------------------------------------------------------


def encode_reply(reply: Reply, argument: str = "") -> bytes:
    """``<code> <text>\n``, with `argument` filled in (see `REPLY_TEXT`)."""
    template = REPLY_TEXT[reply]
    if "{}" in template:
        text = template.format(argument)
    elif argument:
        text = f"{template} ({argument})"
    else:
        text = template
    return f"{reply.value} {text}\n".encode()


def encode_message(name: str, text: str, room: str | None = None) -> bytes:
    """``@<name>: <text>\\n`` (or ``@<name> #<room>: <text>``), as clients and servers send it."""
    if room is None:
        return f"@{name}: {text}\n".encode()
    return f"@{name} #{room}: {text}\n".encode()


def encode_typing(name: str, text: str, room: str | None = None) -> bytes:
    """``@<name> ~: <partial>\\n`` (lobby) or ``@<name> ~#<room>: <partial>\\n``."""
    where = "~" if room is None else f"~#{room}"
    return f"@{name} {where}: {text}\n".encode()


def encode_history(message_id: int, at: float, line: bytes) -> bytes:
    """``260 <id> <unix time> <the line as it was relayed>``."""
    return b"260 %d %.3f %s" % (message_id, at, line)


def encode_topic(room: str, topic: str) -> bytes:
    """``280 <room> <topic>``: the topic of a room, as asked for or as just set."""
    return f"280 {room} {topic}".rstrip().encode() + b"\n"


def encode_direct(name: str, recipient: str, text: str) -> bytes:
    """``@<name> > <recipient>: <text>\\n``."""
    return f"@{name} > {recipient}: {text}\n".encode()


def encode_presence(kind: str, room: str, name: str) -> bytes:
    """``JOINED|LEFT|QUIT <room> <name> CHAT/1.0\\n``."""
    return f"{kind.upper()} {room} {name} {VERSION}\n".encode()


def encode_kicked(room: str, name: str, by: str, reason: str) -> bytes:
    """``KICKED <room> <name> <by> [<reason>] CHAT/1.0\\n``."""
    return _words("KICKED", room, name, by, reason, VERSION)


def encode_mode(room: str, by: str, change: str, target: str) -> bytes:
    """``MODE <room> <by> <change> [<target>] CHAT/1.0\\n``."""
    return _words("MODE", room, by, change, target, VERSION)


def _words(*words: str) -> bytes:
    return (" ".join(word for word in words if word) + "\n").encode()


def encode_invited(room: str, by: str) -> bytes:
    """``INVITED <room> <by> CHAT/1.0\\n``."""
    return f"INVITED {room} {by} {VERSION}\n".encode()


def encode_register(name: str) -> bytes:
    """``REGISTER <name> CHAT/1.0\\n``."""
    return f"REGISTER {name} {VERSION}\n".encode()


def encode_client_disconnect(name: str) -> bytes:
    """``DISCONNECT <name> CHAT/1.0\\n``."""
    return f"DISCONNECT {name} {VERSION}\n".encode()


SERVER_DISCONNECT = f"DISCONNECT {VERSION}\n".encode()
