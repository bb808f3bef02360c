"""How what the server says is shown to a person: one line of text and where it goes.

Chat lines (relayed messages and any other plain line) go to standard output, exactly as the
server sent them; numbered replies and the client's own notices go to standard error, so a
script can read the conversation from stdout alone. Progress lines go to standard error only
when a person is watching it (a terminal), so a script's stderr holds only real problems.
Every control character is neutralised here, so no server can move the cursor, clear the
screen or forge a line on our terminal.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from parley.client.session import ConnectionClosed, SessionEvent
from parley.protocol.chat1 import (
    VERSION,
    IncomingMessage,
    Notice,
    NumericReply,
    PresenceNotice,
    ServerDisconnect,
    ServerEvent,
    neutralise_controls,
)
from parley.protocol.names import name_key
from parley.records import record

SERVER_DISCONNECTED = "Disconnected from server ... exiting now!"
CONNECTION_LOST = "Connection to server lost ... exiting now!"


class Older(Enum):
    """A part of an older page of history, fetched by scrolling back past the top of a
    full-screen buffer: it goes at the top of its buffer, never counted as unread."""

    LINE = "line"
    """One older message."""
    END = "end"
    """The page is complete (nothing to show)."""
    NONE = "none"
    """There were none: "No earlier messages" (ask no more for that buffer)."""


class Channel(Enum):
    """Where a line is shown."""

    CHAT = "chat"
    """Standard output: the conversation."""
    NOTICE = "notice"
    """Standard error: server replies and problems."""
    PROGRESS = "progress"
    """Standard error, but only on a terminal: "Connecting to server ..." and the like."""


@record
class Line:
    """One line of text to show, without its line end."""

    text: str
    channel: Channel = Channel.CHAT
    dim: bool = False
    """Shown dimmed on a terminal (history: what was said before you looked)."""
    mention: bool = False
    """Someone said your name or one of your highlight words: highlighted, with a bell."""
    speaker: str | None = field(default=None, compare=False)
    """The name shown in `text` at `speaker_at` (drawn in that name's colour on a terminal)."""
    speaker_at: int = field(default=0, compare=False)
    at: float | None = field(default=None, compare=False)
    """When it was said, for a line from the store (`text` then starts with its stamp)."""
    stamp_width: int = field(default=0, compare=False)
    """How many characters of `text` are the stamp of `at` (``[08:00] ``)."""
    highlights: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    """Spans (start, end) of `text` to highlight: your name, your highlight words."""
    timed: bool = field(default=True, compare=False)
    """Whether the time goes before it on a terminal (not in a question, say a fingerprint)."""
    where: str | None = field(default=None, compare=False)
    """The conversation it belongs to (``#dev``, ``#lobby``, ``@bob``: see
    `parley.client.catchup.conversation`); None for a line about no one conversation. Only
    the full-screen mode uses it, to put the line in that conversation's buffer."""
    message_id: int | None = field(default=None, compare=False)
    """The stored message's id, for a line from history (what older pages are asked before)."""
    older: Older | None = field(default=None, compare=False)
    """Part of an older page asked for by the full-screen mode (see `Older`)."""

    @classmethod
    def notice(cls, text: str) -> Line:
        """A line for standard error, with control characters neutralised."""
        return cls(neutralise_controls(text), Channel.NOTICE)

    @classmethod
    def progress(cls, text: str) -> Line:
        """A progress line, for a person watching (never clutters a script's output)."""
        return cls(neutralise_controls(text), Channel.PROGRESS)


def render_event(event: SessionEvent) -> Line:
    """The line that shows `event` to the user: the server's line as it was sent."""
    render = _RENDERERS.get(type(event))
    if render is None:  # an event type added to the protocol later: still shown, never a crash
        return Line(neutralise_controls(str(event)))
    return render(event)


_RENDERERS: dict[type, Callable[[Any], Line]] = {
    IncomingMessage: lambda e: Line(neutralise_controls(f"{_message_head(e)}: {e.text}")),
    Notice: lambda e: Line(neutralise_controls(e.text)),
    NumericReply: lambda e: Line.notice(f"server: {e.code} {e.text}".rstrip()),
    ServerDisconnect: lambda e: Line.notice(SERVER_DISCONNECTED),
    ConnectionClosed: lambda e: Line.notice(CONNECTION_LOST),
    PresenceNotice: lambda e: Line(
        neutralise_controls(f"{e.kind.upper()} {e.room} {e.name} {VERSION}")
    ),
}
"""How each event is shown as the server sent it."""


def room_message(name: str, room: str, text: str) -> Line:
    """A message in a room other than the lobby, as seed 003 shows it."""
    return _spoken(f"{name} (in {room}): {text}", name, 0)


def lobby_message(name: str, text: str) -> Line:
    """A lobby message: seed 004's line, exactly as relayed."""
    return _spoken(f"@{name}: {text}", name, 1)


def direct_message(name: str, text: str, *, plain: bool = False) -> Line:
    """A direct message: ``alice (private): text`` (``alice: text`` as seed 003 shows it)."""
    head = name if plain else f"{name} (private)"
    return _spoken(f"{head}: {text}", name, 0)


def presence(kind: str, room: str, name: str) -> Line:
    """``* bob joined teamchat``, ``* bob left teamchat``, ``* bob disconnected``."""
    if kind == "quit":
        return _spoken(f"* {name} disconnected", name, 2)
    return _spoken(f"* {name} {kind} {room}", name, 2)


def _spoken(text: str, name: str, at: int) -> Line:
    """A chat line naming `name` at offset `at` (neutralising keeps every offset)."""
    return Line(neutralise_controls(text), speaker=neutralise_controls(name), speaker_at=at)


def describe_reply(code: int, text: str, *, joining: str | None = None) -> Line | None:
    """A numbered reply of the extensions in words (`joining`: the room asked for); or None.

    Answers (who, rooms, a message kept for later) are chat lines; refusals are notices.
    """
    if code == 230:
        name, _, why = argument(text, "Queued for").partition(" (offline")
        if "no account" in why:  # the name is its only identity: anyone may take it next
            return Line(
                f"{name} is offline and has no account; whoever takes the name next will "
                "receive the message."
            )
        return Line(f"{name} is offline; the message will be delivered when they return.")
    if code == 250:
        names = text.split()
        return Line(f"Online ({len(names)}): {', '.join(names)}")
    if code == 251:
        room, *members = text.split() or ["?"]
        return Line(f"{room} ({len(members)}): {', '.join(members)}")
    refusals = {
        410: f"No such user {argument(text, 'No such user')}: nobody by that name has been "
        "online since the server started. The message was not sent.",
        411: f"You are not in room {argument(text, 'Not in room')}.",
        412: f"Invalid room name {joining or text!r}: use one word of letters, digits, _ - .",
        414: f"{argument(text, 'Offline queue full for')} has too many messages waiting; "
        "try again later. The message was not sent.",
        416: "You are in too many rooms; leave one first.",
        418: "Everyone stays in the lobby.",
    }
    return Line.notice(refusals[code]) if code in refusals else None


def stamp(at: float, now: float) -> str:
    """``[08:00]`` for a time today (local time), ``[2026-11-20 08:00]`` for an earlier day."""
    when, today = time.localtime(at), time.localtime(now)
    if when[:3] == today[:3]:
        return time.strftime("[%H:%M]", when)
    return time.strftime("[%Y-%m-%d %H:%M]", when)


def history_line(
    event: ServerEvent, at: float, now: float, *, me: str, plain: bool = False
) -> Line:
    """A message from the store: ``[HH:MM] alice (in teamchat): text``, dimmed.

    The lobby's lines keep seed 004's form (``[HH:MM] @alice: text``); a private message is
    ``bob (private): text``, or ``alice (private to bob): text`` for one you sent.
    """
    if isinstance(event, IncomingMessage) and not event.typing:
        if event.recipient is not None:
            if name_key(event.name) == name_key(me):
                line = Line(f"{event.name} (private to {event.recipient}): {event.text}")
            else:
                line = direct_message(event.name, event.text, plain=plain)
        elif event.room is not None and name_key(event.room) != LOBBY_KEY:
            line = room_message(event.name, event.room, event.text)
        else:
            line = lobby_message(event.name, event.text)
    else:
        line = render_event(event)
    prefix = f"{stamp(at, now)} "
    return Line(
        neutralise_controls(prefix + line.text),
        Channel.CHAT,
        dim=True,
        speaker=line.speaker,
        speaker_at=line.speaker_at + len(prefix),
        at=at,
        stamp_width=len(prefix),
    )


LOBBY_KEY = "lobby"
_QUEUED = re.compile(r"\[private, sent (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d) UTC\] ")


def queued_private(text: str) -> tuple[float, str] | None:
    """``[private, sent 2026-11-21 08:00 UTC] text``: when it was sent (Unix time), and the text.

    That is how a Parley server hands a message kept while we were away to a client that
    has not asked for ``dm`` yet. None if `text` does not start so.
    """
    match = _QUEUED.match(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute = (int(group) for group in match.groups())
        at = datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()
        time.localtime(at)  # a date the platform cannot show is not one we recognise
    except (ValueError, OverflowError, OSError):
        return None
    return at, text[match.end() :]


def argument(text: str, prefix: str) -> str:
    """What follows `prefix` in a reply's text (the whole text if it does not start so)."""
    rest = text.removeprefix(prefix).strip()
    return rest or text.strip()


def _message_head(event: IncomingMessage) -> str:
    """``@name``, with the room, recipient or typing mark of the extensions if present."""
    if event.typing:
        return f"@{event.name} ~" + (f"#{event.room}" if event.room else "")
    if event.recipient is not None:
        return f"@{event.name} > {event.recipient}"
    if event.room is not None:
        return f"@{event.name} #{event.room}"
    return f"@{event.name}"
