"""The web page's JSON protocol (``docs/web-protocol.md``), sans-I/O: text in, messages out.

`parse_client` turns the text of one WebSocket message into a frozen client message, or a
`BadMessage` that says which defined error code to answer with; it never raises on any input.
`encode` turns one server message (a plain mapping, built by the door) into the UTF-8 bytes
of one WebSocket text message. Parsing is a table: message type -> class and its fields, each
field with its kind, whether it is required and its length bound.

This module must never import asyncio, sockets or anything of parley outside `protocol/`;
it knows no chat rule (who may say what), only the shape of messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

from parley.records import record

VERSION: Final = 1
SUBPROTOCOL: Final = "parley.v1"
MAX_MESSAGE: Final = 16 * 1024  # bytes of one WebSocket message
MAX_TEXT: Final = 4000  # characters of a chat text
MAX_NAME: Final = 32  # characters of a user or room name
MAX_SECRET: Final = 1024  # characters of a password, key or token
MAX_REQ: Final = 2**53  # a req must survive a JavaScript number


@record
class BadMessage:
    """A message that could not be taken: answer `error` with `code`, keep the socket open."""

    code: Literal["bad_message", "unknown_type", "too_long"]
    message: str
    req: int | None = None


@record
class SignIn:
    name: str
    password: str | None = None
    req: int | None = None


@record
class SignUp:
    name: str
    password: str
    req: int | None = None


@record
class Resume:
    token: str
    req: int | None = None


@record
class Say:
    room: str
    text: str
    req: int | None = None


@record
class Dm:
    to: str
    text: str
    req: int | None = None


@record
class TypingNow:
    room: str
    text: str
    req: int | None = None


@record
class Join:
    room: str
    key: str = ""
    req: int | None = None


@record
class Leave:
    room: str
    reason: str = ""
    req: int | None = None


@record
class SetTopic:
    room: str
    topic: str
    req: int | None = None


@record
class HistoryRequest:
    target: str
    before: int | None = None
    after: int | None = None
    count: int | None = None
    req: int | None = None


@record
class Read:
    target: str
    id: int
    req: int | None = None


@record
class Who:
    req: int | None = None


@record
class Rooms:
    req: int | None = None


@record
class Mode:
    room: str
    change: str
    name: str = ""
    key: str = ""
    req: int | None = None


@record
class Kick:
    room: str
    name: str
    reason: str = ""
    req: int | None = None


@record
class Invite:
    room: str
    name: str
    req: int | None = None


@record
class SignOut:
    req: int | None = None


@record
class Ping:
    req: int | None = None


ClientMessage = (
    SignIn | SignUp | Resume | Say | Dm | TypingNow | Join | Leave | SetTopic | HistoryRequest
    | Read | Who | Rooms | Mode | Kick | Invite | SignOut | Ping
)  # fmt: skip

# A field: (JSON key, kind, required, longest). Kinds: "str" (a short string), "text" (a chat
# text, may hold line breaks), "int" (a non-negative integer).
_Field = tuple[str, Literal["str", "text", "int"], bool, int]
_NAME: Final = MAX_NAME + 1  # room names may be written with a leading '#' or '@'
_TABLE: dict[str, tuple[type[ClientMessage], tuple[_Field, ...]]] = {
    "signin": (SignIn, (("name", "str", True, _NAME), ("password", "str", False, MAX_SECRET))),
    "signup": (SignUp, (("name", "str", True, _NAME), ("password", "str", True, MAX_SECRET))),
    "resume": (Resume, (("token", "str", True, MAX_SECRET),)),
    "say": (Say, (("room", "str", True, _NAME), ("text", "text", True, MAX_TEXT))),
    "dm": (Dm, (("to", "str", True, _NAME), ("text", "text", True, MAX_TEXT))),
    "typing": (TypingNow, (("room", "str", True, _NAME), ("text", "text", True, MAX_TEXT))),
    "join": (Join, (("room", "str", True, _NAME), ("key", "str", False, MAX_SECRET))),
    "leave": (Leave, (("room", "str", True, _NAME), ("reason", "text", False, 400))),
    "topic": (SetTopic, (("room", "str", True, _NAME), ("topic", "text", True, MAX_TEXT))),
    "history": (
        HistoryRequest,
        (
            ("target", "str", True, _NAME),
            ("before", "int", False, 0),
            ("after", "int", False, 0),
            ("count", "int", False, 0),
        ),
    ),
    "read": (Read, (("target", "str", True, _NAME), ("id", "int", True, 0))),
    "who": (Who, ()),
    "rooms": (Rooms, ()),
    "mode": (
        Mode,
        (
            ("room", "str", True, _NAME),
            ("change", "str", True, 2),
            ("name", "str", False, _NAME),
            ("key", "str", False, MAX_SECRET),
        ),
    ),
    "kick": (
        Kick,
        (
            ("room", "str", True, _NAME),
            ("name", "str", True, _NAME),
            ("reason", "text", False, 400),
        ),
    ),
    "invite": (Invite, (("room", "str", True, _NAME), ("name", "str", True, _NAME))),
    "signout": (SignOut, ()),
    "ping": (Ping, ()),
}
TYPES: Final = frozenset(_TABLE)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder and one encoder for every message: `json.loads` and `json.dumps` build a new
# one on each call when given options, which cost more than the parsing itself.
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_quote: Final = json.encoder.encode_basestring  # what the encoder writes for a string


_fast_loads: Callable[[bytes | str], object] | None
try:  # compiled, where it installs (a default dependency on CPython)
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - the standard decoder alone
    _fast_loads = None


def _decode(data: bytes | str) -> object:
    """The JSON value of `data`, or a `BadMessage` (bad UTF-8, bad JSON, NaN, deep nesting).

    orjson reads it when it can; whatever it refuses goes to the standard decoder, whose
    verdict stands (it reads a few texts orjson does not: integers past 64 bits, lone
    surrogates in escapes, which the checks after refuse with their own words). A property
    test holds the two equal on everything orjson accepts.
    """
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except ValueError:  # orjson.JSONDecodeError
            pass
    return _standard_decode(data)


def _standard_decode(data: bytes | str) -> object:
    """`_decode` with the standard library's decoder alone."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return _DECODER.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return BadMessage("bad_message", "A message must be one JSON object")


