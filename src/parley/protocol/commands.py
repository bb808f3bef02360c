"""What a person typed, as commands: the vocabulary shared by the terminal client and the
plain door, which parse the same commands (``/join``, ``/msg``, ``?``, seed 003's words) from
a person's line. Pure data: no parsing here, and nothing that knows about sockets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendDirect:
    """Send `text` to `recipient` alone."""

    recipient: str
    text: str


@dataclass(frozen=True, slots=True)
class JoinRoom:
    """Join (creating if needed) `room` and make it current."""

    room: str


@dataclass(frozen=True, slots=True)
class LeaveRoom:
    """Leave `room`, or the current room when None."""

    room: str | None


@dataclass(frozen=True, slots=True)
class ListUsers:
    """Who is online."""


@dataclass(frozen=True, slots=True)
class ListRooms:
    """Rooms and their members."""


@dataclass(frozen=True, slots=True)
class ShowHistory:
    """Earlier messages of a room (``#name`` or a room name) or with a user (``@name``)."""

    target: str | None
    count: int | None


@dataclass(frozen=True, slots=True)
class SearchHistory:
    """Messages holding some words, in a room (``#name``), with a user (``@name``) or
    (no target) everywhere one may read."""

    text: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class SetTopic:
    """Show (None), or set, the current room's topic."""

    text: str | None


@dataclass(frozen=True, slots=True)
class Quit:
    """Leave the server."""


@dataclass(frozen=True, slots=True)
class Nothing:
    """An empty line: nothing to do."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """A line that looks like a command but is not a correct one; `message` says why."""

    message: str
