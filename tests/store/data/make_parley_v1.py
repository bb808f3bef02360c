"""Writes ``parley-v1.db``, the schema-1 file that `test_schema`'s upgrade tests open.

It was run once against the store of commit e8afd79, the last with schema version 1:
``git archive e8afd79 src | tar -x -C /tmp/v1 && PYTHONPATH=/tmp/v1/src python
tests/store/data/make_parley_v1.py tests/store/data/parley-v1.db``. Run against newer code it
writes a newer file, which is not what the tests need: keep the file, not the run.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from parley.store import SQLiteStore


async def make(path: Path) -> None:
    store = SQLiteStore(path)
    await store.open()
    await store.create_account("alice", "Alice", "hash-a")
    await store.create_account("bob", "Bob", "hash-b")
    await store.save_room("team", "Team", "ship it")
    await store.add_membership("alice", "team")
    await store.append("Alice", "old room line", room="team", at=1000.0)
    await store.append("Alice", "new room line", room="team", at=2000.0)
    await store.append("Alice", "hi bob", recipient="Bob", at=1100.0)
    await store.append("Bob", "hi alice", recipient="Alice", at=1200.0)
    await store.append("Carol", "for alice", recipient="Alice", at=1300.0)
    await store.append("Alice", "queued 1", recipient="Dave", at=1400.0, offline_for="dave")
    await store.append("ALICE", "queued 2", recipient="Dave", at=2100.0, offline_for="dave")
    await store.append("Bob", "queued 3", recipient="Dave", at=2200.0, offline_for="dave")
    await store.close()


if __name__ == "__main__":
    asyncio.run(make(Path(sys.argv[1])))
