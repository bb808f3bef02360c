"""Every method of the `Store` interface, on both the SQLite and the memory store."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from parley.store import (
    DATABASE_FILENAME,
    Account,
    MemoryStore,
    NewMessage,
    RoomRecord,
    SQLiteStore,
    Store,
    StoreClosedError,
    UnknownKeyError,
    make_store,
)
from tests.store.conftest import StoreFactory, run, with_store

# Messages ----------------------------------------------------------------------------------


def test_append_returns_the_committed_message(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        before = time.time()
        first = await store.append("Alice", "hello", room="lobby")
        second = await store.append("Bob", "hi Alice", recipient="Alice", at=1234.5)
        assert first.sender == "Alice" and first.text == "hello"
        assert first.room == "lobby" and first.recipient is None
        assert before <= first.at <= time.time()
        assert second.at == 1234.5 and second.recipient == "Alice" and second.room is None
        assert second.id > first.id > 0

    with_store(new_store, body)


@pytest.mark.parametrize(
    ("room", "recipient"), [(None, None), ("lobby", "bob")], ids=["neither", "both"]
)
def test_append_needs_exactly_one_target(
    new_store: StoreFactory, room: str | None, recipient: str | None
) -> None:
    async def body(store: Store) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            await store.append("alice", "where to?", room=room, recipient=recipient)

    with_store(new_store, body)


def test_concurrent_appends_get_increasing_ids_in_order(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        sent = await asyncio.gather(
            *(store.append("alice", f"m{i}", room="lobby") for i in range(300))
        )
        ids = [message.id for message in sent]
        assert ids == sorted(ids) and len(set(ids)) == 300
        history = await store.room_history("lobby", limit=1000)
        assert [message.text for message in history] == [f"m{i}" for i in range(300)]
        assert history == sent

    with_store(new_store, body)


def test_room_history_pages_backwards_oldest_first(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        sent = [await store.append("alice", f"m{i}", room="team") for i in range(10)]
        await store.append("alice", "elsewhere", room="other")
        assert await store.room_history("team", limit=3) == sent[7:]
        assert await store.room_history("team", before_id=sent[7].id, limit=3) == sent[4:7]
        assert await store.room_history("team", before_id=sent[2].id, limit=5) == sent[:2]
        assert await store.room_history("team") == sent
        assert await store.room_history("team", limit=0) == []
        assert await store.room_history("nowhere") == []
        assert [m.text for m in await store.room_history("other")] == ["elsewhere"]

    with_store(new_store, body)


def test_direct_history_holds_both_directions_of_one_pair(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        one = await store.append("Alice", "hi bob", recipient="Bob")
        two = await store.append("BOB", "hi alice", recipient="alice")
        await store.append("Alice", "hi carol", recipient="Carol")
        await store.append("Alice", "in a room", room="bob")
        three = await store.append("alice", "bye", recipient="Bob")
        assert await store.direct_history("alice", "bob") == [one, two, three]
        assert await store.direct_history("bob", "alice", limit=2) == [two, three]
        assert await store.direct_history("bob", "alice", before_id=three.id, limit=1) == [two]
        assert [m.text for m in await store.direct_history("carol", "alice")] == ["hi carol"]
        assert await store.direct_history("bob", "carol") == []

    with_store(new_store, body)


def test_text_of_any_script_round_trips(new_store: StoreFactory) -> None:
    texts = ["привет", "日本語のテキスト", "emoji 🎉👍", "tab\there", "x" * 10_000, ""]

    async def body(store: Store) -> None:
        for text in texts:
            await store.append("Ünïcødé", text, room="lobby")
        history = await store.room_history("lobby")
        assert [m.text for m in history] == texts
        assert {m.sender for m in history} == {"Ünïcødé"}

    with_store(new_store, body)


# Offline queues ----------------------------------------------------------------------------


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


# Accounts ----------------------------------------------------------------------------------


def test_accounts_are_created_once_read_changed_and_deleted(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
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


# Rooms and memberships ---------------------------------------------------------------------


def test_rooms_are_saved_updated_listed_and_deleted(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.save_room("zeta", "Zeta")
        await store.save_room("alpha", "Alpha", "first topic")
        await store.save_room("alpha", "ALPHA", "second topic")
        assert await store.rooms() == [
            RoomRecord("alpha", "ALPHA", "second topic"),
            RoomRecord("zeta", "Zeta", ""),
        ]
        await store.delete_room("zeta")
        await store.delete_room("never-was")
        assert await store.rooms() == [RoomRecord("alpha", "ALPHA", "second topic")]

    with_store(new_store, body)


def test_memberships_keep_join_order(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("alice", "Alice", "h")
        for room in ("c", "a", "b"):
            await store.save_room(room, room.upper())
            await store.add_membership("alice", room)
        await store.add_membership("alice", "c")  # again: no change
        assert await store.memberships("alice") == ["c", "a", "b"]
        await store.remove_membership("alice", "a")
        await store.remove_membership("alice", "a")
        await store.add_membership("alice", "a")
        assert await store.memberships("alice") == ["c", "b", "a"]
        await store.delete_room("b")
        assert await store.memberships("alice") == ["c", "a"]
        assert await store.memberships("nobody") == []

    with_store(new_store, body)


def test_membership_needs_an_account_and_a_saved_room(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("alice", "Alice", "h")
        await store.save_room("team", "Team")
        with pytest.raises(UnknownKeyError, match="account"):
            await store.add_membership("guest", "team")
        with pytest.raises(UnknownKeyError, match="room"):
            await store.add_membership("alice", "nowhere")
        assert await store.memberships("alice") == []
        await store.add_membership("alice", "team")  # the store still works
        assert await store.memberships("alice") == ["team"]

    with_store(new_store, body)


# Life cycle --------------------------------------------------------------------------------


def test_a_store_that_is_not_open_refuses_work(new_store: StoreFactory) -> None:
    async def body() -> None:
        store = new_store()
        with pytest.raises(StoreClosedError):
            await store.append("alice", "too early", room="lobby")
        await store.open()
        await store.append("alice", "on time", room="lobby")
        await store.close()
        with pytest.raises(StoreClosedError):
            await store.room_history("lobby")
        with pytest.raises(StoreClosedError):
            await store.create_account("alice", "Alice", "h")
        await store.close()  # twice is fine

    run(body())


def test_make_store_picks_memory_for_ephemeral_and_a_file_otherwise(tmp_path: Path) -> None:
    assert isinstance(make_store(tmp_path, ephemeral=True), MemoryStore)
    assert isinstance(make_store(None), MemoryStore)
    store = make_store(tmp_path / "data")
    assert isinstance(store, SQLiteStore)
    assert store.path == tmp_path / "data" / DATABASE_FILENAME


def test_append_batch_keeps_all_in_order(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        batch = [
            NewMessage("alice", "one", room="lobby"),
            NewMessage("bob", "two", room="dev"),
            NewMessage("alice", "psst", recipient="bob"),
        ]
        kept = await store.append_batch(batch)
        assert [m.text for m in kept] == ["one", "two", "psst"]
        assert kept[0].id < kept[1].id < kept[2].id
        assert [m.text for m in await store.room_history("dev")] == ["two"]
        assert [m.text for m in await store.direct_history("alice", "bob")] == ["psst"]

    with_store(new_store, body)
