"""What a registered client asks of the server, and the line that carries each request.

The requests are the client-side events of `parley.protocol.chat1` (that module parses them
on the server); this module only adds the encoding of the extension commands, which the
protocol module leaves to clients. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.protocol.chat1 import (
    VERSION,
    AccountCommand,
    ChatMessage,
    DirectMessage,
    Extend,
    HistoryRequest,
    Invite,
    Join,
    Kick,
    Leave,
    Mode,
    Ping,
    Rooms,
    SearchRequest,
    Topic,
    TypingUpdate,
    Who,
    encode_direct,
    encode_message,
    encode_password,
    encode_typing,
)

Request = (
    ChatMessage
    | DirectMessage
    | TypingUpdate
    | Extend
    | Join
    | Leave
    | Who
    | Rooms
    | HistoryRequest
    | SearchRequest
    | Topic
    | AccountCommand
    | Mode
    | Kick
    | Invite
    | Ping
)
"""What a registered client may ask of the server (the events of `parley.protocol.chat1`)."""


def encode_request(request: Request) -> bytes:
    """The line that carries `request` (with its line end)."""
    return _ENCODERS[type(request)](request)


def _command(*words: str) -> bytes:
    """``WORD WORD ... CHAT/1.0\\n``."""
    return " ".join([*words, VERSION]).encode() + b"\n"


def _optional(word: str | None) -> tuple[str, ...]:
    """An optional last argument: no word at all when it is empty or None."""
    return (word,) if word else ()


def _history(request: HistoryRequest) -> bytes:
    numbers = [n for n in (request.count, request.before) if n is not None]
    if request.before is not None and request.count is None:
        numbers = [0, request.before]  # a count of 0 means the server's default
    return _command("HISTORY", request.target, *map(str, numbers))


def _account(request: AccountCommand) -> bytes:
    passwords = [encode_password(password) for password in request.passwords]
    return _command("ACCOUNT", request.action, *passwords)


_ENCODERS: dict[type, Callable[[Any], bytes]] = {
    ChatMessage: lambda r: encode_message(r.name, r.text, r.room),
    DirectMessage: lambda r: encode_direct(r.name, r.recipient, r.text),
    TypingUpdate: lambda r: encode_typing(r.name, r.text, r.room),
    Extend: lambda r: _command("EXTEND", *r.names),
    Join: lambda r: _command("JOIN", r.room, *_optional(r.key)),
    Leave: lambda r: _command("LEAVE", r.room),
    Who: lambda r: _command("WHO"),
    Rooms: lambda r: _command("ROOMS"),
    HistoryRequest: _history,
    SearchRequest: lambda r: _command("SEARCH", r.text, *_optional(r.target)),
    Topic: lambda r: _command("TOPIC", r.room, *_optional(r.text)),
    AccountCommand: _account,
    Mode: lambda r: _command("MODE", r.room, r.change, *_optional(r.argument)),
    Kick: lambda r: _command("KICK", r.room, r.name, *_optional(r.reason)),
    Invite: lambda r: _command("INVITE", r.room, r.name),
    Ping: lambda r: _command("PING", *_optional(r.token)),
}
"""The encoder of each request type (`Request` is exactly these)."""


__all__ = [
    "AccountCommand",
    "ChatMessage",
    "DirectMessage",
    "Extend",
    "HistoryRequest",
    "Invite",
    "Join",
    "Kick",
    "Leave",
    "Mode",
    "Ping",
    "Request",
    "Rooms",
    "SearchRequest",
    "Topic",
    "TypingUpdate",
    "Who",
    "encode_request",
]
