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

import re
from dataclasses import dataclass
from enum import IntEnum

from parley.protocol.framing import LineTooLong
from parley.protocol.names import is_valid_name

VERSION = "CHAT/1.0"

# C0 and C1 control characters other than TAB: they could move another user's cursor, clear
# their screen or forge a line, so they never reach anyone.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def neutralise_controls(text: str) -> str:
    """Replace control characters (except TAB) with U+FFFD so they cannot act on a terminal."""
    if text.isprintable():
        return text
    return _CONTROL_CHARACTERS.sub("\ufffd", text)


class Reply(IntEnum):
    """Numbered replies from the server. The text of each is fixed by `REPLY_TEXT`."""

    REGISTERED = 200
    INVALID_REGISTRATION = 400
    ALREADY_REGISTERED = 401
    SENDER_MISMATCH = 403
    UNKNOWN_COMMAND = 404
    LINE_TOO_LONG = 413
    INVALID_UTF8 = 415


REPLY_TEXT: dict[Reply, str] = {
    Reply.REGISTERED: "Registration successful",
    Reply.INVALID_REGISTRATION: "Invalid registration",
    Reply.ALREADY_REGISTERED: "Client already registered",
    Reply.SENDER_MISMATCH: "Sender does not match registration",
    Reply.UNKNOWN_COMMAND: "Unknown command",
    Reply.LINE_TOO_LONG: "Line too long",
    Reply.INVALID_UTF8: "Invalid UTF-8",
}


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
    """``@<name>: <text>``: a message the sender says is from `name`."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that is not valid CHAT/1.0; `reply` is what the server should answer."""

    reply: Reply
    detail: str = ""


ClientEvent = Register | Disconnect | ChatMessage | Malformed


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
    """``@<name>: <text>`` relayed by the server."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Any other line: shown to the user as it is."""

    text: str


ServerEvent = NumericReply | ServerDisconnect | IncomingMessage | Notice


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
    if words and words[0] == "REGISTER":
        if len(words) == 3 and words[2] == VERSION and is_valid_name(words[1]):
            return Register(words[1])
        return Malformed(Reply.INVALID_REGISTRATION)
    if words and words[0] == "DISCONNECT" and words[-1] == VERSION and len(words) in (2, 3):
        return Disconnect(words[1] if len(words) == 3 else None)
    return Malformed(Reply.UNKNOWN_COMMAND)


def _parse_chat_message(text: str) -> ClientEvent:
    name, colon, rest = text[1:].partition(":")
    if not colon or not is_valid_name(name):
        return Malformed(Reply.UNKNOWN_COMMAND, "expected '@name: text'")
    return ChatMessage(name, neutralise_controls(rest.removeprefix(" ")))


def parse_server_line(line: bytes | LineTooLong) -> ServerEvent:
    """Read one line a server sent (lenient: anything unknown is a `Notice`)."""
    if isinstance(line, LineTooLong):
        return Notice(f"[a line longer than {line.limit} bytes was dropped]")
    text = line.decode("utf-8", errors="replace")
    if text.split() == ["DISCONNECT", VERSION]:
        return ServerDisconnect()
    code, space, rest = text.partition(" ")
    if len(code) == 3 and code.isascii() and code.isdigit() and (space or not rest):
        return NumericReply(int(code), rest)
    if text.startswith("@"):
        name, colon, body = text[1:].partition(":")
        if colon and name and " " not in name:
            return IncomingMessage(name, body.removeprefix(" "))
    return Notice(text)


# Encoding --------------------------------------------------------------------------------


def encode_reply(reply: Reply, detail: str = "") -> bytes:
    """``<code> <text>\\n``; `detail` is appended in parentheses for the non-seed codes."""
    text = REPLY_TEXT[reply]
    if detail:
        text = f"{text} ({detail})"
    return f"{reply.value} {text}\n".encode()


def encode_message(name: str, text: str) -> bytes:
    """``@<name>: <text>\\n``, as both clients and servers send it."""
    return f"@{name}: {text}\n".encode()


def encode_register(name: str) -> bytes:
    """``REGISTER <name> CHAT/1.0\\n``."""
    return f"REGISTER {name} {VERSION}\n".encode()


def encode_client_disconnect(name: str) -> bytes:
    """``DISCONNECT <name> CHAT/1.0\\n``."""
    return f"DISCONNECT {name} {VERSION}\n".encode()


SERVER_DISCONNECT = f"DISCONNECT {VERSION}\n".encode()
