"""What a person on the plain door reads: deliveries and history lines as sentences.

Pure formatting for `parley.server.doors.plain`; seed 003's mode shows direct messages
exactly as seed 003 does (``sender: text``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from parley.chat.answers import Outcome
from parley.chat.events import (
    LOBBY,
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

Mode = Literal["default", "seed003"]

# What a person reads when the core refuses: "{}" is the subject, "{detail}" the detail.
REFUSALS = {
    Outcome.NOT_REGISTERED: "You are not registered.",
    Outcome.INVALID_ROOM: "Invalid room name {}: use letters, digits, _ - .",
    Outcome.NO_SUCH_USER: "No such user {}.",
    Outcome.NO_SUCH_ROOM: "You are not in room {}.",
    Outcome.NOT_MEMBER: "You are not in room {}.",
    Outcome.ALREADY_MEMBER: "You are already in {}.",
    Outcome.TOO_MANY_ROOMS: "You are in too many rooms; leave one first.",
    Outcome.QUEUE_FULL: "{} has too many messages waiting; try later.",
    Outcome.LOBBY_IS_HOME: "Everyone stays in the lobby; /leave leaves other rooms.",
    Outcome.QUEUED: "{} is offline; your message will be delivered when they return.",
    Outcome.QUEUED_UNCLAIMED: (
        "{} is offline and has no account; whoever takes the name next receives your message."
    ),
    Outcome.TARGET_ALREADY_MEMBER: "{} is already in this room.",
    Outcome.TOO_MANY_LISTINGS: "Too many listings; wait a little.",
    Outcome.BAD_LOGIN: "Wrong name or password.",
    Outcome.NO_ACCOUNT: "You have no account; /register PASSWORD makes one.",
    Outcome.NAME_TAKEN: "That name is in use.",
    Outcome.HAS_ACCOUNT: "Your name already has an account.",
    Outcome.BAD_PASSWORD: "Unacceptable password: {detail}.",
    Outcome.THROTTLED: "Too many failed attempts; wait {detail} s.",
    Outcome.NOT_OPERATOR: "You are not an operator of {}.",
    Outcome.BANNED: "You are banned from {}.",
    Outcome.MUTED: "You may not speak in {}.",
    Outcome.INVITE_ONLY: "{} is invite-only: ask an operator for an /invite.",
    Outcome.BAD_KEY: "Wrong key for {}: /join ROOM KEY.",
    Outcome.TARGET_NOT_MEMBER: "{} is not in this room.",
    Outcome.UNKNOWN_MODE: "Unknown mode {}.",
    Outcome.ROOM_FULL: "{} is full: ask an operator for an /invite.",
}


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
    reason = f" ({event.reason})" if event.reason else ""  # as IRC's PART and QUIT say it
    if event.kind == "quit":
        return f"* {event.name} disconnected{reason}"
    return f"* {event.name} {event.kind} {event.room}{reason}"


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
    Renamed: lambda event, mode: f"* {event.old} is now known as {event.new}",
    AwayChanged: lambda event, mode: (
        f"* {event.name} is away: {event.message}" if event.message else f"* {event.name} is back"
    ),
    RealNameChanged: lambda event, mode: f"* {event.name} is now {event.real_name}",
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
