"""The chat core's live state: sessions, users and rooms, as plain slotted objects.

A `Session` is one connection as the core sees it; a `User` is a name that is online, with
one or more sessions (a laptop and a phone); a `Room` has member users and its moderation
state. Fan-out goes to sessions: a room keeps a tuple of its members' sessions, rebuilt
lazily when membership or a member's sessions change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from parley.chat.events import LOBBY, Delivery
from parley.chat.names import is_valid_name, name_key
from parley.chat.store import StoredMessage
from parley.ratelimit import TokenBucket


class Endpoint(Protocol):
    """What the core needs of a connection: deliveries out, store progress, and closing."""

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        """`messages` this connection sent are committed, then `lost` more could not be kept."""

    def keeping(self, count: int) -> None:
        """`count` messages this connection sent went to the store (for back-pressure)."""

    def close(self, reason: str, *, notify: bool) -> None:
        """Close the connection (the server operator kicked it, say)."""


class Session:
    """One connection of a user, or of someone not registered yet."""

    __slots__ = (
        "address",
        "deliver",
        "endpoint",
        "host",
        "is_operator",
        "listings",
        "quit_reason",
        "user",
        "watches_presence",
    )

    def __init__(
        self,
        endpoint: Endpoint,
        deliver: Callable[[Delivery], None],
        host: str = "?",
        address: str = "?",
        *,
        is_operator: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.deliver = deliver  # must not block and must not raise
        self.host = host
        self.address = address
        self.user: User | None = None
        self.watches_presence = False
        self.is_operator = is_operator  # the server's own operator (the console)
        self.listings: TokenBucket | None = None  # made on the first WHO or ROOMS
        self.quit_reason = ""  # why it goes, if it said so (`Quit`)

    @property
    def name(self) -> str | None:
        """The registered name, or None."""
        return self.user.name if self.user is not None else None

    def is_named(self, claimed: str) -> bool:
        """Whether `claimed` is this session's name (compared as names are)."""
        user = self.user
        if user is None:
            return False
        # Clients nearly always write their name as registered: skip normalising then.
        return claimed == user.name or name_key(claimed) == user.key


class User:
    """A registered name and the sessions using it."""

    __slots__ = ("account", "key", "name", "rooms", "sessions", "since")

    def __init__(self, key: str, name: str, *, account: bool) -> None:
        self.key = key
        self.name = name
        self.account = account  # logged in to (or created) an account: may have sessions
        self.sessions: list[Session] = []
        self.rooms: list[Room] = []  # in the order joined (a list: a few rooms, small)
        # What it may read of its conversations starts here: the registration, or (set at
        # login) the account's creation.
        self.since = time.time()


class Room:
    """A room: members, topic and moderation."""

    __slots__ = (
        "_fan_out",
        "banned",
        "invite_only",
        "invited",
        "key",
        "members",
        "moderated",
        "muted",
        "name",
        "no_external",
        "operators",
        "passkey",
        "secret",
        "topic",
        "topic_locked",
        "voiced",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = room_key(name)
        self.members: dict[User, None] = {}
        self.topic = ""
        self.operators: set[str] = set()  # user keys
        self.voiced: set[str] = set()
        self.banned: set[str] = set()
        self.muted: set[str] = set()
        self.invited: set[str] = set()
        self.moderated = False
        self.topic_locked = False
        self.invite_only = False
        self.secret = False
        self.no_external = True  # only members may send to it (IRC's +n, on by default)
        self.passkey = ""
        self._fan_out: tuple[Session, ...] | None = None

    @property
    def is_lobby(self) -> bool:
        return self.key == LOBBY

    def refresh(self) -> None:
        """Membership changed: the fan-out tuple is rebuilt when next needed, not now.

        Rebuilding on every join and leave made each O(members): 10,000 registrations cost
        50 million tuple slots.
        """
        self._fan_out = None

    @property
    def fan_out(self) -> tuple[Session, ...]:
        """Every session of every member, for iterating while deliveries change membership."""
        if self._fan_out is None:
            self._fan_out = tuple(s for user in self.members for s in user.sessions)
        return self._fan_out

    def deliver(self, event: Delivery, exclude: Session | None = None) -> None:
        """Hand `event` to every member session but `exclude`."""
        for session in self.fan_out:
            if session is not exclude:
                session.deliver(event)

    def hears_from(self, user: User) -> bool:
        """Whether `user` may send to the room: a member, or anyone once ``-n`` (not banned)."""
        return user in self.members or not (self.no_external or user.key in self.banned)

    def may_speak(self, user: User) -> bool:
        """Muted and banned users may not speak; in a moderated room only voiced ones may."""
        key = user.key
        if key in self.muted or key in self.banned:
            return False
        return not self.moderated or key in self.operators or key in self.voiced

    def view(self) -> tuple[str, ...]:
        """Member names, sorted as people expect (case-insensitively)."""
        return tuple(sorted((u.name for u in self.members), key=str.casefold))


def room_key(room: str) -> str:
    """The identity of a room name (``#Team`` and ``team`` are one room)."""
    return name_key(room.removeprefix("#"))


def is_valid_room(room: str) -> bool:
    """A room name is a user-name-like word, optionally written with a leading ``#``."""
    return is_valid_name(room.removeprefix("#"))
