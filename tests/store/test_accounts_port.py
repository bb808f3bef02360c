"""The `AccountStore` contract: every store (memory, SQLite, any later one) passes it unchanged.

The tests speak only the port's language (`parley.chat.store`), never an implementation's.
"""

from __future__ import annotations

import time

from parley.chat.store import Account, AccountStore, Store
from tests.store.conftest import StoreFactory, with_store


def test_accounts_are_created_once_read_changed_and_deleted(new_store: StoreFactory) -> None:
    async def body(store: AccountStore) -> None:
        before = time.time()
        assert await store.create_account("alice", "Alice", "hash-1")
        assert not await store.create_account("alice", "ALICE", "hash-2")
        account = await store.get_account("alice")
        assert account is not None
        assert (account.key, account.name, account.password_hash) == ("alice", "Alice", "hash-1")
        assert before <= account.created_at <= time.time()
        assert await store.get_account("bob") is None
        assert await store.set_password("alice", "hash-3")
        assert await store.get_account("alice") == Account(
            "alice", "Alice", "hash-3", account.created_at
        )
        assert not await store.set_password("bob", "hash")
        assert await store.delete_account("alice")
        assert await store.get_account("alice") is None
        assert not await store.delete_account("alice")
        assert await store.create_account("alice", "alice", "hash-4")

    with_store(new_store, body)


def test_account_keys_lists_every_account(new_store: StoreFactory) -> None:
    async def body(store: AccountStore) -> None:
        assert await store.account_keys() == set()
        for key in ("alice", "bob", "ünïcødé"):
            await store.create_account(key, key.title(), "h")
        assert await store.account_keys() == {"alice", "bob", "ünïcødé"}
        await store.delete_account("bob")
        assert await store.account_keys() == {"alice", "ünïcødé"}

    with_store(new_store, body)


def test_deleting_an_account_ends_its_memberships_and_queue(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("alice", "Alice", "h")
        await store.create_account("bob", "Bob", "h")
        await store.save_room("team", "Team")
        await store.add_membership("alice", "team")
        await store.add_membership("bob", "team")
        await store.append("bob", "while you were out", recipient="alice", offline_for="alice")
        assert await store.delete_account("alice")
        assert await store.memberships("alice") == []
        assert await store.offline_count("alice") == 0
        assert await store.memberships("bob") == ["team"]
        assert len(await store.direct_history("alice", "bob")) == 1  # history stays

    with_store(new_store, body)


def test_deleting_an_account_and_its_direct_history_leaves_nothing(
    new_store: StoreFactory,
) -> None:
    async def body(store: Store) -> None:
        await store.create_account("alice", "Alice", "h")
        await store.append("bob", "while you were out", recipient="alice", offline_for="alice")
        await store.append("alice", "bye", recipient="bob")
        await store.append("alice", "in the lobby", room="lobby")
        assert await store.delete_account("alice")
        assert await store.delete_direct_history("alice") == 2
        assert await store.direct_history("alice", "bob") == []
        assert [m.text for m in await store.room_history("lobby")] == ["in the lobby"]
        assert await store.create_account("alice", "ALICE", "new owner")
        assert await store.take_offline("alice") == []

    with_store(new_store, body)
