"""What the chat core answers to the session that gave a command.

Every command is total: a refusal is an `Outcome` in the answer, never an exception. Doors map
each outcome to their own words (a numbered reply, a sentence, an IRC numeric).
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum

from parley.chat.store import StoredMessage
from parley.records import record


class Outcome(Enum):
    """Why a command did, or did not, take effect."""

    OK = "ok"
    QUEUED = "queued for an offline account"
    QUEUED_UNCLAIMED = "queued for a name without an account"
    NOT_REGISTERED = "not registered"
    ALREADY_REGISTERED = "already registered"
    INVALID_NAME = "invalid name"
    INVALID_ROOM = "invalid room name"
    RESERVED_NAME = "reserved name"
    NAME_TAKEN = "name in use"
    PASSWORD_REQUIRED = "password required"
    BAD_LOGIN = "invalid name or password"
    BAD_PASSWORD = "unacceptable password"
    THROTTLED = "too many failed attempts"
    NO_ACCOUNT = "no account"
    HAS_ACCOUNT = "already has an account"
    NO_SUCH_USER = "no such user"
    NO_SUCH_ROOM = "no such room"
    NOT_MEMBER = "not a member"
    ALREADY_MEMBER = "already a member"
    TOO_MANY_ROOMS = "too many rooms"
    QUEUE_FULL = "offline queue full"
    LOBBY_IS_HOME = "everyone stays in the lobby"
    NOT_OPERATOR = "not a room operator"
    BANNED = "banned from the room"
    MUTED = "may not speak in the room"
    INVITE_ONLY = "invite only"
    BAD_KEY = "wrong room key"
    TARGET_NOT_MEMBER = "the user is not in the room"
    TARGET_ALREADY_MEMBER = "the user is already in the room"
    TOO_MANY_LISTINGS = "too many listings; wait a little"
    NOTHING_TO_SEARCH = "a search needs a word to look for"
    UNKNOWN_MODE = "unknown room mode"
    BAD_TOKEN = "unknown or expired session token"
    ACCOUNT_NAME = "an account's name cannot change"
    ROOM_FULL = "the room is full"


@record
class Done:
    """A command's outcome; `subject` names what it was about (a room, a user)."""

    outcome: Outcome
    subject: str = ""
    detail: str = ""  # a wait in seconds, a password rule: what a person needs to know

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@record
class RoomView:
    """A room as a listing shows it."""

    name: str
    members: tuple[str, ...]
    topic: str = ""
    operators: tuple[str, ...] = ()  # the members who are its operators, voiced, muted
    voiced: tuple[str, ...] = ()
    muted: tuple[str, ...] = ()


@record
class Registered:
    """The answer to a registration, login or sign-up."""

    outcome: Outcome
    name: str = ""
    others_online: int = 0
    rejoined: tuple[RoomView, ...] = ()
    attached: bool = False  # joined a user already online on another connection
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@record
class UserList:
    """Who is online (each user once, however many connections it has)."""

    names: tuple[str, ...]
    outcome: Outcome = Outcome.OK


@record
class RoomList:
    """Rooms the asker may see, the lobby first; `more` were left out (a listing is bounded)."""

    rooms: tuple[RoomView, ...]
    more: int = 0
    outcome: Outcome = Outcome.OK


@record
class Entered:
    """The answer to a join: the room as the joiner now sees it, and its recent lines."""

    outcome: Outcome
    room: str
    view: RoomView | None = None
    recent: tuple[StoredMessage, ...] = field(default=())
    already: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@record
class TopicView:
    """A room's topic, as asked for."""

    outcome: Outcome
    room: str
    topic: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@record
class HistoryPage:
    """Earlier messages of a room or a conversation, oldest first."""

    outcome: Outcome
    target: str
    messages: tuple[StoredMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@record
class UnreadCount:
    """One user's counts for one room (``dev``) or conversation (``@bob``)."""

    target: str
    unread: int
    mentions: int
    last_read: int


@record
class UnreadCounts:
    """A user's unread counts (all of them, or the one a `MarkRead` changed)."""

    counts: tuple[UnreadCount, ...]
    outcome: Outcome = Outcome.OK


Answer = Done | Registered | UserList | RoomList | Entered | TopicView | HistoryPage | UnreadCounts
