"""What a person on the plain door reads: deliveries and history lines as sentences.

Pure formatting for `parley.server.doors.plain`; seed 003's mode shows direct messages
exactly as seed 003 does (``sender: text``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from parley.chat.events import (
    LOBBY,
    Delivery,
    DirectMessage,
    Invited,
    Kicked,
    ModeChanged,
    Presence,
    RoomMessage,
    TopicChanged,
    Typing,
)
from parley.chat.store import StoredMessage

Mode = Literal["default", "seed003"]

_MODE_WORDS = {
    "+o": "made {} an operator of",
    "-o": "took operator status from {} in",
    "+v": "gave {} a voice in",
    "-v": "took the voice of {} in",
    "+b": "banned {} from",
    "-b": "lifted the ban on {} in",
    "+q": "muted {} in",
    "-q": "unmuted {} in",
    "+m": "made moderated:",
    "-m": "made unmoderated:",
    "+t": "locked the topic of",
    "-t": "unlocked the topic of",
    "+i": "made invite-only:",
    "-i": "opened to everyone:",
    "+k": "set a key on",
    "-k": "removed the key of",
    "+s": "made secret:",
    "-s": "made public:",
}


def _said(event: RoomMessage, mode: Mode) -> str:
    where = "" if event.room == LOBBY else f" (in {event.room})"
    return "\n".join(f"{event.sender}{where}: {text}" for text in event.texts)


def _direct(event: DirectMessage, mode: Mode) -> str:
    if mode == "seed003" and event.queued_at is None:
        return f"{event.sender}: {event.text}"
    when = ""
    if event.queued_at is not None:
        when = time.strftime(", sent %Y-%m-%d %H:%M UTC", time.gmtime(event.queued_at))
    return f"{event.sender} (private{when}): {event.text}"


def _presence(event: Presence, mode: Mode) -> str:
    if event.kind == "quit":
        return f"* {event.name} disconnected"
    return f"* {event.name} {event.kind} {event.room}"


def _topic(event: TopicChanged, mode: Mode) -> str:
    if not event.topic:
        return f"* {event.name} cleared the topic of {event.room}"
    return f"* {event.name} set the topic of {event.room}: {event.topic}"


def _kicked(event: Kicked, mode: Mode) -> str:
    reason = f" ({event.reason})" if event.reason else ""
    return f"* {event.name} was kicked from {event.room} by {event.by}{reason}"


def _mode_changed(event: ModeChanged, mode: Mode) -> str:
    words = _MODE_WORDS.get(event.change, event.change + " {}").format(event.target)
    return f"* {event.by} {words} {event.room}"


def _invited(event: Invited, mode: Mode) -> str:
    return f"* {event.by} invited you to {event.room}; /join {event.room} to go in"


_FORMATS: dict[type, Callable[[Any, Mode], str]] = {
    RoomMessage: _said,
    DirectMessage: _direct,
    Presence: _presence,
    TopicChanged: _topic,
    Kicked: _kicked,
    ModeChanged: _mode_changed,
    Invited: _invited,
    Typing: lambda event, mode: "",  # a person on a raw connection sees finished lines only
}


def format_delivery(event: Delivery, mode: Mode) -> str:
    """The line(s) a person reads for `event` ("" for nothing: typing previews)."""
    return _FORMATS[type(event)](event, mode)


def format_sent_direct(event: DirectMessage) -> str:
    """A direct message this user sent from another connection."""
    return f"(to {event.recipient}): {event.text}"


def format_stored(message: StoredMessage) -> str:
    """A history line: ``[HH:MM] alice (in teamchat): text`` in the server's UTC time."""
    stamp = time.strftime("%H:%M", time.gmtime(message.at))
    if message.recipient is not None:
        return f"[{stamp}] {message.sender} -> {message.recipient}: {message.text}"
    if message.room in (None, LOBBY):
        return f"[{stamp}] {message.sender}: {message.text}"
    return f"[{stamp}] {message.sender} (in {message.room}): {message.text}"
