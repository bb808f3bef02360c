"""IRC in the server's words: deliveries as IRC messages, and the numerics of refusals.

Encoding for `parley.server.doors.irc`. Rooms are channels (``dev`` is ``#dev``, the lobby
``#lobby``); a user's prefix is ``nick!user@parley``. What a delivery looks like depends on
what the receiving client asked for (its capabilities): the encoders read that from a
`Viewer`, the door itself, and return whole messages with their tags.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from parley.chat.answers import Outcome
from parley.chat.events import (
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
    TagMessage,
    TopicChanged,
    Typing,
)
from parley.chat.store import StoredMessage
from parley.protocol.irc import Message, encode, encode_texts

HOST = "parley"
_TAGGING = frozenset({"server-time", "message-tags", "account-tag"})  # what `tags` reads


class Viewer(Protocol):
    """What encoding needs to know of the receiving client."""

    @property
    def nick(self) -> str:
        """The receiver's nick."""
        ...

    @property
    def caps(self) -> frozenset[str]:
        """The capabilities it enabled."""
        ...

    def prefix_of(self, nick: str) -> str:
        """``nick!user@host`` of a user."""
        ...

    def account_of(self, nick: str) -> str:
        """The account `nick` is logged in to ("" for none)."""
        ...

    def real_name_of(self, nick: str) -> str:
        """The real name of a user online."""
        ...

    def away_of(self, nick: str) -> str:
        """The away message of a user online ("": not away)."""
        ...

    def tags(self, at: float | None, msgid: int = 0, sender: str = "") -> dict[str, str]:
        """The tags the receiver's capabilities ask for on a message."""
        ...


def channel(room: str) -> str:
    """The IRC channel of a room."""
    return "#" + room.removeprefix("#")


def prefix(nick: str) -> str:
    """``nick!nick@parley``: the prefix of a user whose user name is not known."""
    return f"{nick}!{nick}@{HOST}"


def _said(event: RoomMessage, viewer: Viewer) -> list[Message]:
    source, target = viewer.prefix_of(event.sender), channel(event.room)
    verb, own = "NOTICE" if event.notice else "PRIVMSG", _client_tags(event, viewer)
    return [
        Message(
            verb,
            (target, text),
            source,
            viewer.tags(event.at or None, event.id + index if event.id else 0, event.sender) | own,
            trailing=True,
        )
        for index, text in enumerate(event.texts)
    ]


def encode_said(event: RoomMessage, viewer: Viewer) -> bytes:
    """The bytes of `_said` (every line of a room message): without a `Message` for each
    line when the receiver's capabilities add no tags to it, which is the common case."""
    if not viewer.caps.isdisjoint(_TAGGING):
        return b"".join(map(encode, _said(event, viewer)))
    verb = "NOTICE" if event.notice else "PRIVMSG"
    source = viewer.prefix_of(event.sender)
    return encode_texts(source, verb, channel(event.room), event.texts)


def _client_tags(event: RoomMessage | DirectMessage, viewer: Viewer) -> dict[str, str]:
    """The sender's client tags, for a receiver that asked for message-tags."""
    return dict(event.tags) if event.tags and "message-tags" in viewer.caps else {}


def _direct(event: DirectMessage, viewer: Viewer) -> list[Message]:
    text = event.text
    if event.queued_at is not None and "server-time" not in viewer.caps:
        sent = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(event.queued_at))
        text = f"[sent {sent}] {text}"
    tags = viewer.tags(event.queued_at or event.at or None, event.id, event.sender)
    tags |= _client_tags(event, viewer)
    source, verb = viewer.prefix_of(event.sender), "NOTICE" if event.notice else "PRIVMSG"
    return [Message(verb, (event.recipient, text), source, tags, trailing=True)]


def _presence(event: Presence, viewer: Viewer) -> list[Message]:
    source, tags = viewer.prefix_of(event.name), viewer.tags(None, 0, event.name)
    if event.kind == "quit":
        said = f"Quit: {event.reason}" if event.reason else "Quit"
        return [Message("QUIT", (said,), source, tags, trailing=True)]
    if event.kind == "left":
        parted = (channel(event.room), event.reason) if event.reason else (channel(event.room),)
        return [Message("PART", parted, source, tags, trailing=bool(event.reason))]
    params: tuple[str, ...] = (channel(event.room),)
    if "extended-join" in viewer.caps:
        account = viewer.account_of(event.name) or "*"
        params = (channel(event.room), account, viewer.real_name_of(event.name))
    joined = [Message("JOIN", params, source, tags, trailing=len(params) > 1)]
    away = viewer.away_of(event.name) if "away-notify" in viewer.caps else ""
    if away:  # away-notify: a joiner who is away says so at once
        joined.append(Message("AWAY", (away,), source, tags, trailing=True))
    return joined