def _req_of(value: Mapping[str, object]) -> int | BadMessage | None:
    req = value.get("req")
    if req is None:
        return None
    if type(req) is not int or not 0 <= req <= MAX_REQ:
        return BadMessage("bad_message", "req must be a non-negative integer")
    return req


def parse_client(data: bytes | str) -> ClientMessage | BadMessage:
    """One client message from the text of one WebSocket message; never raises."""
    value = _decode(data)
    if type(value) is dict:
        said = plain_say(value)
        if said is not None:
            return said
    return _parse_value(value)


def plain_say(value: dict[str, Any]) -> Say | None:
    """The message nearly every page sends, a ``say`` of one printable ASCII line, read
    without the table's walk; what `_parse_value` makes of the same object (a property test
    holds the two equal), or None for anything else, which the table reads."""
    if value.get("type") != "say":
        return None
    room, text, req = value.get("room"), value.get("text"), value.get("req")
    if (
        type(room) is str
        and type(text) is str
        and len(room) <= _NAME
        and len(text) <= MAX_TEXT
        and room.isascii()
        and text.isascii()
        and room.isprintable()
        and text.isprintable()
        and (req is None or (type(req) is int and 0 <= req <= MAX_REQ))
    ):
        return Say(room, text, req)
    return None


def _parse_value(value: object) -> ClientMessage | BadMessage:
    """One client message from a decoded JSON value, by the table of message types."""
    if isinstance(value, BadMessage):
        return value
    if not isinstance(value, dict):
        return BadMessage("bad_message", "A message must be one JSON object")
    req = _req_of(value)
    if isinstance(req, BadMessage):
        return req
    entry = _entry(value.get("type"), req)
    if isinstance(entry, BadMessage):
        return entry
    cls, fields = entry
    arguments: dict[str, object] = {"req": req}
    for field in fields:
        problem = _take(value, field, arguments)
        if problem is not None:
            return BadMessage(problem[0], problem[1], req)
    return cls(**arguments)  # type: ignore[arg-type]


def _entry(
    kind: object, req: int | None
) -> tuple[type[ClientMessage], tuple[_Field, ...]] | BadMessage:
    """The table's row for message type `kind`, or why there is none."""
    if not isinstance(kind, str):
        return BadMessage("bad_message", 'A message needs a "type"', req)
    entry = _TABLE.get(kind)
    if entry is None:
        return BadMessage("unknown_type", f"Unknown message type {kind[:40]!r}", req)
    return entry


