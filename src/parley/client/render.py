"""How what the server says is shown to a person: one line of text and where it goes.

Chat lines (relayed messages and any other plain line) go to standard output, exactly as the
server sent them; numbered replies and the client's own notices go to standard error, so a
script can read the conversation from stdout alone. Progress lines go to standard error only
when a person is watching it (a terminal), so a script's stderr holds only real problems.
Every control character is neutralised here, so no server can move the cursor, clear the
screen or forge a line on our terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from parley.client.session import ConnectionClosed, SessionEvent
from parley.protocol.chat1 import (
    VERSION,
    IncomingMessage,
    Notice,
    NumericReply,
    PresenceNotice,
    ServerDisconnect,
    neutralise_controls,
)

SERVER_DISCONNECTED = "Disconnected from server ... exiting now!"
CONNECTION_LOST = "Connection to server lost ... exiting now!"


class Channel(Enum):
    """Where a line is shown."""

    CHAT = "chat"
    """Standard output: the conversation."""
    NOTICE = "notice"
    """Standard error: server replies and problems."""
    PROGRESS = "progress"
    """Standard error, but only on a terminal: "Connecting to server ..." and the like."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text to show, without its line end."""

    text: str
    channel: Channel = Channel.CHAT

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
    if isinstance(event, IncomingMessage):
        return Line(neutralise_controls(f"{_message_head(event)}: {event.text}"))
    if isinstance(event, Notice):
        return Line(neutralise_controls(event.text))
    if isinstance(event, NumericReply):
        return Line.notice(f"server: {event.code} {event.text}".rstrip())
    if isinstance(event, ServerDisconnect):
        return Line.notice(SERVER_DISCONNECTED)
    if isinstance(event, ConnectionClosed):
        return Line.notice(CONNECTION_LOST)
    if isinstance(event, PresenceNotice):
        return Line(
            neutralise_controls(f"{event.kind.upper()} {event.room} {event.name} {VERSION}")
        )
    # An event type added to the protocol later: still shown, never a crash.
    return Line(neutralise_controls(str(event)))


def _message_head(event: IncomingMessage) -> str:
    """``@name``, with the room, recipient or typing mark of the extensions if present."""
    if event.typing:
        return f"@{event.name} ~" + (f"#{event.room}" if event.room else "")
    if event.recipient is not None:
        return f"@{event.name} > {event.recipient}"
    if event.room is not None:
        return f"@{event.name} #{event.room}"
    return f"@{event.name}"
