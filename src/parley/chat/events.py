"""What the chat core delivers to sessions: frozen events, the same for every door.

An event says what happened in domain terms (who said what where); each door encodes it in its
own dialect. Events carry no wire bytes: the encode-once-per-dialect cache lives in the server
layer (`parley.server.doors.encoding`), keyed by the event's identity.
"""

from __future__ import annotations

from typing import Literal

from parley.records import record

LOBBY = "lobby"
OPERATOR_NAME = "server"


@record
class RoomMessage:
    """`sender` said each of `texts`, in order, in `room`: one read's worth of lines.

    One event per read rather than per line is what makes a busy room cheap: each receiver's
    door encodes and queues all the lines with one call. `id` is the first line's message id
    (the others follow it: id + 1, …) and `at` the server time, both as history keeps them;
    a message that is not kept (the operator's announcements) has id 0. A `notice` is a
    line that must never be answered automatically (IRC's NOTICE: bots speak that way).
    """

    sender: str
    texts: tuple[str, ...]
    room: str = LOBBY
    id: int = 0
    at: float = 0.0
    notice: bool = False
    tags: tuple[tuple[str, str], ...] = ()  # client tags (IRC's +name=value), not kept


@record
class DirectMessage:
    """`sender` sent `text` to `recipient` alone; `queued_at` is set if it waited offline.

    `id` and `at` are the message's id and server time, as history keeps them.
    """

    sender: str
    recipient: str
    text: str
    queued_at: float | None = None
    id: int = 0
    at: float = 0.0
    notice: bool = False  # never to be answered automatically (IRC's NOTICE)
    tags: tuple[tuple[str, str], ...] = ()  # client tags (IRC's +name=value), not kept


PresenceKind = Literal["joined", "left", "quit"]


@record
class Presence:
    """`name` joined or left `room`, or quit the server (then `room` is ``*``); a leaver
    may say why (`reason`, "" for nothing: IRC's PART and QUIT messages)."""

    name: str
    room: str
    kind: PresenceKind
    reason: str = ""


@record
class Typing:
    """`sender`'s unfinished line in `room` is now `text` (empty: they cleared it)."""

    sender: str
    text: str
    room: str = LOBBY


@record
class TopicChanged:
    """`name` set the topic of `room` to `topic` (empty: cleared)."""

    name: str
    room: str
    topic: str


@record
class Kicked:
    """`name` was put out of `room` by `by` (every member and `name` itself are told)."""

    room: str
    name: str
    by: str
    reason: str = ""


@record
class ModeChanged:
    """`by` changed `room`: `change` is IRC-style (``+o``, ``-m``, ``+b``), `target` its name.

    The key of a keyed room is never sent: ``+k`` carries no target.
    """

    room: str
    by: str
    change: str
    target: str = ""


@record
class Invited:
    """`by` invited `name` to `room` (told to the invitee, and to the room's operators)."""

    room: str
    by: str
    name: str


@record
class Renamed:
    """The user called `old` is now called `new` (told to everyone online)."""

    old: str
    new: str


@record
class AwayChanged:
    """`name` is away with `message`, or back (an empty message)."""

    name: str
    message: str


@record
class RealNameChanged:
    """`name` now gives `real_name` as its real name."""

    name: str
    real_name: str


@record
class TagMessage:
    """`sender` sent client tags alone (IRC's TAGMSG: a reaction, a reply marker) to `room` or
    to `recipient`. Never kept; delivered only to the sessions that listen for tags, the
    only ones that can show it (`parley.chat.relaying`)."""

    sender: str
    tags: tuple[tuple[str, str], ...]
    room: str = ""
    recipient: str = ""
    id: int = 0
    at: float = 0.0


Delivery = (
    RoomMessage
    | DirectMessage
    | Presence
    | Typing
    | TopicChanged
    | Kicked
    | ModeChanged
    | Invited
    | Renamed
    | AwayChanged
    | RealNameChanged
    | TagMessage
)
