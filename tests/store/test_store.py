"""The `Store` life cycle on every store, and `make_store`.

What each port does is in its own contract suite: `test_history_port`, `test_offline_port`,
`test_accounts_port`, `test_rooms_port`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from parley.chat.store import Store, StoreClosedError, StoredMessage, StoredToken
from parley.store import DATABASE_FILENAME, MemoryStore, SQLiteStore, make_store
from tests.store.conftest import StoreFactory, run

MESSAGE = StoredMessage(1, 1.0, "alice", "hi", recipient="bob")

EVERY_METHOD: dict[str, Callable[[Store], Awaitable[Any]]] = {
    "append": lambda s: s.append("alice", "hi", room="lobby"),
    "append_batch": lambda s: s.append_batch([StoredMessage(1, 1.0, "alice", "hi", room="lobby")]),
    "room_history": lambda s: s.room_history("lobby"),
    "direct_history": lambda s: s.direct_history("alice", "bob", since=0.0),
    "search_history": lambda s: s.search_history(("hi",), direct_of="alice"),
    "delete_direct_history": lambda s: s.delete_direct_history("alice"),
    "prune_history": lambda s: s.prune_history(older_than=0.0, max_bytes=0),
    "queue_offline": lambda s: s.queue_offline("bob", MESSAGE),
    "offline_count": lambda s: s.offline_count("bob", sender_key="alice"),
    "take_offline": lambda s: s.take_offline("bob", newer_than=0.0),
    "purge_offline": lambda s: s.purge_offline(0.0),
    "offline_keys": lambda s: s.offline_keys(),
    "create_account": lambda s: s.create_account("alice", "Alice", "h"),
    "get_account": lambda s: s.get_account("alice"),
    "set_password": lambda s: s.set_password("alice", "h"),
    "delete_account": lambda s: s.delete_account("alice"),
    "account_keys": lambda s: s.account_keys(),
    "save_room": lambda s: s.save_room("team", "Team"),
    "get_room": lambda s: s.get_room("team"),
    "delete_room": lambda s: s.delete_room("team"),
    "rooms": lambda s: s.rooms(),
    "expire_rooms": lambda s: s.expire_rooms(0.0),
    "add_membership": lambda s: s.add_membership("alice", "team"),
    "remove_membership": lambda s: s.remove_membership("alice", "team"),
    "memberships": lambda s: s.memberships("alice"),
    "save_token": lambda s: s.save_token(StoredToken(b"d" * 32, "alice", 1.0), keep=20),
    "get_token": lambda s: s.get_token(b"d" * 32),
    "delete_token": lambda s: s.delete_token(b"d" * 32),
    "delete_tokens": lambda s: s.delete_tokens("alice"),
    "expire_tokens": lambda s: s.expire_tokens(0.0),
}


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


@pytest.mark.parametrize("method", sorted(EVERY_METHOD))
def test_every_method_refuses_work_after_close(new_store: StoreFactory, method: str) -> None:
    async def body() -> None:
        store = new_store()
        await store.open()
        await store.close()
        with pytest.raises(StoreClosedError):
            await EVERY_METHOD[method](store)

    run(body())


def test_the_method_list_covers_the_whole_port() -> None:
    protocol_methods = {
        name for name in dir(Store) if not name.startswith("_") and callable(getattr(Store, name))
    }
    # reserve_ids is a counter in memory (no work to refuse): a closed store's ids stay fresh.
    assert protocol_methods - {"open", "close", "reserve_ids"} == set(EVERY_METHOD)


def test_make_store_picks_memory_for_ephemeral_and_a_file_otherwise(tmp_path: Path) -> None:
    assert isinstance(make_store(tmp_path, ephemeral=True), MemoryStore)
    assert isinstance(make_store(None), MemoryStore)
    store = make_store(tmp_path / "data")
    assert isinstance(store, SQLiteStore)
    assert store.path == tmp_path / "data" / DATABASE_FILENAME
