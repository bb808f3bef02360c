"""Persistence behind one small interface: accounts, rooms, history and offline queues.

`SQLiteStore` is the embedded default (one file in the data directory); `MemoryStore` keeps
everything in memory for ``--ephemeral``. `open_store` picks one the way the server does.
Both are used from one asyncio event loop: `await store.open()`, then the `Store` methods,
then `await store.close()`.
"""

from __future__ import annotations

from pathlib import Path

from parley.store.base import (
    Account,
    NewMessage,
    RoomRecord,
    SchemaError,
    Store,
    StoreClosedError,
    StoredMessage,
    StoreError,
    UnknownKeyError,
)
from parley.store.memory import MemoryStore
from parley.store.sqlite import SQLiteStore

DATABASE_FILENAME = "parley.db"

__all__ = [
    "DATABASE_FILENAME",
    "Account",
    "MemoryStore",
    "NewMessage",
    "RoomRecord",
    "SQLiteStore",
    "SchemaError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoredMessage",
    "UnknownKeyError",
    "make_store",
]


def make_store(data_dir: Path | None, *, ephemeral: bool = False) -> Store:
    """The server's store: `DATABASE_FILENAME` in `data_dir`, or memory if `ephemeral`.

    The store is not opened yet: the caller awaits `open` (which creates the directory).
    """
    if ephemeral or data_dir is None:
        return MemoryStore()
    return SQLiteStore(Path(data_dir) / DATABASE_FILENAME)
