"""The `OfflineStore` contract: every store (memory, SQLite, any later one) passes it unchanged.

The tests speak only the port's language (`parley.chat.store`), never an implementation's.
"""

from __future__ import annotations

import asyncio

from parley.chat.store import OfflineStore, Store, StoredMessage
from tests.store.conftest import StoreFactory, with_store


async def queue(
    store: Store, sender: str, recipient_key: str, text: str, at: float | None = None
) -> StoredMessage:
    """Keep a direct message and queue it for `recipient_key`, as the core does."""
    return await store.append(
        sender, text, recipient=recipient_key, at=at, offline_for=recipient_key
    )


def test_offline_messages_are_taken_once_in_order(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        queued = []
        for i in range(5):
            message = await store.append("alice", f"m{i}", recipient="Bob")
            await store.queue_offline("bob", message)
            queued.append(message)
        other = await store.append("alice", "for carol", recipient="carol")
        await store.queue_offline("carol", other)
        assert await store.offline_count("bob") == 5
        assert await store.take_offline("bob") == queued
        assert await store.take_offline("bob") == []
        assert await store.offline_count("bob") == 0
        assert await store.take_offline("carol") == [other]
        assert await store.offline_count("nobody") == 0

    with_store(new_store, body)


def test_concurrent_takes_deliver_each_message_once(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        for i in range(20):
            await store.append("alice", f"m{i}", recipient="bob", offline_for="bob")
        takes = await asyncio.gather(*(store.take_offline("bob") for _ in range(5)))
        delivered = [m.text for take in takes for m in take]
        assert delivered == [f"m{i}" for i in range(20)]
        assert sum(1 for take in takes if take) == 1

    with_store(new_store, body)


def test_append_can_queue_in_the_same_commit(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        message = await store.append("alice", "later", recipient="Bob", offline_for="bob")
        assert await store.offline_count("bob") == 1
        assert await store.take_offline("bob") == [message]
        assert await store.direct_history("alice", "bob") == [message]

    with_store(new_store, body)


def test_offline_keys_are_those_with_messages_waiting(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        assert await store.offline_keys() == set()
        await queue(store, "alice", "bob", "one")
        await queue(store, "alice", "carol", "two")
        await queue(store, "dave", "carol", "three")
        assert await store.offline_keys() == {"bob", "carol"}
        await store.take_offline("carol")
        assert await store.offline_keys() == {"bob"}

    with_store(new_store, body)


def test_offline_count_per_sender_compares_name_keys(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await queue(store, "Alice", "bob", "one")
        await queue(store, "ALICE", "bob", "two")
        await queue(store, "carol", "bob", "three")
        await queue(store, "alice", "dave", "for someone else")
        assert await store.offline_count("bob") == 3
        assert await store.offline_count("bob", sender_key="alice") == 2
        assert await store.offline_count("bob", sender_key="carol") == 1
        assert await store.offline_count("bob", sender_key="dave") == 0
        assert await store.offline_count("nobody", sender_key="alice") == 0
        await store.take_offline("bob")
        assert await store.offline_count("bob", sender_key="alice") == 0

    with_store(new_store, body)


def test_take_offline_drops_expired_messages_without_returning_them(
    new_store: StoreFactory,
) -> None:
    async def body(store: Store) -> None:
        await queue(store, "alice", "bob", "stale", at=100.0)
        edge = await queue(store, "carol", "bob", "just in time", at=200.0)
        fresh = await queue(store, "alice", "bob", "fresh", at=300.0)
        other = await queue(store, "alice", "dave", "stale for dave", at=100.0)
        assert await store.take_offline("bob", newer_than=200.0) == [edge, fresh]
        assert await store.offline_count("bob") == 0
        assert await store.take_offline("bob") == []  # the expired one is gone too
        assert await store.take_offline("dave", newer_than=None) == [other]

    with_store(new_store, body)


def test_take_offline_with_everything_expired_empties_the_queue(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await queue(store, "alice", "bob", "old", at=100.0)
        assert await store.take_offline("bob", newer_than=1e12) == []
        assert await store.offline_count("bob") == 0
        assert await store.offline_keys() == set()

    with_store(new_store, body)


def test_purge_offline_deletes_only_older_queued_messages(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await queue(store, "alice", "bob", "old for bob", at=100.0)
        await queue(store, "alice", "gone", "old for someone who never returns", at=150.0)
        edge = await queue(store, "alice", "bob", "at the limit", at=200.0)
        fresh = await queue(store, "alice", "carol", "fresh for carol", at=300.0)
        assert await store.purge_offline(200.0) == 2
        assert await store.offline_keys() == {"bob", "carol"}
        assert await store.offline_count("gone") == 0
        assert await store.purge_offline(200.0) == 0
        assert await store.take_offline("bob") == [edge]
        assert await store.take_offline("carol") == [fresh]

    with_store(new_store, body)


def test_purge_offline_leaves_history_alone(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        message = await queue(store, "alice", "bob", "old", at=100.0)
        assert await store.purge_offline(1e12) == 1
        assert await store.direct_history("alice", "bob") == [message]

    with_store(new_store, body)


def test_an_empty_queue_answers_every_question(new_store: StoreFactory) -> None:
    async def body(store: OfflineStore) -> None:
        assert await store.offline_count("bob") == 0
        assert await store.take_offline("bob", newer_than=0.0) == []
        assert await store.purge_offline(1e12) == 0
        assert await store.offline_keys() == set()

    with_store(new_store, body)
