"""CHAT/1.0 in the server's words: the reply for each core outcome, and deliveries as lines.

Pure encoding for `parley.server.doors.chat1`: which extension each delivery needs, and its
bytes (the door encodes each delivery once for all its receivers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.chat.answers import Outcome
from parley.chat.events import (
    LOBBY,
    OPERATOR_NAME,
    AwayChanged,
    Delivery as Event,
    DirectMessage,
    Invited,
    Kicked,
    ModeChanged,
    Presence,
    RealNameChanged,
    Renamed,
    RoomMessage,
    TopicChanged,
    Typing,
)
from parley.chat.store import StoredMessage
from parley.protocol import chat1
from parley.protocol.chat1 import Reply

REPLY_FOR = {
    Outcome.NOT_REGISTERED: Reply.INVALID_REGISTRATION,
    Outcome.ALREADY_REGISTERED: Reply.ALREADY_REGISTERED,
    Outcome.INVALID_NAME: Reply.INVALID_REGISTRATION,
    Outcome.RESERVED_NAME: Reply.INVALID_REGISTRATION,
    Outcome.INVALID_ROOM: Reply.INVALID_ROOM,
    Outcome.NAME_TAKEN: Reply.ALREADY_REGISTERED,
    Outcome.PASSWORD_REQUIRED: Reply.PASSWORD_REQUIRED,
    Outcome.BAD_LOGIN: Reply.BAD_LOGIN,
    Outcome.NO_ACCOUNT: Reply.BAD_LOGIN,
    Outcome.HAS_ACCOUNT: Reply.ALREADY_REGISTERED,
    Outcome.BAD_PASSWORD: Reply.BAD_PASSWORD,
    Outcome.THROTTLED: Reply.TOO_FAST,
    Outcome.NO_SUCH_USER: Reply.NO_SUCH_USER,
    Outcome.NO_SUCH_ROOM: Reply.NO_SUCH_ROOM,
    Outcome.NOT_MEMBER: Reply.NO_SUCH_ROOM,
    Outcome.ALREADY_MEMBER: Reply.ALREADY_IN_ROOM,
    Outcome.TOO_MANY_ROOMS: Reply.TOO_MANY_ROOMS,
    Outcome.QUEUE_FULL: Reply.QUEUE_FULL,
    Outcome.LOBBY_IS_HOME: Reply.LOBBY_IS_HOME,
    Outcome.QUEUED: Reply.QUEUED,
    Outcome.QUEUED_UNCLAIMED: Reply.QUEUED,
    Outcome.NOT_OPERATOR: Reply.NOT_OPERATOR,
    Outcome.BANNED: Reply.BANNED,
    Outcome.MUTED: Reply.MUTED,
    Outcome.INVITE_ONLY: Reply.INVITE_ONLY,
    Outcome.BAD_KEY: Reply.BAD_KEY,
    Outcome.TARGET_NOT_MEMBER: Reply.NOT_IN_THAT_ROOM,
    Outcome.UNKNOWN_MODE: Reply.UNKNOWN_MODE,
    Outcome.TARGET_ALREADY_MEMBER: Reply.ALREADY_THERE,
    Outcome.TOO_MANY_LISTINGS: Reply.TOO_FAST,
    Outcome.NOTHING_TO_SEARCH: Reply.UNKNOWN_COMMAND,
    Outcome.ROOM_FULL: Reply.INVITE_ONLY,  # full (IRC's +l): only an invitation lets one in
}


def _room(room: str) -> str | None:
    return None if room == LOBBY else room


def _said(event: RoomMessage) -> bytes:
    room = _room(event.room)
    return b"".join(chat1.encode_message(event.sender, text, room) for text in event.texts)


# delivery type -> (the extension a client needs to get it, its encoder)
ENCODERS: dict[type, tuple[str, Callable[[Any], bytes]]] = {
    RoomMessage: ("rooms", _said),
    Typing: ("live", lambda e: chat1.encode_typing(e.sender, e.text, _room(e.room))),
    Presence: ("presence", lambda e: chat1.encode_presence(e.kind, e.room, e.name)),
    TopicChanged: ("rooms", lambda e: chat1.encode_topic(e.room, e.topic)),
    Kicked: ("rooms", lambda e: chat1.encode_kicked(e.room, e.name, e.by, e.reason)),
    ModeChanged: ("rooms", lambda e: chat1.encode_mode(e.room, e.by, e.change, e.target)),
    Invited: ("rooms", lambda e: chat1.encode_invited(e.room, e.by)),
    DirectMessage: ("dm", lambda e: chat1.encode_direct(e.sender, e.recipient, e.text)),
    Renamed: (  # IRC's NICK: a line from the server, to clients that follow presence
        "presence",
        lambda e: chat1.encode_message(OPERATOR_NAME, f"{e.old} is now known as {e.new}"),
    ),
    AwayChanged: ("", lambda e: b""),  # no CHAT/1.0 form ("": no extension asks for it)
    RealNameChanged: ("", lambda e: b""),
}


def encode_extended(event: Event) -> bytes:
    """A delivery as a client with the extension it needs sees it."""
    return ENCODERS[type(event)][1](event)


def encode_stored(message: StoredMessage) -> bytes:
    """A stored message as the line it was relayed as."""
    if message.recipient is not None:
        return chat1.encode_direct(message.sender, message.recipient, message.text)
    room = None if message.room in (None, LOBBY) else message.room
    return chat1.encode_message(message.sender, message.text, room)
