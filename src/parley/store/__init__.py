"""Implementations of the chat core's store port (`parley.chat.store`).

`SQLiteStore` is the embedded default (one file in the data directory); `MemoryStore` keeps
everything in bounded memory for ``--ephemeral``. `make_store` picks one the way the server
does. Both are used from one asyncio event loop: `await store.open()`, then the `Store`
methods, then `await store.close()`. The port's records, errors and Protocols are re-exported
here so that callers need one import. Nothing here imports server, client or protocol code.
"""

from __future__ import annotations

from pathlib import Path

from parley.chat.store import (
    Account,
    AccountStore,
    HistoryStore,
    OfflineStore,
    RoomRecord,
    RoomStore,
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
    "AccountStore",
    "HistoryStore",
    "MemoryStore",
    "OfflineStore",
    "RoomRecord",
    "RoomStore",
    "SQLiteStore",
    "SchemaError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoredMessage",
    "UnknownKeyError",
    "make_store",
]


def make_store(
    data_dir: Path | None,
    *,
    ephemeral: bool = False,
    memory_messages: int | None = None,
    memory_per_conversation: int | None = None,
) -> Store:
    """The server's store: `DATABASE_FILENAME` in `data_dir`, or memory if `ephemeral`.

    The store is not opened yet: the caller awaits `open` (which creates the directory).
    The memory store keeps at most `memory_messages` messages in all and
    `memory_per_conversation` in each room or conversation (None: its defaults).
    """
    if ephemeral or data_dir is None:
        limits: dict[str, int] = {}
        if memory_messages is not None:
            limits["max_messages"] = memory_messages
        if memory_per_conversation is not None:
            limits["history_per_conversation"] = memory_per_conversation
        return MemoryStore(**limits)
    return SQLiteStore(Path(data_dir) / DATABASE_FILENAME)
