"""The `RoomStore` contract: every store (memory, SQLite, any later one) passes it unchanged.

The tests speak only the port's language (`parley.chat.store`), never an implementation's.
"""

from __future__ import annotations

import pytest

from parley.chat.store import RoomRecord, RoomStore, Store, UnknownKeyError
from tests.store.conftest import StoreFactory, with_store


def test_rooms_are_saved_updated_listed_and_deleted(new_store: StoreFactory) -> None:
    async def body(store: RoomStore) -> None:
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


def test_get_room_finds_one_room_by_key(new_store: StoreFactory) -> None:
    async def body(store: RoomStore) -> None:
        assert await store.get_room("team") is None
        await store.save_room("team", "Team", "ship it")
        await store.save_room("other", "Other")
        assert await store.get_room("team") == RoomRecord("team", "Team", "ship it")
        await store.save_room("team", "TEAM", "shipped")
        assert await store.get_room("team") == RoomRecord("team", "TEAM", "shipped")
        assert await store.get_room("Team") is None  # keys are compared as given
        await store.delete_room("team")
        assert await store.get_room("team") is None
        assert await store.get_room("other") == RoomRecord("other", "Other", "")

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


def test_deleting_a_room_keeps_its_history(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        message = await store.append("alice", "hello", room="team")
        await store.save_room("team", "Team")
        await store.delete_room("team")
        assert await store.room_history("team") == [message]

    with_store(new_store, body)
