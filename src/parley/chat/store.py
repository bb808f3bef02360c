"""The store port: what the chat core needs kept across restarts, its records and errors.

The core depends on these Protocols only; `parley.store` implements them (SQLite, memory) and
a later PostgreSQL store implements them too. Each focused Protocol is one concern
(`AccountStore`, `HistoryStore`, `OfflineStore`, `RoomStore`, `TokenStore`), so a use case
can ask for just the part it needs and a test double need only provide that part; `Store` is
all of them plus the life cycle.

Every method is a coroutine (or returns a future); a method that writes returns only once its
change is committed, so a caller that acknowledges after the `await` never acknowledges
something a crash could lose. Records are frozen dataclasses: a store never hands out a mutable
object that it still holds.

A store never checks names, passwords or permissions: the core decides what is allowed, the
store remembers what it decided. User identities are name keys (`parley.chat.names.name_key`),
room identities the room keys the core makes; display spellings are kept beside them.

This module must never import I/O, sockets, wire dialects or a store implementation.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Collection, Sequence
from typing import Protocol

from parley.chat.names import name_key
from parley.records import record

DEFAULT_HISTORY_LIMIT = 50


class StoreError(Exception):
    """A store operation failed; the message says which operation and why."""


class SchemaError(StoreError):
    """The database is newer than this code, or not a Parley database at all."""


class UnknownKeyError(StoreError):
    """A membership names an account or a room that the store does not have."""


class StoreClosedError(StoreError):
    """The store was used before `open` or after `close`."""


@record
class StoredMessage:
    """One message as it is relayed and as history keeps it: exactly one of `room` and
    `recipient` is set.

    Its `id` (from `HistoryStore.reserve_ids`) and time are given when it is relayed, so
    that what every door showed live is what history returns later; the record relayed is
    the record kept (one object per line, not one to relay and another to store).
    """

    id: int  # increasing, never reused
    at: float  # server time, unix seconds
    sender: str  # display name
    text: str
    room: str | None = None  # room key, for room messages
    recipient: str | None = None  # recipient display name, for direct messages


@record
class Account:
    """A password account; `key` is its identity, `name` the spelling its owner chose."""

    key: str  # name_key(name): identity
    name: str  # display spelling
    password_hash: str
    created_at: float


@record
class RoomRecord:
    """A persistent room."""

    key: str
    name: str
    topic: str


class AccountStore(Protocol):
    """Password accounts, so that a name can be protected across restarts."""

    async def create_account(self, key: str, name: str, password_hash: str) -> bool:
        """Create an account; False if `key` already has one (the caller reports it)."""
        ...

    async def get_account(self, key: str) -> Account | None:
        """The account of `key`, or None."""
        ...

    async def set_password(self, key: str, password_hash: str) -> bool:
        """Replace the password hash of `key`; False if there is no such account."""
        ...

    async def delete_account(self, key: str) -> bool:
        """Delete the account, its memberships and its offline queue; False if none.

        Its direct history stays: `HistoryStore.delete_direct_history` is a separate decision.
        """
        ...

    async def account_keys(self) -> set[str]:
        """The keys of every account (the server reads them once, at start-up)."""
        ...


class HistoryStore(Protocol):
    """Message history of rooms and direct conversations, and its retention."""

    def reserve_ids(self, count: int) -> int:
        """The first of `count` new consecutive message ids, above every id given before.

        Synchronous and in memory (the store reads its sequence once, at `open`): the core
        numbers a message when it relays it, before the write, so live deliveries and
        history carry the same id. An id reserved for a write that then fails is never
        given again: ids increase, with gaps.
        """
        ...

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
        Raises ValueError unless exactly one of `room` and `recipient` is given.
        """
        ...

    def append_batch(self, messages: Sequence[StoredMessage]) -> asyncio.Future[None]:
        """Keep many messages, as they were relayed, in one write; the future is done once
        they are committed.

        The server's message path collects what one loop iteration relayed and keeps it with
        one call, so the per-message cost is a list append, not a future and a thread hop.
        """
        ...

    async def room_history(
        self,
        room: str,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` with an id below `before_id`, oldest first.

        With `after_id`, the `limit` oldest with an id above it instead (catching up).
        """
        ...

    async def direct_history(
        self,
        a: str,
        b: str,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
        since: float | None = None,
    ) -> list[StoredMessage]:
        """Like `room_history`, for the direct messages between name keys `a` and `b`.

        With `since`, only messages with ``at >= since``: a name without an account may pass
        to someone else, and the core passes the time the viewer took the name so that a
        later holder never reads an earlier holder's conversations.
        """
        ...

    async def search_history(
        self,
        terms: Sequence[str],
        *,
        conversations: Sequence[str] = (),
        direct_of: str | None = None,
        direct_since: float | None = None,
        before_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> list[StoredMessage]:
        """The `limit` newest messages holding every one of `terms`, oldest first.

        A term matches a word that starts with it, in any case and with or without accents
        (``deploy`` finds "Deployed"; `search_terms` makes the terms). Only the given
        `conversations` are searched (`room_conversation`, `direct_pair` keys), and with
        `direct_of` every direct conversation of that name key, from `direct_since` on (a
        name without an account only searches what was said since it took the name).
        """
        ...

    async def delete_direct_history(self, user_key: str) -> int:
        """Delete every direct message to or from `user_key`, and its offline queue.

        For deleting an account: its conversations must not outlive it (nor be shown to the
        next holder of the name). Messages it sent that still wait in other users' offline
        queues stay there: they are those users' mail. Returns how many history messages
        were deleted.
        """
        ...

    async def prune_history(
        self, *, older_than: float | None = None, max_bytes: int | None = None
    ) -> int:
        """Retention, so that history does not grow forever on a long-running server.

        Deletes the messages older than `older_than`, then the oldest messages until the
        stored text (text and sender, in characters: approximately bytes) is at most
        `max_bytes`. Offline queues are not touched: what waits for delivery is not history
        yet. Returns how many messages were deleted.
        """
        ...


class OfflineStore(Protocol):
    """Direct messages that wait for a recipient who is offline."""

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for the offline user `recipient_key`; committed on return."""

    async def offline_count(self, recipient_key: str, *, sender_key: str | None = None) -> int:
        """How many messages wait for `recipient_key`, or only those from `sender_key`.

        The core bounds each queue, and with `sender_key` each sender's share of it, so one
        sender cannot fill someone's queue and lock everyone else out.
        """
        ...

    async def take_offline(
        self, recipient_key: str, *, newer_than: float | None = None
    ) -> list[StoredMessage]:
        """Remove and return, atomically and oldest first, what waits for `recipient_key`.

        Messages queued before `newer_than` are removed but not returned: they expired, and a
        message days old delivered as if new misleads more than it helps.
        """
        ...

    async def purge_offline(self, older_than: float) -> int:
        """Delete every queued message older than `older_than`; return how many.

        Expiry for queues whose recipient never comes back, which `take_offline` never sees.
        """
        ...

    async def offline_keys(self) -> set[str]:
        """The keys of everyone with messages waiting (read once, at start-up)."""
        ...


class RoomStore(Protocol):
    """Persistent rooms and the account members that rejoin them after a restart."""

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room `key` or update its name and topic."""

    async def get_room(self, key: str) -> RoomRecord | None:
        """The room `key`, or None: one lookup instead of scanning `rooms`."""
        ...

    async def delete_room(self, key: str) -> None:
        """Delete the room and its memberships (its history stays)."""

    async def rooms(self) -> list[RoomRecord]:
        """Every persistent room, by key."""
        ...

    async def expire_rooms(self, idle_since: float, *, keep: Collection[str] = ()) -> list[str]:
        """Delete the rooms nobody uses: saved before `idle_since` and silent since.

        A room goes (its topic and memberships; its history stays, for retention to age)
        when it was last saved (made, or its topic set) before `idle_since` and its newest
        message is older, unless its key is in `keep`: the caller keeps the rooms with
        members online and the lobby. Returns the keys deleted. Rooms were never deleted
        before, so a server where rooms come and go grew its rooms table without end.
        """
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


@record
class StoredToken:
    """An account's session token as the store keeps it: its SHA-256, never the token."""

    digest: bytes  # SHA-256 of the token
    key: str  # the account's name key
    used: float  # last issue or use, unix seconds (the core's expiry slides with it)


class TokenStore(Protocol):
    """The session tokens of accounts, so that a page signs in again after a restart.

    The core decides what is valid (`parley.chat.tokens`); the store only remembers digests.
    Deleting an account deletes its tokens.
    """

    async def save_token(self, token: StoredToken, *, keep: int) -> None:
        """Keep `token`, or set its `used` if its digest is kept already; then drop the
        stalest tokens of its key past the `keep` most recently used. Raises
        `UnknownKeyError` if there is no account `token.key`."""

    async def get_token(self, digest: bytes) -> StoredToken | None:
        """The token with this digest, or None."""
        ...

    async def delete_token(self, digest: bytes) -> bool:
        """Forget one token (signing out); whether it was kept."""
        ...

    async def delete_tokens(self, key: str) -> int:
        """Forget every token of account `key` (a password change); how many."""
        ...

    async def expire_tokens(self, used_before: float) -> int:
        """Forget the tokens last used before `used_before`; how many."""
        ...


class Store(AccountStore, HistoryStore, OfflineStore, RoomStore, TokenStore, Protocol):
    """Every port of the store, with its life cycle.

    Resource handling: `open` before first use, `close` when done; `close` commits every
    write already asked for. Error handling: a failed operation raises `StoreError` (or a
    subclass) in its caller only; the store stays usable for everyone else.
    """

    async def open(self) -> None:
        """Make the store ready (create or migrate the database)."""

    async def close(self) -> None:
        """Commit everything pending, then release the store's resources."""


def conversation_of(sender: str, room: str | None, recipient: str | None) -> str:
    """The key under which a message's history is kept: its room, or the pair of names.

    Raises ValueError unless exactly one of `room` and `recipient` is given.
    """
    if (room is None) == (recipient is None):
        raise ValueError("a message goes to exactly one of a room or a recipient")
    if room is not None:
        return room_conversation(room)
    assert recipient is not None
    return direct_pair(name_key(sender), name_key(recipient))


def room_conversation(room: str) -> str:
    """The history key of a room: ``Dev``, ``dev`` and ``#DEV`` are one room's history.

    The message keeps the spelling it was said under; only the key is folded.
    """
    return "#" + name_key(room.removeprefix("#"))


def direct_pair(a: str, b: str) -> str:
    """One unambiguous key for the conversation between name keys `a` and `b`.

    The length of the lower key comes first, so the pair parses back whatever the keys
    contain (`pair_of`).
    """
    low, high = sorted((a, b))
    return f"@{len(low)}:{low}:{high}"


def pair_of(conversation: str) -> tuple[str, str] | None:
    """The two name keys of a `direct_pair` key, lower first; None for a room's key."""
    if not conversation.startswith("@"):
        return None
    length, _, rest = conversation[1:].partition(":")
    low = rest[: int(length)]
    return low, rest[len(low) + 1 :]


_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_TERMS = 8
MAX_TERM_LENGTH = 64


def search_terms(text: str) -> tuple[str, ...]:
    """The words of a search, as every store matches them: letters and digits, case-folded,
    accents removed; at most `MAX_SEARCH_TERMS` of at most `MAX_TERM_LENGTH` characters."""
    words = _WORD.findall(plain_letters(text))
    return tuple(dict.fromkeys(word[:MAX_TERM_LENGTH] for word in words))[:MAX_SEARCH_TERMS]


def plain_letters(text: str) -> str:
    """`text` case-folded and without accents (combining marks), as search compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
