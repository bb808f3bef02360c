"""What a person typed, as commands: the vocabulary shared by the terminal client and the
plain door, which parse the same commands (``/join``, ``/msg``, ``?``, seed 003's words) from
a person's line. Pure data: no parsing here, and nothing that knows about sockets."""

from __future__ import annotations

from parley.records import record


@record
class SendDirect:
    """Send `text` to `recipient` alone."""

    recipient: str
    text: str


@record
class JoinRoom:
    """Join (creating if needed) `room` and make it current."""

    room: str


@record
class LeaveRoom:
    """Leave `room`, or the current room when None."""

    room: str | None


@record
class ListUsers:
    """Who is online."""


@record
class ListRooms:
    """Rooms and their members."""


@record
class ShowHistory:
    """Earlier messages of a room (``#name`` or a room name) or with a user (``@name``)."""

    target: str | None
    count: int | None


@record
class SearchHistory:
    """Messages holding some words, in a room (``#name``), with a user (``@name``) or
    (no target) everywhere one may read."""

    text: str
    target: str | None = None


@record
class SetTopic:
    """Show (None), or set, the current room's topic."""

    text: str | None


@record
class Quit:
    """Leave the server."""


@record
class Nothing:
    """An empty line: nothing to do."""


@record
class Invalid:
    """A line that looks like a command but is not a correct one; `message` says why."""

    message: str
