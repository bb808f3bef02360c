"""The ephemeral store: the store port kept in this process's memory.

For ``--ephemeral`` servers and for fast tests. It behaves as `SQLiteStore` does (same
answers, same errors, same order), except that nothing survives the process. History is
bounded (`parley.store.bounded`: per conversation, number of conversations, messages in all)
so that a long-running ephemeral server cannot be made to grow without limit. Offline queues,
accounts and rooms are not trimmed here: the core bounds them, and a bound on history never
drops a message that waits for delivery.

It never awaits anything, so each method is atomic with respect to the event loop.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Collection, Sequence

from parley.chat.names import name_key
from parley.chat.store import (
    DEFAULT_HISTORY_LIMIT,
    Account,
    RoomRecord,
    StoreClosedError,
    StoredMessage,
    StoredToken,
    StoreError,
    UnknownKeyError,
    conversation_of,
    direct_pair,
    pair_of,
    plain_letters,
    room_conversation,
)
from parley.store.bounded import BoundedHistory

_WORD = re.compile(r"[^\W_]+")

DEFAULT_HISTORY_PER_CONVERSATION = 10_000
DEFAULT_MAX_CONVERSATIONS = 10_000
# Chat-sized lines take a few hundred bytes each, so some tens of MB at this ceiling; lines
# at the server's longest (8 KiB) would take about 1.6 GB: lower it, or `prune_history`.
DEFAULT_MAX_MESSAGES = 200_000

_Queued = tuple[str, StoredMessage]  # (sender key, message): the key is made once, not per count


class MemoryStore:
    """Everything in dictionaries; see the module docstring."""

    def __init__(
        self,
        *,
        history_per_conversation: int = DEFAULT_HISTORY_PER_CONVERSATION,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        max_messages: int = DEFAULT_MAX_MESSAGES,
    ) -> None:
        self._open = False
        self._last_id = 0
        self._history = BoundedHistory(
            per_conversation=history_per_conversation,
            max_conversations=max_conversations,
            max_messages=max_messages,
        )
        self._offline: dict[str, list[_Queued]] = {}
        self._accounts: dict[str, Account] = {}
        self._rooms: dict[str, RoomRecord] = {}
        self._room_saved: dict[str, float] = {}  # room key -> when last saved (made, topic)
        self._memberships: dict[str, dict[str, None]] = {}  # user key -> room keys, in order
        self._tokens: dict[bytes, StoredToken] = {}  # session tokens of accounts, by digest
        self._token_keys: dict[str, set[bytes]] = {}  # account key -> its tokens' digests

    @property
    def history_per_conversation(self) -> int:
        """Messages kept per conversation (up to half as many again before a cut)."""
        return self._history.per_conversation

    @property
    def max_conversations(self) -> int:
        """Conversations with history; one more drops the least recently written."""
        return self._history.max_conversations

    @property
    def max_messages(self) -> int:
        """History messages in all; past it the least recently written conversation gives."""
        return self._history.max_messages

    @property
    def kept_messages(self) -> int:
        """How many history messages are in memory (what the bounds limit)."""
        return len(self._history)

    @property
    def kept_conversations(self) -> int:
        """How many conversations have history in memory."""
        return self._history.conversations

    # Life cycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Make the store usable (it starts empty)."""
        self._open = True

    async def close(self) -> None:
        """Make the store unusable; its contents stay, for a test that opens it again."""
        self._open = False

    def _check(self, what: str) -> None:
        if not self._open:
            raise StoreClosedError(f"{what}: the store is not open")

    # Messages -----------------------------------------------------------------------------

    def reserve_ids(self, count: int) -> int:
        """The first of `count` fresh message ids (see `HistoryStore.reserve_ids`)."""
        first = self._last_id + 1
        self._last_id += count
        return first

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
        """Keep a message and give it the next id."""
        return self._append(
            sender=sender, text=text, room=room, recipient=recipient, at=at, offline_for=offline_for
        )

    def append_batch(self, messages: Sequence[StoredMessage]) -> asyncio.Future[None]:
        """Keep many messages at once, as an already-resolved future."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            for message in messages:
                self._keep(message)
        except StoreError as error:
            future.set_exception(error)
        else:
            future.set_result(None)
        return future

    def _append(
        self,
        *,
        sender: str,
        text: str,
        room: str | None,
        recipient: str | None,
        at: float | None,
        offline_for: str | None,
    ) -> StoredMessage:
        when = time.time() if at is None else at
        message = self._keep(
            StoredMessage(self.reserve_ids(1), when, sender, text, room, recipient)
        )
        if offline_for is not None:
            self._queue(offline_for, message)
        return message

    def _keep(self, message: StoredMessage) -> StoredMessage:
        self._check("append")
        self._history.add(conversation_of(message.sender, message.room, message.recipient), message)
        return message

    async def room_history(
        self,
        room: str,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` before `before_id` (or oldest after
        `after_id`), oldest first."""
        self._check("history")
        return self._history.page(room_conversation(room), before_id, limit, after_id=after_id)

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
        """The `limit` newest direct messages between `a` and `b` before `before_id`."""
        self._check("history")
        return self._history.page(direct_pair(a, b), before_id, limit, since, after_id)

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
        """Search by scanning the allowed conversations (memory holds little: it is bounded)."""
        self._check("search")
        if not terms:
            return []
        allowed = set(conversations)
        if direct_of is not None:
            allowed |= {c for c in self._history.names() if direct_of in (pair_of(c) or ())}
        found = [
            message
            for conversation in allowed
            for message in self._history.page(conversation, before_id, 2**31)
            if _matches(message, terms)
            and (conversation in conversations or message.at >= (direct_since or 0.0))
        ]
        found.sort(key=lambda message: message.id)
        return found[-limit:] if limit > 0 else []

    async def delete_direct_history(self, user_key: str) -> int:
        """Delete the direct conversations of `user_key` and its offline queue."""
        self._check("delete_direct_history")
        self._offline.pop(user_key, None)
        return self._history.delete_direct(user_key)

    async def prune_history(
        self, *, older_than: float | None = None, max_bytes: int | None = None
    ) -> int:
        """Delete history older than `older_than`, then the oldest past `max_bytes`."""
        self._check("prune_history")
        deleted = 0
        if older_than is not None:
            deleted += self._history.delete_where(lambda m: m.at < older_than)
        if max_bytes is not None:
            deleted += self._history.shrink_to(max(0, max_bytes))
        return deleted

    # Offline queues -----------------------------------------------------------------------

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for `recipient_key`."""
        self._check("queue_offline")
        self._queue(recipient_key, message)

    def _queue(self, recipient_key: str, message: StoredMessage) -> None:
        self._offline.setdefault(recipient_key, []).append((name_key(message.sender), message))

    async def offline_count(self, recipient_key: str, *, sender_key: str | None = None) -> int:
        """How many messages wait for `recipient_key` (from `sender_key`, if given)."""
        self._check("offline_count")
        queue = self._offline.get(recipient_key, [])
        if sender_key is None:
            return len(queue)
        return sum(1 for key, _ in queue if key == sender_key)

    async def take_offline(
        self, recipient_key: str, *, newer_than: float | None = None
    ) -> list[StoredMessage]:
        """Remove what waits for `recipient_key`; return it, oldest first, unless expired."""
        self._check("take_offline")
        queue = self._offline.pop(recipient_key, [])
        return [m for _, m in queue if newer_than is None or m.at >= newer_than]

    async def purge_offline(self, older_than: float) -> int:
        """Delete every queued message older than `older_than`."""
        self._check("purge_offline")
        purged = 0
        for recipient_key, queue in list(self._offline.items()):
            kept = [entry for entry in queue if entry[1].at >= older_than]
            purged += len(queue) - len(kept)
            if kept:
                self._offline[recipient_key] = kept
            else:
                del self._offline[recipient_key]
        return purged

    # Accounts -----------------------------------------------------------------------------

    async def create_account(self, key: str, name: str, password_hash: str) -> bool:
        """Create an account; False if `key` already has one."""
        self._check("create_account")
        if key in self._accounts:
            return False
        self._accounts[key] = Account(key, name, password_hash, time.time())
        return True

    async def account_keys(self) -> set[str]:
        """The keys of every account."""
        self._check("account_keys")
        return set(self._accounts)

    async def offline_keys(self) -> set[str]:
        """The keys of everyone with messages waiting."""
        self._check("offline_keys")
        return {key for key, queue in self._offline.items() if queue}

    async def get_account(self, key: str) -> Account | None:
        """The account of `key`, or None."""
        self._check("get_account")
        return self._accounts.get(key)

    async def set_password(self, key: str, password_hash: str) -> bool:
        """Replace the password hash of `key`; False if there is no such account."""
        self._check("set_password")
        account = self._accounts.get(key)
        if account is None:
            return False
        self._accounts[key] = Account(key, account.name, password_hash, account.created_at)
        return True

    async def delete_account(self, key: str) -> bool:
        """Delete the account, its memberships and its offline queue."""
        self._check("delete_account")
        self._offline.pop(key, None)
        self._memberships.pop(key, None)
        self._drop_tokens(key)
        return self._accounts.pop(key, None) is not None

    # Rooms and memberships ----------------------------------------------------------------

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room or update its name and topic."""
        self._check("save_room")
        self._rooms[key] = RoomRecord(key, name, topic)
        self._room_saved[key] = time.time()

    async def get_room(self, key: str) -> RoomRecord | None:
        """The room `key`, or None."""
        self._check("get_room")
        return self._rooms.get(key)

    async def delete_room(self, key: str) -> None:
        """Delete the room and its memberships."""
        self._check("delete_room")
        self._room_saved.pop(key, None)
        if self._rooms.pop(key, None) is not None:
            for rooms in self._memberships.values():
                rooms.pop(key, None)

    async def expire_rooms(self, idle_since: float, *, keep: Collection[str] = ()) -> list[str]:
        """Delete the rooms saved before `idle_since` and silent since, but those in `keep`."""
        self._check("expire_rooms")
        expired = []
        for key, saved in list(self._room_saved.items()):
            if saved >= idle_since or key in keep:
                continue
            newest = self._history.page(room_conversation(key), None, 1)
            if newest and newest[-1].at >= idle_since:
                continue
            await self.delete_room(key)
            expired.append(key)
        return expired

    async def rooms(self) -> list[RoomRecord]:
        """Every persistent room, by key."""
        self._check("rooms")
        return [self._rooms[key] for key in sorted(self._rooms)]

    async def add_membership(self, user_key: str, room_key: str) -> None:
        """Make account `user_key` a member of room `room_key`; UnknownKeyError if missing."""
        self._check("add_membership")
        if user_key not in self._accounts:
            raise UnknownKeyError(f"add_membership: no account {user_key!r}")
        if room_key not in self._rooms:
            raise UnknownKeyError(f"add_membership: no room {room_key!r}")
        self._memberships.setdefault(user_key, {})[room_key] = None

    async def remove_membership(self, user_key: str, room_key: str) -> None:
        """End a membership (no-op if there is none)."""
        self._check("remove_membership")
        self._memberships.get(user_key, {}).pop(room_key, None)

    async def memberships(self, user_key: str) -> list[str]:
        """The room keys of `user_key`, in join order."""
        self._check("memberships")
        return list(self._memberships.get(user_key, ()))

    # Session tokens -----------------------------------------------------------------------

    async def save_token(self, token: StoredToken, *, keep: int) -> None:
        """Keep (or refresh) an account's token, and at most `keep` of that account's."""
        self._check("save_token")
        if token.key not in self._accounts:
            raise UnknownKeyError(f"save_token: no account {token.key!r}")
        self._tokens[token.digest] = token
        held = self._token_keys.setdefault(token.key, set())
        held.add(token.digest)
        if len(held) > max(1, keep):
            newest = sorted(held, key=lambda d: self._tokens[d].used, reverse=True)
            for digest in newest[max(1, keep) :]:
                self._forget_token(digest)

    async def get_token(self, digest: bytes) -> StoredToken | None:
        """The token with this digest, or None."""
        self._check("get_token")
        return self._tokens.get(digest)

    async def delete_token(self, digest: bytes) -> bool:
        """Forget one token; whether it was kept."""
        self._check("delete_token")
        return self._forget_token(digest)

    async def delete_tokens(self, key: str) -> int:
        """Forget every token of account `key`."""
        self._check("delete_tokens")
        return self._drop_tokens(key)

    async def expire_tokens(self, used_before: float) -> int:
        """Forget the tokens last used before `used_before`."""
        self._check("expire_tokens")
        stale = [d for d, t in self._tokens.items() if t.used < used_before]
        for digest in stale:
            self._forget_token(digest)
        return len(stale)

    def _forget_token(self, digest: bytes) -> bool:
        token = self._tokens.pop(digest, None)
        if token is None:
            return False
        held = self._token_keys.get(token.key)
        if held is not None:
            held.discard(digest)
            if not held:
                del self._token_keys[token.key]
        return True

    def _drop_tokens(self, key: str) -> int:
        held = self._token_keys.pop(key, set())
        for digest in held:
            self._tokens.pop(digest, None)
        return len(held)


def _matches(message: StoredMessage, terms: Sequence[str]) -> bool:
    """Whether every term starts a word of the message, as SQLite's FTS5 matches it."""
    words = search_terms_of(message.text)
    return all(any(word.startswith(term) for word in words) for term in terms)


def search_terms_of(text: str) -> list[str]:
    """Every word of `text` as search compares them (not capped, unlike a query's terms)."""
    return _WORD.findall(plain_letters(text))
