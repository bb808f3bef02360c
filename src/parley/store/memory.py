"""The ephemeral store: the `Store` interface kept in this process's memory.

For ``--ephemeral`` servers and for fast tests. It behaves as `SQLiteStore` does (same
answers, same errors, same order), except that nothing survives the process. History is
bounded so that a long-running ephemeral server does not grow forever: each room or pair of
direct correspondents keeps its newest `history_per_conversation` messages (up to half as many
again before old ones are dropped in one go). Offline queues, accounts and rooms are not
trimmed here: the hub bounds them.

It never awaits anything, so each method is atomic with respect to the event loop.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import defaultdict
from collections.abc import Sequence

from parley.store.base import (
    DEFAULT_HISTORY_LIMIT,
    Account,
    NewMessage,
    RoomRecord,
    StoreClosedError,
    StoredMessage,
    StoreError,
    UnknownKeyError,
    conversation_of,
    direct_pair,
)

DEFAULT_HISTORY_PER_CONVERSATION = 10_000


class MemoryStore:
    """Everything in dictionaries; see the module docstring."""

    def __init__(self, *, history_per_conversation: int = DEFAULT_HISTORY_PER_CONVERSATION) -> None:
        self.history_per_conversation = max(1, history_per_conversation)
        self._open = False
        self._last_id = 0
        self._history: defaultdict[str, list[StoredMessage]] = defaultdict(list)
        self._offline: dict[str, list[StoredMessage]] = {}
        self._accounts: dict[str, Account] = {}
        self._rooms: dict[str, RoomRecord] = {}
        self._memberships: dict[str, dict[str, None]] = {}  # user key -> room keys, in order

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

    def append_batch(
        self, messages: Sequence[NewMessage], *, at: float | None = None
    ) -> asyncio.Future[list[StoredMessage]]:
        """Keep many messages at once, as an already-resolved future."""
        future: asyncio.Future[list[StoredMessage]] = asyncio.get_running_loop().create_future()
        try:
            kept = [
                self._append(
                    sender=m.sender,
                    text=m.text,
                    room=m.room,
                    recipient=m.recipient,
                    at=at,
                    offline_for=None,
                )
                for m in messages
            ]
        except StoreError as error:
            future.set_exception(error)
        else:
            future.set_result(kept)
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
        self._check("append")
        conversation = conversation_of(sender, room, recipient)
        self._last_id += 1
        when = time.time() if at is None else at
        message = StoredMessage(self._last_id, when, sender, text, room, recipient)
        history = self._history[conversation]
        history.append(message)
        keep = self.history_per_conversation
        if len(history) > keep + keep // 2:
            del history[: len(history) - keep]
        if offline_for is not None:
            self._offline.setdefault(offline_for, []).append(message)
        return message

    async def room_history(
        self, room: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` before `before_id`, oldest first."""
        self._check("history")
        return self._page("#" + room, before_id, limit)

    async def direct_history(
        self, a: str, b: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The `limit` newest direct messages between `a` and `b` before `before_id`."""
        self._check("history")
        return self._page(direct_pair(a, b), before_id, limit)

    def _page(self, conversation: str, before_id: int | None, limit: int) -> list[StoredMessage]:
        history = self._history.get(conversation, [])
        end = len(history)
        if before_id is not None:
            end = bisect.bisect_left(history, before_id, key=lambda m: m.id)
        return history[max(0, end - max(0, limit)) : end]

    # Offline queues -----------------------------------------------------------------------

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for `recipient_key`."""
        self._check("queue_offline")
        self._offline.setdefault(recipient_key, []).append(message)

    async def offline_count(self, recipient_key: str) -> int:
        """How many messages wait for `recipient_key`."""
        self._check("offline_count")
        return len(self._offline.get(recipient_key, ()))

    async def take_offline(self, recipient_key: str) -> list[StoredMessage]:
        """Remove and return what waits for `recipient_key`, oldest first."""
        self._check("take_offline")
        return self._offline.pop(recipient_key, [])

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
        return self._accounts.pop(key, None) is not None

    # Rooms and memberships ----------------------------------------------------------------

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room or update its name and topic."""
        self._check("save_room")
        self._rooms[key] = RoomRecord(key, name, topic)

    async def delete_room(self, key: str) -> None:
        """Delete the room and its memberships."""
        self._check("delete_room")
        if self._rooms.pop(key, None) is not None:
            for rooms in self._memberships.values():
                rooms.pop(key, None)

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
