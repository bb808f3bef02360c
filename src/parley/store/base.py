"""The store's one small interface: what Parley keeps across restarts, and its records.

A store keeps accounts, persistent rooms and their account members, message history and the
offline queues of direct messages. Every method is a coroutine; a method that writes returns
only once its change is committed, so a caller that acknowledges after the `await` never
acknowledges something a crash could lose. Records are frozen dataclasses; a store never
hands out a mutable object that it still holds.

The store never checks names, passwords or permissions: the hub and the doors decide what is
allowed, the store remembers what they decided. Room and user identities are the keys made by
`parley.protocol.names.name_key` (rooms through `parley.hub.room_key`), display spellings are
kept beside them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from parley.protocol.names import name_key

DEFAULT_HISTORY_LIMIT = 50


class StoreError(Exception):
    """A store operation failed; the message says which operation and why."""


class SchemaError(StoreError):
    """The database file is newer than this code, or not a Parley database at all."""


class UnknownKeyError(StoreError):
    """A membership names an account or a room that the store does not have."""


class StoreClosedError(StoreError):
    """The store was used before `open` or after `close`."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One message as history keeps it: a room message or a direct message."""

    id: int  # assigned by the store, increasing
    at: float  # server time, unix seconds
    sender: str  # display name
    text: str
    room: str | None = None  # room name (lower-case key) for room messages
    recipient: str | None = None  # recipient display name for direct messages


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to keep: exactly one of `room` and `recipient` is set."""

    sender: str
    text: str
    room: str | None = None
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A password account; `key` is its identity, `name` the spelling its owner chose."""

    key: str  # name_key(name): identity
    name: str  # display spelling
    password_hash: str
    created_at: float


@dataclass(frozen=True, slots=True)
class RoomRecord:
    """A persistent room."""

    key: str
    name: str
    topic: str


class Store(Protocol):
    """Persistence for accounts, rooms, memberships, history and offline queues.

    Resource handling: `open` before first use, `close` when done; `close` commits every
    write already asked for. Error handling: a failed operation raises `StoreError` (or a
    subclass) in its caller only; the store stays usable for everyone else.
    """

    async def open(self) -> None:
        """Make the store ready (create or migrate the database)."""

    async def close(self) -> None:
        """Commit everything pending, then release the store's resources."""

    async def append(
        self,
        sender: str,
        text: str,
        *,
        room: str | None = None,
        recipient: str | None = None,
        at: float | None = None,
        offline_for: str | None = None,
    ) -> StoredMessage:
        """Keep a message (exactly one of `room` or `recipient`); return it once committed.

        `offline_for`, a recipient name key, also queues the message for that offline user
        in the same commit (one write instead of `append` then `queue_offline`).
        """
        ...

    def append_batch(
        self, messages: Sequence[NewMessage], *, at: float | None = None
    ) -> asyncio.Future[list[StoredMessage]]:
        """Keep many messages in one write; a future of them, in order, once committed.

        The server's message path collects what one loop iteration relayed and keeps it with
        one call, so the per-message cost is a list append, not a future and a thread hop.
        """
        ...

    async def room_history(
        self, room: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` with an id below `before_id`, oldest first."""
        ...

    async def direct_history(
        self, a: str, b: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """Like `room_history`, for the direct messages between name keys `a` and `b`."""
        ...

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for the offline user `recipient_key`; committed on return."""

    async def offline_count(self, recipient_key: str) -> int:
        """How many messages wait for `recipient_key`."""
        ...

    async def take_offline(self, recipient_key: str) -> list[StoredMessage]:
        """Remove and return, atomically and oldest first, what waits for `recipient_key`."""
        ...

    async def create_account(self, key: str, name: str, password_hash: str) -> bool:
        """Create an account; False if `key` already has one."""
        ...

    async def account_keys(self) -> set[str]:
        """The keys of every account (the server reads them once, at start-up)."""
        ...

    async def offline_keys(self) -> set[str]:
        """The keys of everyone with messages waiting (read once, at start-up)."""
        ...

    async def get_account(self, key: str) -> Account | None:
        """The account of `key`, or None."""
        ...

    async def set_password(self, key: str, password_hash: str) -> bool:
        """Replace the password hash of `key`; False if there is no such account."""
        ...

    async def delete_account(self, key: str) -> bool:
        """Delete the account, its memberships and its offline queue; False if none."""
        ...

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room `key` or update its name and topic."""

    async def delete_room(self, key: str) -> None:
        """Delete the room and its memberships (its history stays)."""

    async def rooms(self) -> list[RoomRecord]:
        """Every persistent room, by key."""
        ...

    async def add_membership(self, user_key: str, room_key: str) -> None:
        """Make account `user_key` a member of saved room `room_key` (no-op if already).

        Raises `UnknownKeyError` if either does not exist.
        """

    async def remove_membership(self, user_key: str, room_key: str) -> None:
        """End a membership (no-op if there is none)."""

    async def memberships(self, user_key: str) -> list[str]:
        """The room keys `user_key` is a member of, in the order they joined."""
        ...


def conversation_of(sender: str, room: str | None, recipient: str | None) -> str:
    """The key under which a message's history is kept: its room, or the pair of names.

    Raises ValueError unless exactly one of `room` and `recipient` is given.
    """
    if (room is None) == (recipient is None):
        raise ValueError("a message goes to exactly one of a room or a recipient")
    if room is not None:
        return "#" + room
    assert recipient is not None
    return direct_pair(name_key(sender), name_key(recipient))


def direct_pair(a: str, b: str) -> str:
    """One unambiguous key for the conversation between name keys `a` and `b`."""
    low, high = sorted((a, b))
    return f"@{len(low)}:{low}:{high}"
