"""One fixture for every store, so every contract suite (`test_*_port`) runs on each of them.

A new implementation (PostgreSQL) joins by adding one parameter to `new_store`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from parley.chat.store import Store
from parley.store import MemoryStore, SQLiteStore

T = TypeVar("T")
StoreFactory = Callable[[], Store]


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
    """Run `coroutine` on a fresh event loop, failing after `timeout` seconds."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def with_store(new_store: StoreFactory, body: Callable[[Store], Awaitable[T]]) -> T:
    """Open a new store, run `body` on it, close it."""

    async def main() -> T:
        store = new_store()
        await store.open()
        try:
            return await body(store)
        finally:
            await store.close()

    return run(main())


def database(tmp_path: Path) -> Path:
    """Where the tests keep their SQLite file (in a directory the store must create)."""
    return tmp_path / "data" / "parley.db"


@pytest.fixture(params=["memory", "sqlite"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Makes an unopened store of each kind; SQLite ones share one file in `tmp_path`."""
    if request.param == "memory":
        return MemoryStore
    return lambda: SQLiteStore(database(tmp_path))
