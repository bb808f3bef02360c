"""What a registered client asks of the server, and the line that carries each request.

The requests are the client-side events of `parley.protocol.chat1` (that module parses them
on the server); this module only adds the encoding of the extension commands, which the
protocol module leaves to clients. Pure: no I/O.
"""

from __future__ import annotations

from parley.protocol.chat1 import (
    VERSION,
    AccountCommand,
    ChatMessage,
    DirectMessage,
    Extend,
    HistoryRequest,
    Join,
    Leave,
    Rooms,
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
    | Topic
    | AccountCommand
)
"""What a registered client may ask of the server (the events of `parley.protocol.chat1`)."""


def encode_request(request: Request) -> bytes:
    """The line that carries `request` (with its line end)."""
    if isinstance(request, ChatMessage):
        return encode_message(request.name, request.text, request.room)
    if isinstance(request, DirectMessage):
        return encode_direct(request.name, request.recipient, request.text)
    if isinstance(request, TypingUpdate):
        return encode_typing(request.name, request.text, request.room)
    if isinstance(request, Extend):
        return " ".join(["EXTEND", *request.names, VERSION]).encode() + b"\n"
    if isinstance(request, Join):
        return f"JOIN {request.room} {VERSION}\n".encode()
    if isinstance(request, Leave):
        return f"LEAVE {request.room} {VERSION}\n".encode()
    if isinstance(request, Who):
        return f"WHO {VERSION}\n".encode()
    if isinstance(request, HistoryRequest):
        numbers = [n for n in (request.count, request.before) if n is not None]
        if request.before is not None and request.count is None:
            numbers = [0, request.before]  # a count of 0 means the server's default
        return " ".join(["HISTORY", request.target, *map(str, numbers), VERSION]).encode() + b"\n"
    if isinstance(request, Topic):
        words = ["TOPIC", request.room, *([request.text] if request.text else []), VERSION]
        return " ".join(words).encode() + b"\n"
    if isinstance(request, AccountCommand):
        passwords = [encode_password(password) for password in request.passwords]
        return " ".join(["ACCOUNT", request.action, *passwords, VERSION]).encode() + b"\n"
    return f"ROOMS {VERSION}\n".encode()


__all__ = [
    "AccountCommand",
    "ChatMessage",
    "DirectMessage",
    "Extend",
    "HistoryRequest",
    "Join",
    "Leave",
    "Request",
    "Rooms",
    "Topic",
    "TypingUpdate",
    "Who",
    "encode_request",
]
