"""IRC in the server's words: deliveries as IRC messages, and the numerics of refusals.

Pure encoding for `parley.server.doors.irc`. Rooms are channels (``dev`` is ``#dev``, the
lobby ``#lobby``); a user's prefix is ``nick!nick@parley``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from parley.chat.answers import Outcome
from parley.chat.events import (
    Delivery as Event,
    DirectMessage,
    Invited,
    Kicked,
    ModeChanged,
    Presence,
    RoomMessage,
    TopicChanged,
    Typing,
)
from parley.protocol.irc import Message, encode

HOST = "parley"


def channel(room: str) -> str:
    """The IRC channel of a room."""
    return "#" + room.removeprefix("#")


def prefix(nick: str) -> str:
    """``nick!nick@parley``: Parley has no user names or hosts to show."""
    return f"{nick}!{nick}@{HOST}"


def _said(event: RoomMessage, me: str) -> bytes:
    source, target = prefix(event.sender), channel(event.room)
    return b"".join(
        encode(Message("PRIVMSG", (target, text), source, trailing=True)) for text in event.texts
    )


def _direct(event: DirectMessage, me: str) -> bytes:
    text = event.text
    if event.queued_at is not None:
        sent = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(event.queued_at))
        text = f"[sent {sent}] {text}"
    return encode(Message("PRIVMSG", (event.recipient, text), prefix(event.sender), trailing=True))


def _presence(event: Presence, me: str) -> bytes:
    source = prefix(event.name)
    if event.kind == "quit":
        return encode(Message("QUIT", ("Quit",), source, trailing=True))
    verb = "JOIN" if event.kind == "joined" else "PART"
    return encode(Message(verb, (channel(event.room),), source))


def _topic(event: TopicChanged, me: str) -> bytes:
    message = Message(
        "TOPIC", (channel(event.room), event.topic), prefix(event.name), trailing=True
    )
    return encode(message)


def _kicked(event: Kicked, me: str) -> bytes:
    params = (channel(event.room), event.name, event.reason or event.by)
    return encode(Message("KICK", params, prefix(event.by), trailing=True))


def _mode(event: ModeChanged, me: str) -> bytes:
    params = (channel(event.room), event.change, *((event.target,) if event.target else ()))
    return encode(Message("MODE", params, prefix(event.by)))


def _invited(event: Invited, me: str) -> bytes:
    return encode(Message("INVITE", (me, channel(event.room)), prefix(event.by)))


ENCODERS: dict[type, Callable[[Any, str], bytes]] = {
    RoomMessage: _said,
    DirectMessage: _direct,
    Presence: _presence,
    TopicChanged: _topic,
    Kicked: _kicked,
    ModeChanged: _mode,
    Invited: _invited,
    Typing: lambda event, me: b"",  # live typing has no IRC form here (draft/typing later)
}


def encode_delivery(event: Event, me: str) -> bytes:
    """A delivery as an IRC client reads it (`me`: the receiving nick)."""
    return ENCODERS[type(event)](event, me)


# Outcome -> (numeric, text); "{}" is the subject (a channel or a nick).
NUMERICS: dict[Outcome, tuple[str, str]] = {
    Outcome.NOT_REGISTERED: ("451", "You have not registered"),
    Outcome.ALREADY_REGISTERED: ("462", "You may not reregister"),
    Outcome.INVALID_NAME: ("432", "Erroneous nickname"),
    Outcome.RESERVED_NAME: ("432", "Erroneous nickname: reserved"),
    Outcome.NAME_TAKEN: ("433", "Nickname is already in use"),
    Outcome.PASSWORD_REQUIRED: (
        "433",
        "Nickname is registered: connect with its password (PASS or SASL)",
    ),
    Outcome.BAD_LOGIN: ("464", "Password incorrect"),
    Outcome.THROTTLED: ("464", "Too many failed attempts; wait and try again"),
    Outcome.NO_SUCH_USER: ("401", "No such nick"),
    Outcome.NO_SUCH_ROOM: ("403", "No such channel"),
    Outcome.NOT_MEMBER: ("442", "You're not on that channel"),
    Outcome.INVALID_ROOM: ("479", "Illegal channel name"),
    Outcome.TOO_MANY_ROOMS: ("405", "You have joined too many channels"),
    Outcome.QUEUE_FULL: ("407", "Too many messages waiting for that nick"),
    Outcome.LOBBY_IS_HOME: ("442", "Everyone stays in #lobby"),
    Outcome.NOT_OPERATOR: ("482", "You're not channel operator"),
    Outcome.BANNED: ("474", "Cannot join channel (+b)"),
    Outcome.MUTED: ("404", "Cannot send to channel"),
    Outcome.INVITE_ONLY: ("473", "Cannot join channel (+i)"),
    Outcome.BAD_KEY: ("475", "Cannot join channel (+k)"),
    Outcome.TARGET_NOT_MEMBER: ("441", "They aren't on that channel"),
    Outcome.TARGET_ALREADY_MEMBER: ("443", "is already on channel"),
    Outcome.UNKNOWN_MODE: ("472", "is unknown mode char to me"),
    Outcome.TOO_MANY_LISTINGS: ("263", "Server load is temporarily too heavy; try again"),
}
