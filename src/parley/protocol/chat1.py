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
from collections.abc import Callable
from enum import IntEnum

from parley.protocol.framing import LineTooLong
from parley.protocol.names import is_valid_name
from parley.records import record

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
    FOUND = 262
    END_OF_SEARCH = 263
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
    ALREADY_THERE = 426
    TOO_FAST = 429


# "{}" is filled with the reply's argument; other texts get it appended in parentheses.
REPLY_TEXT: dict[Reply, str] = {
    Reply.REGISTERED: "Registration successful",
    Reply.EXTENSIONS: "Extensions enabled:{}",
    Reply.JOINED: "Joined {}",
    Reply.LEFT: "Left {}",
    Reply.QUEUED: "Queued for {} (offline)",
    Reply.ALREADY_THERE: "{} is already in that room",
    Reply.STORED: "Stored {}",
    Reply.HISTORY: "{}",
    Reply.END_OF_HISTORY: "End of history",
    Reply.FOUND: "{}",
    Reply.END_OF_SEARCH: "End of search: {} found",
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

EXTENSIONS = ("rooms", "dm", "who", "presence", "live", "history", "auth", "ack", "search")
_PRESENCE_VERBS = frozenset({"JOINED", "LEFT", "QUIT"})


# Events a client sends -------------------------------------------------------------------


@record
class Register:
    """``REGISTER <name> CHAT/1.0``."""

    name: str


@record
class Disconnect:
    """``DISCONNECT <name> CHAT/1.0`` (name may be None for a bare ``DISCONNECT CHAT/1.0``)."""

    name: str | None


@record
class ChatMessage:
    """``@<name>: <text>`` (the lobby) or ``@<name> #<room>: <text>`` (extension ``rooms``)."""

    name: str
    text: str
    room: str | None = None


@record
class TypingUpdate:
    """``@<name> ~: <partial>`` or ``@<name> ~#<room>: <partial>`` (extension ``live``)."""

    name: str
    text: str
    room: str | None = None


@record
class DirectMessage:
    """``@<name> > <recipient>: <text>`` (extension ``dm``)."""

    name: str
    recipient: str
    text: str


@record
class Extend:
    """``EXTEND [<extension> ...] CHAT/1.0``: ask for extensions (none listed: all)."""

    names: tuple[str, ...]


@record
class Join:
    """``JOIN <room> [<key>] CHAT/1.0``."""

    room: str
    key: str = ""


@record
class Mode:
    """``MODE <room> <+letter|-letter> [<argument>] CHAT/1.0`` (extension ``rooms``).

    Letters as IRC's: ``o`` operator, ``v`` voice, ``b`` ban, ``q`` mute (each with a name),
    ``m`` moderated, ``t`` topic lock, ``i`` invite-only, ``s`` secret, ``k`` key (with it).
    """

    room: str
    change: str
    argument: str = ""


@record
class Kick:
    """``KICK <room> <name> [<reason>] CHAT/1.0`` (extension ``rooms``)."""

    room: str
    name: str
    reason: str = ""


@record
class Invite:
    """``INVITE <room> <name> CHAT/1.0`` (extension ``rooms``)."""

    room: str
    name: str


@record
class Leave:
    """``LEAVE <room> CHAT/1.0``."""

    room: str


@record
class Who:
    """``WHO CHAT/1.0``."""


@record
class Rooms:
    """``ROOMS CHAT/1.0``."""


@record
class Ping:
    """``PING [<token>] CHAT/1.0``: answered ``290 Pong <token>`` in order with everything else."""

    token: str


@record
class Topic:
    """``TOPIC <room> [<text>] CHAT/1.0``: ask for a room's topic, or set it (``rooms``)."""

    room: str
    text: str | None


@record
class Login:
    """``LOGIN <name> <base64 password> CHAT/1.0`` (extension ``auth``)."""

    name: str
    password: str


@record
class Signup:
    """``SIGNUP <name> <base64 password> CHAT/1.0``: register and create an account."""

    name: str
    password: str


@record
class AccountCommand:
    """``ACCOUNT CREATE <pw>``, ``ACCOUNT PASSWORD <old> <new>``, ``ACCOUNT DELETE <pw>``."""

    action: str
    passwords: tuple[str, ...]


@record
class HistoryRequest:
    """``HISTORY #<room>|@<user> [<count> [<before id>]] CHAT/1.0`` (extension ``history``)."""

    target: str
    count: int | None = None
    before: int | None = None


@record
class SearchRequest:
    """``SEARCH <words> [#<room>|@<user>] CHAT/1.0`` (extension ``search``)."""

    text: str
    target: str | None = None


@record
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
    | SearchRequest
    | Malformed
)


