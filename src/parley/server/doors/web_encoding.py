"""The web door's encoding tables: core events and answers as the page's JSON messages.

One encoder per delivery type (a table, like the other doors'), the error code of every
refusal, and the shapes shared by live messages, history and `joined`. Everything a user
wrote goes out as a JSON string and nowhere else (never into an HTTP header).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from parley.chat.answers import Done, Outcome, RoomView, UnreadCount
from parley.chat.events import (
    AwayChanged,
    Delivery,
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
from parley.protocol import web

# Outcome -> the page's error code. OK and the two QUEUED outcomes are not errors.
ERROR_CODE: dict[Outcome, str] = {
    Outcome.NOT_REGISTERED: "not_signed_in",
    Outcome.ALREADY_REGISTERED: "not_allowed",
    Outcome.INVALID_NAME: "bad_name",
    Outcome.INVALID_ROOM: "bad_name",
    Outcome.RESERVED_NAME: "bad_name",
    Outcome.NAME_TAKEN: "name_taken",
    Outcome.PASSWORD_REQUIRED: "account_required",
    Outcome.BAD_LOGIN: "bad_password",
    Outcome.BAD_PASSWORD: "bad_password",
    Outcome.THROTTLED: "throttled",
    Outcome.NO_ACCOUNT: "not_allowed",
    Outcome.HAS_ACCOUNT: "account_exists",
    Outcome.NO_SUCH_USER: "no_such_user",
    Outcome.NO_SUCH_ROOM: "no_such_room",
    Outcome.NOT_MEMBER: "not_member",
    Outcome.ALREADY_MEMBER: "not_allowed",
    Outcome.TOO_MANY_ROOMS: "not_allowed",
    Outcome.QUEUE_FULL: "queue_full",
    Outcome.LOBBY_IS_HOME: "not_allowed",
    Outcome.NOT_OPERATOR: "not_operator",
    Outcome.BANNED: "banned",
    Outcome.MUTED: "muted",
    Outcome.INVITE_ONLY: "invite_only",
    Outcome.BAD_KEY: "bad_key",
    Outcome.TARGET_NOT_MEMBER: "not_member",
    Outcome.TARGET_ALREADY_MEMBER: "not_allowed",
    Outcome.TOO_MANY_LISTINGS: "too_fast",
    Outcome.UNKNOWN_MODE: "bad_message",
    Outcome.BAD_TOKEN: "bad_token",
}
QUEUED = (Outcome.QUEUED, Outcome.QUEUED_UNCLAIMED)


def refusal(req: int | None, outcome: Outcome, subject: str = "", detail: str = "") -> bytes:
    """The `error` for a refused command (`detail`: seconds to wait, or a password rule)."""
    code = ERROR_CODE.get(outcome, "not_allowed")
    words = outcome.value[:1].upper() + outcome.value[1:]
    message = f"{words}: {subject}" if subject else words
    retry_after: float | None = None
    if outcome is Outcome.THROTTLED and detail.isdigit():
        retry_after = float(detail)
    elif detail:
        message = f"{message} ({detail})"
    return web.error(req, code, message, retry_after)


def refused(req: int | None, answer: Done) -> bytes:
    return refusal(req, answer.outcome, answer.subject, answer.detail)


# Messages ---------------------------------------------------------------------------------


def room_line(
    *, message_id: int, at: float, room: str, sender: str, text: str, mention: bool
) -> dict[str, object]:
    return {
        "type": "message",
        "id": message_id,
        "at": at,
        "room": room,
        "from": sender,
        "text": text,
        "mention": mention,
    }


def direct_line(
    *, message_id: int, at: float, sender: str, recipient: str, text: str, offline: bool
) -> dict[str, object]:
    line: dict[str, object] = {
        "type": "message",
        "id": message_id,
        "at": at,
        "from": sender,
        "to": recipient,
        "text": text,
    }
    if offline:
        line["offline"] = True
    return line


def stored_line(message: StoredMessage, mention: Callable[[str], bool]) -> dict[str, object]:
    """A message from history, shaped as a live one (`mention`: whether it names the user)."""
    if message.room is not None:
        return room_line(
            message_id=message.id,
            at=message.at,
            room=message.room,
            sender=message.sender,
            text=message.text,
            mention=mention(message.text),
        )
    return direct_line(
        message_id=message.id,
        at=message.at,
        sender=message.sender,
        recipient=message.recipient or "",
        text=message.text,
        offline=False,
    )


_ROOM_LINE = b'{"type":"message","id":%d,"at":%s,"room":%s,"from":%s,"text":%s,"mention":%s}'


def room_frames(event: RoomMessage, mention: Callable[[str], bool]) -> list[bytes]:
    """Each line of `event` as one message (ids follow the first one): the bytes of
    `web.encode` of a `room_line`, from a template (the fan-out path makes one per event,
    and the JSON encoder's dictionary walk was most of its cost)."""
    at = float.__repr__(event.at).encode()  # what JSON writes for a float
    room, sender = _json_text(event.room), _json_text(event.sender)
    texts = event.texts
    if len(texts) == 1:  # most events: one line, without the comprehension's machinery
        text = texts[0]
        flag = b"true" if mention(text) else b"false"
        return [_ROOM_LINE % (event.id, at, room, sender, json_string(text), flag)]
    return [
        _ROOM_LINE
        % (
            event.id + i,
            at,
            room,
            sender,
            json_string(text),
            b"true" if mention(text) else b"false",
        )
        for i, text in enumerate(event.texts)
    ]


def direct_frame(event: DirectMessage) -> bytes:
    at = event.queued_at if event.queued_at is not None else event.at
    offline = event.queued_at is not None
    line = direct_line(
        message_id=event.id,
        at=at,
        sender=event.sender,
        recipient=event.recipient,
        text=event.text,
        offline=offline,
    )
    return web.encode(line)


# Other deliveries -------------------------------------------------------------------------

_PRESENCE = {"joined": "join", "left": "leave", "quit": "quit"}


def _presence(event: Presence) -> dict[str, object]:
    body: dict[str, object] = {"type": "presence", "name": event.name}
    if event.room != "*":
        body["room"] = event.room
    body["kind"] = _PRESENCE[event.kind]
    if event.reason:
        body["reason"] = event.reason
    return body


def _typing(event: Typing) -> dict[str, object]:
    return {"type": "typing", "room": event.room, "from": event.sender, "text": event.text}


def _topic(event: TopicChanged) -> dict[str, object]:
    return {"type": "topic", "room": event.room, "by": event.name, "topic": event.topic}


def _kicked(event: Kicked) -> dict[str, object]:
    return {
        "type": "kicked",
        "room": event.room,
        "name": event.name,
        "by": event.by,
        "reason": event.reason,
    }


def _mode(event: ModeChanged) -> dict[str, object]:
    body: dict[str, object] = {"type": "mode", "room": event.room, "by": event.by}
    body["change"] = event.change
    if event.target:
        body["name"] = event.target
    return body


def _invited(event: Invited) -> dict[str, object]:
    return {"type": "invited", "room": event.room, "by": event.by, "name": event.name}


_Encoder = Callable[[Any], dict[str, object]]
# Deliveries that read the same for every receiver (messages are encoded per receiver: the
# `mention` flag is the receiver's own).
SHARED: dict[type, _Encoder] = {
    Presence: _presence,
    Typing: _typing,
    TopicChanged: _topic,
    Kicked: _kicked,
    ModeChanged: _mode,
    Invited: _invited,
    # From the IRC door (NICK, AWAY, SETNAME): the page ignores types it does not know yet.
    Renamed: lambda e: {"type": "renamed", "old": e.old, "new": e.new},
    AwayChanged: lambda e: {"type": "away", "name": e.name, "message": e.message},
    RealNameChanged: lambda e: {"type": "real_name", "name": e.name, "real_name": e.real_name},
}


def encode_shared(event: Delivery) -> bytes:
    return web.encode(SHARED[type(event)](event))


def room_entry(view: RoomView) -> dict[str, object]:
    """A room as `welcome` and `joined` show it."""
    return {
        "name": view.name,
        "topic": view.topic,
        "members": list(view.members),
        "operators": list(view.operators),
        "voiced": list(view.voiced),
        "muted": list(view.muted),
    }


def unread_entry(count: UnreadCount) -> dict[str, object]:
    return {
        "target": count.target,
        "unread": count.unread,
        "mentions": count.mentions,
        "last_read": count.last_read,
    }


def unread_frame(count: UnreadCount) -> bytes:
    """The ``unread`` message of one target: a template with the target's JSON text cached,
    since a busy room sends one per receiver per write."""
    return b'{"type":"unread","target":%s,"unread":%d,"mentions":%d,"last_read":%d}' % (
        _json_text(count.target),
        count.unread,
        count.mentions,
        count.last_read,
    )


def json_string(text: str) -> bytes:
    """`text` as a JSON string, escaped as `web.encode` escapes it."""
    return web.encode_string(text)


_json_text = functools.lru_cache(maxsize=4096)(json_string)  # names: few, and often repeated