def _topic(event: TopicChanged, viewer: Viewer) -> list[Message]:
    source, tags = viewer.prefix_of(event.name), viewer.tags(None, 0, event.name)
    return [Message("TOPIC", (channel(event.room), event.topic), source, tags, trailing=True)]


def _kicked(event: Kicked, viewer: Viewer) -> list[Message]:
    params = (channel(event.room), event.name, event.reason or event.by)
    tags = viewer.tags(None, 0, event.by)
    return [Message("KICK", params, viewer.prefix_of(event.by), tags, trailing=True)]


def _mode(event: ModeChanged, viewer: Viewer) -> list[Message]:
    params = (channel(event.room), event.change, *((event.target,) if event.target else ()))
    return [Message("MODE", params, viewer.prefix_of(event.by), viewer.tags(None, 0, event.by))]


def _invited(event: Invited, viewer: Viewer) -> list[Message]:
    if event.name.casefold() != viewer.nick.casefold() and "invite-notify" not in viewer.caps:
        return []
    params = (event.name, channel(event.room))
    return [Message("INVITE", params, viewer.prefix_of(event.by), viewer.tags(None, 0, event.by))]


def _renamed(event: Renamed, viewer: Viewer) -> list[Message]:
    user_part = viewer.prefix_of(event.new).partition("!")[2] or f"{event.old}@{HOST}"
    source = f"{event.old}!{user_part}"
    return [Message("NICK", (event.new,), source, viewer.tags(None, 0, event.new), trailing=True)]


def _away(event: AwayChanged, viewer: Viewer) -> list[Message]:
    if "away-notify" not in viewer.caps:
        return []
    params = (event.message,) if event.message else ()
    tags = viewer.tags(None, 0, event.name)
    return [Message("AWAY", params, viewer.prefix_of(event.name), tags, trailing=bool(params))]


def _real_name(event: RealNameChanged, viewer: Viewer) -> list[Message]:
    if "setname" not in viewer.caps:
        return []
    source, tags = viewer.prefix_of(event.name), viewer.tags(None, 0, event.name)
    return [Message("SETNAME", (event.real_name,), source, tags, trailing=True)]


def _tag_message(event: TagMessage, viewer: Viewer) -> list[Message]:
    if "message-tags" not in viewer.caps:
        return []
    target = channel(event.room) if event.room else event.recipient
    tags = viewer.tags(event.at or None, event.id, event.sender) | dict(event.tags)
    return [Message("TAGMSG", (target,), viewer.prefix_of(event.sender), tags)]


ENCODERS: dict[type, Callable[[Any, Viewer], list[Message]]] = {
    RoomMessage: _said,
    DirectMessage: _direct,
    Presence: _presence,
    TopicChanged: _topic,
    Kicked: _kicked,
    ModeChanged: _mode,
    Invited: _invited,
    Renamed: _renamed,
    AwayChanged: _away,
    RealNameChanged: _real_name,
    TagMessage: _tag_message,
    Typing: lambda event, viewer: [],  # live typing has no IRC form here (draft/typing later)
}


def encode_delivery(event: Event, viewer: Viewer) -> list[Message]:
    """A delivery as the IRC client `viewer` reads it."""
    return ENCODERS[type(event)](event, viewer)


def stored_message(message: StoredMessage, viewer: Viewer, verb: str = "PRIVMSG") -> Message:
    """A message from history as it was relayed (with its id and time as tags)."""
    target = channel(message.room) if message.room is not None else message.recipient or ""
    tags = viewer.tags(message.at, message.id, message.sender)
    return Message(verb, (target, message.text), viewer.prefix_of(message.sender), tags, True)


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
    Outcome.ACCOUNT_NAME: ("435", "Your nick is your account's name: it cannot change"),
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
    Outcome.ROOM_FULL: ("471", "Cannot join channel (+l)"),
    Outcome.BAD_KEY: ("475", "Cannot join channel (+k)"),
    Outcome.TARGET_NOT_MEMBER: ("441", "They aren't on that channel"),
    Outcome.TARGET_ALREADY_MEMBER: ("443", "is already on channel"),
    Outcome.UNKNOWN_MODE: ("472", "is unknown mode char to me"),
    Outcome.TOO_MANY_LISTINGS: ("263", "Server load is temporarily too heavy; try again"),
}