# Events a server sends -------------------------------------------------------------------


@record
class NumericReply:
    """``<code> <text>``."""

    code: int
    text: str


@record
class ServerDisconnect:
    """``DISCONNECT CHAT/1.0``: the server is shutting down or dropping this client."""


@record
class IncomingMessage:
    """``@<name>: <text>`` relayed by the server, with its room or recipient if extended."""

    name: str
    text: str
    room: str | None = None
    recipient: str | None = None
    typing: bool = False


@record
class PresenceNotice:
    """``JOINED|LEFT|QUIT <room> <name> CHAT/1.0`` (extension ``presence``)."""

    kind: str
    room: str
    name: str


@record
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
    return _parse_command(text)


def _parse_command(text: str) -> ClientEvent:
    """``<VERB> [<argument> ...] CHAT/1.0``, dispatched through `_VERBS`."""
    words = text.split()
    if len(words) < 2 or words[-1] != VERSION:
        # Seed 004: a REGISTER that is wrong in any way is "400 Invalid registration".
        is_register = words[:1] == ["REGISTER"]
        return Malformed(Reply.INVALID_REGISTRATION if is_register else Reply.UNKNOWN_COMMAND)
    verb, args = _VERBS.get(words[0]), words[1:-1]
    if verb is None:
        return Malformed(Reply.UNKNOWN_COMMAND)
    if not verb.accepts(len(args)):
        return Malformed(verb.refusal, verb.usage)
    return verb.build(args, text)


# A verb's builder gets the words between the verb and the version, and the whole line for the
# verbs whose last argument is free text (TOPIC, KICK); it may still refuse what it is given.
_Builder = Callable[[list[str], str], ClientEvent]


@record
class _Verb:
    """One client command, as a row of ergo's command table: how many arguments it takes,
    what it becomes, and how a line with the wrong number of arguments is refused."""

    min_args: int
    max_args: int | None  # None: no limit
    build: _Builder
    refusal: Reply = Reply.UNKNOWN_COMMAND
    usage: str = ""

    def accepts(self, count: int) -> bool:
        """Whether `count` arguments are within this verb's arity."""
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)


_MODE_USAGE = "MODE <room> <+|-letter> [<argument>]"
_KICK_USAGE = "KICK <room> <name> [<reason>]"
_INVITE_USAGE = "INVITE <room> <name>"
_ACCOUNT_USAGE = "ACCOUNT CREATE|PASSWORD|DELETE ..."
_HISTORY_USAGE = "HISTORY #room|@user [count [before]]"
_SEARCH_USAGE = "SEARCH words [#room|@user]"
_ACCOUNT_ARITY = {"CREATE": 1, "PASSWORD": 2, "DELETE": 1}


def _register(args: list[str], _text: str) -> ClientEvent:
    return Register(args[0]) if is_valid_name(args[0]) else Malformed(Reply.INVALID_REGISTRATION)


def _join(args: list[str], _text: str) -> ClientEvent:
    return Join(args[0], args[1] if len(args) == 2 else "")


def _topic(args: list[str], text: str) -> ClientEvent:
    # The topic is the raw text between the room and the version, spaces kept.
    rest = text.strip()[len("TOPIC") :].strip()
    body = rest[len(args[0]) : -len(VERSION)].strip()
    return Topic(args[0], neutralise_controls(body) if body else None)


def _mode(args: list[str], _text: str) -> ClientEvent:
    change = args[1]
    if len(change) != 2 or change[0] not in "+-":
        return Malformed(Reply.UNKNOWN_COMMAND, _MODE_USAGE)
    return Mode(args[0], change, args[2] if len(args) == 3 else "")


def _kick(args: list[str], text: str) -> ClientEvent:
    # The reason is the raw text after the room and the name, as for TOPIC.
    reason = text.strip()[: -len(VERSION)].split(None, 3)[3:]
    return Kick(args[0], args[1], neutralise_controls(reason[0].strip()) if reason else "")


def _credentials(event: type[Login] | type[Signup]) -> _Builder:
    """The builder of LOGIN or SIGNUP: a valid name and a base64 password."""

    def build(args: list[str], _text: str) -> ClientEvent:
        if not is_valid_name(args[0]):
            return Malformed(Reply.INVALID_REGISTRATION)
        password = decode_password(args[1])
        if password is None:
            return Malformed(Reply.BAD_LOGIN, "the password must be base64 of UTF-8")
        return event(args[0], password)

    return build