def _take(
    value: Mapping[str, object], field: _Field, into: dict[str, object]
) -> tuple[Literal["bad_message", "too_long"], str] | None:
    """Check one field and put it `into` the arguments; the problem, if any."""
    key, kind, required, longest = field
    raw = value.get(key)
    # The common case, decided without the checks below: printable ASCII is one line
    # without NUL, and ASCII has no lone surrogates.
    if (
        kind != "int"
        and type(raw) is str
        and len(raw) <= longest
        and raw.isascii()
        and (raw.isprintable() or (kind == "text" and "\x00" not in raw))
    ):
        into[key] = raw
        return None
    if raw is None:
        return ("bad_message", f"{key!r} is required") if required else None
    problem = _int_problem(key, raw) if kind == "int" else _text_problem(key, raw, kind, longest)
    if problem is None:
        into[key] = raw
    return problem


def _int_problem(key: str, raw: object) -> tuple[Literal["bad_message"], str] | None:
    if type(raw) is not int or not 0 <= raw <= MAX_REQ:
        return "bad_message", f"{key!r} must be a non-negative integer"
    return None


def _text_problem(
    key: str, raw: object, kind: str, longest: int
) -> tuple[Literal["bad_message", "too_long"], str] | None:
    if not isinstance(raw, str):
        return "bad_message", f"{key!r} must be a string"
    if len(raw) > longest:
        return "too_long", f"{key!r} is longer than {longest} characters"
    if kind == "str" and ("\r" in raw or "\n" in raw):
        return "bad_message", f"{key!r} must be one line"
    if "\x00" in raw or not (raw.isascii() or _is_unicode(raw)):
        return "bad_message", f"{key!r} must be text without NUL or lone surrogates"
    return None


def _is_unicode(text: str) -> bool:
    """Whether `text` is valid Unicode (JSON's ``\\ud800`` escapes can make it not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Server messages --------------------------------------------------------------------------


def encode(message: Mapping[str, object]) -> bytes:
    """The UTF-8 JSON text of one server message (keys in the order given, no spaces).

    User text stays text: JSON escapes quotes and control characters, and ``<``, ``>`` and
    ``&`` are escaped too, so nothing a user wrote can close a tag if a page ever put a message
    into HTML by mistake.
    """
    text = _ENCODER.encode(message)
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8", "replace")


def encode_string(text: str) -> bytes:
    """`text` as the JSON string `encode` writes for it (for templates of hot messages)."""
    quoted = _quote(text)
    if "<" in quoted or ">" in quoted or "&" in quoted:
        quoted = quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return quoted.encode("utf-8", "replace")


def hello(max_text: int = MAX_TEXT, max_name: int = MAX_NAME) -> bytes:
    """The first message on every WebSocket."""
    return encode(
        {
            "type": "hello",
            "version": VERSION,
            "server": "parley",
            "max_text": max_text,
            "max_name": max_name,
        }
    )


def with_req(message: dict[str, object], req: int | None) -> dict[str, object]:
    """`message` answering request `req` (the ``req`` key right after ``type``)."""
    if req is None:
        return message
    kind = message.pop("type")
    return {"type": kind, "req": req, **message}


def ok(req: int | None, **extra: object) -> bytes:
    """The request `req` was done."""
    return encode(with_req({"type": "ok", **extra}, req))


def ok_ids(req: int | None, ids: Sequence[int]) -> bytes:
    """``ok(req, ids=ids)`` from a template: the answer to every ``say``, so one per message
    on the busiest path, where the JSON encoder's dictionary walk was most of its cost."""
    numbers = b",".join([b"%d" % number for number in ids])
    if req is None:
        return b'{"type":"ok","ids":[%s]}' % numbers
    return b'{"type":"ok","req":%d,"ids":[%s]}' % (req, numbers)


def error(req: int | None, code: str, message: str, retry_after: float | None = None) -> bytes:
    """The request `req` was refused: `code` for the page, `message` for people."""
    body: dict[str, object] = {"type": "error", "code": code, "message": message}
    if retry_after is not None:
        body["retry_after"] = retry_after
    return encode(with_req(body, req))


def bye(reason: str) -> bytes:
    """The server is closing this connection."""
    return encode({"type": "bye", "reason": reason})