def _account(args: list[str], _text: str) -> ClientEvent:
    if _ACCOUNT_ARITY.get(args[0]) != len(args) - 1:
        return Malformed(Reply.UNKNOWN_COMMAND, _ACCOUNT_USAGE)
    passwords = [decode_password(a) for a in args[1:]]
    if any(p is None for p in passwords):
        return Malformed(Reply.BAD_LOGIN, "passwords must be base64 of UTF-8")
    return AccountCommand(args[0], tuple(p for p in passwords if p is not None))


def _history(args: list[str], _text: str) -> ClientEvent:
    target, numbers = args[0], args[1:]
    if target[:1] not in ("#", "@") or len(target) < 2 or not all(map(_is_count, numbers)):
        return Malformed(Reply.UNKNOWN_COMMAND, _HISTORY_USAGE)
    count = int(numbers[0]) if numbers else None
    before = int(numbers[1]) if len(numbers) > 1 else None
    return HistoryRequest(target, count, before)


def _search(args: list[str], _text: str) -> ClientEvent:
    # A last word that names a room or a user is where to look; the rest is what to find.
    target = args[-1] if len(args) > 1 and args[-1][:1] in ("#", "@") else None
    words = args[:-1] if target is not None else args
    if target is not None and len(target) < 2:
        return Malformed(Reply.UNKNOWN_COMMAND, _SEARCH_USAGE)
    return SearchRequest(neutralise_controls(" ".join(words)), target)


def _is_count(word: str) -> bool:
    return word.isascii() and word.isdigit() and len(word) < 10


_VERBS: dict[str, _Verb] = {
    # verb: _Verb(min, max, builder[, refusal, usage])
    "REGISTER": _Verb(1, 1, _register, Reply.INVALID_REGISTRATION),
    "DISCONNECT": _Verb(0, 1, lambda args, _: Disconnect(args[0] if args else None)),
    "EXTEND": _Verb(0, None, lambda args, _: Extend(tuple(args))),
    "PING": _Verb(0, 1, lambda args, _: Ping(args[0] if args else "")),
    "JOIN": _Verb(1, 2, _join),
    "LEAVE": _Verb(1, 1, lambda args, _: Leave(args[0])),
    "TOPIC": _Verb(1, None, _topic),
    "MODE": _Verb(2, 3, _mode, usage=_MODE_USAGE),
    "KICK": _Verb(2, None, _kick, usage=_KICK_USAGE),
    "INVITE": _Verb(2, 2, lambda args, _: Invite(args[0], args[1]), usage=_INVITE_USAGE),
    "WHO": _Verb(0, 0, lambda _args, _: Who()),
    "ROOMS": _Verb(0, 0, lambda _args, _: Rooms()),
    "LOGIN": _Verb(2, 2, _credentials(Login), Reply.INVALID_REGISTRATION),
    "SIGNUP": _Verb(2, 2, _credentials(Signup), Reply.INVALID_REGISTRATION),
    "ACCOUNT": _Verb(1, None, _account, usage=_ACCOUNT_USAGE),
    "HISTORY": _Verb(1, 3, _history, usage=_HISTORY_USAGE),
    "SEARCH": _Verb(1, None, _search, usage=_SEARCH_USAGE),
}


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


@record
class _Address:
    """The head of an ``@…: text`` line: who speaks, and to which room or user."""

    name: str
    room: str | None = None
    recipient: str | None = None
    typing: bool = False


def _read_address(head: str) -> _Address | None:
    """``name``, ``name #room``, ``name ~`` or ``name ~#room`` (live), ``name > user``.

    Lenient, because both directions share it: a room or recipient may be empty here. A
    client's line is then refused; a server's is passed on as it came.
    """
    match head.split(" "):
        case [name]:
            return _Address(name)
        case [name, where] if where.startswith("#"):
            return _Address(name, room=where[1:])
        case [name, where] if where.startswith("~"):
            return _Address(name, room=where[1:].removeprefix("#") or None, typing=True)
        case [name, ">", recipient]:
            return _Address(name, recipient=recipient)
        case _:
            return None


def _parse_chat_message(text: str) -> ClientEvent:
    head, colon, rest = text[1:].partition(":")
    if colon and " " not in head:  # "@name: text": the lobby line of every client, kept short
        if not is_valid_name(head):
            return Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")
        return ChatMessage(head, neutralise_controls(rest.removeprefix(" ")), None)
    address = _read_address(head) if colon else None
    if address is None or not _may_send(address):
        return Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")
    body = neutralise_controls(rest.removeprefix(" "))
    if address.typing:
        return TypingUpdate(address.name, body, address.room)
    if address.recipient is not None:
        return DirectMessage(address.name, address.recipient, body)
    return ChatMessage(address.name, body, address.room)


def _may_send(address: _Address) -> bool:
    """A client names itself validly, and any room or recipient it names is not empty."""
    return is_valid_name(address.name) and address.room != "" and address.recipient != ""


def parse_server_line(line: bytes | LineTooLong) -> ServerEvent:
    """Read one line a server sent (lenient: anything unknown is a `Notice`)."""
    if isinstance(line, LineTooLong):
        return Notice(f"[a line longer than {line.limit} bytes was dropped]")
    text = line.decode("utf-8", errors="replace")
    for read in _SERVER_FORMS:
        event = read(text)
        if event is not None:
            return event
    return Notice(text)


def _read_disconnect(text: str) -> ServerEvent | None:
    return ServerDisconnect() if text.split() == ["DISCONNECT", VERSION] else None


def _read_numeric(text: str) -> ServerEvent | None:
    code, _, rest = text.partition(" ")
    if len(code) == 3 and code.isascii() and code.isdigit():
        return NumericReply(int(code), rest)  # "200" alone counts: some servers send just that
    return None


def _read_relayed(text: str) -> ServerEvent | None:
    if not text.startswith("@"):
        return None
    head, colon, body = text[1:].partition(":")
    address = _read_address(head) if colon else None
    if address is None or not address.name:
        return None
    return IncomingMessage(
        address.name, body.removeprefix(" "), address.room, address.recipient, address.typing
    )


def _read_presence(text: str) -> ServerEvent | None:
    words = text.split()
    if len(words) == 4 and words[0] in _PRESENCE_VERBS and words[3] == VERSION:
        return PresenceNotice(words[0].lower(), words[1], words[2])
    return None


# The forms of a server line, tried in this order; a line that is none of them is a Notice.
_SERVER_FORMS: tuple[Callable[[str], ServerEvent | None], ...] = (
    _read_disconnect,
    _read_numeric,
    _read_relayed,
    _read_presence,
)


@record
class KickedNotice:
    """``KICKED <room> <name> <by> [<reason>] CHAT/1.0``: `name` was put out of `room`."""

    room: str
    name: str
    by: str
    reason: str = ""


@record
class ModeNotice:
    """``MODE <room> <by> <change> [<target>] CHAT/1.0``: `by` changed a mode of `room`."""

    room: str
    by: str
    change: str
    target: str = ""


@record
class InvitedNotice:
    """``INVITED <room> <by> CHAT/1.0``: `by` invited us into `room`."""

    room: str
    by: str


def parse_moderation_notice(text: str) -> KickedNotice | ModeNotice | InvitedNotice | None:
    """The room event a server line carries (extension ``rooms``); None if it is not one."""
    words = text.split()
    if len(words) < 4 or words[-1] != VERSION:
        return None
    verb, args = words[0], words[1:-1]
    if verb == "KICKED" and len(args) >= 3:
        reason = text.strip()[: -len(VERSION)].split(None, 4)[4:]
        return KickedNotice(args[0], args[1], args[2], reason[0].strip() if reason else "")
    if verb == "MODE" and len(args) in (3, 4) and len(args[2]) == 2 and args[2][0] in "+-":
        return ModeNotice(args[0], args[1], args[2], args[3] if len(args) == 4 else "")
    if verb == "INVITED" and len(args) == 2:
        return InvitedNotice(args[0], args[1])
    return None


# Encoding --------------------------------------------------------------------------------


QUEUED_UNCLAIMED = "Queued for {} (offline, no account: whoever takes the name next receives it)"


def encode_queued_unclaimed(name: str) -> bytes:
    """``230 Queued for <name> (offline, no account: …)``: the sender is warned that a name
    without an account passes its waiting messages to whoever takes it next."""
    return f"{Reply.QUEUED.value} {QUEUED_UNCLAIMED.format(name)}\n".encode()


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


def encode_found(message_id: int, at: float, line: bytes) -> bytes:
    """``262 <id> <unix time> <the line as it was relayed>``: one match of a ``SEARCH``."""
    return b"262 %d %.3f %s" % (message_id, at, line)


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
