"""What only the SQLite store does: survive restarts, group commit, isolate failures."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from parley.chat.store import Account, RoomRecord, StoredMessage, StoreError, UnknownKeyError
from parley.store import SQLiteStore
from parley.store.queries import PRUNE_CHUNK, SEARCH_CHUNK
from tests.store.conftest import database, run


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    path = database(tmp_path)

    async def first_run() -> None:
        store = SQLiteStore(path)
        await store.open()
        await store.create_account("alice", "Alice", "hash-a")
        await store.create_account("bob", "Bob", "hash-b")
        await store.save_room("team", "Team", "ship it")
        await store.add_membership("alice", "team")
        await store.append("alice", "in the room", room="team")
        for i in range(3):
            await store.append("alice", f"dm {i}", recipient="Bob", offline_for="bob")
        await store.close()

    async def second_run() -> None:
        store = SQLiteStore(path)
        await store.open()
        account = await store.get_account("alice")
        assert account is not None and account.password_hash == "hash-a"
        assert await store.rooms() == [RoomRecord("team", "Team", "ship it")]
        assert await store.memberships("alice") == ["team"]
        assert [m.text for m in await store.room_history("team")] == ["in the room"]
        assert await store.offline_count("bob", sender_key="alice") == 3
        assert [m.text for m in await store.take_offline("bob")] == ["dm 0", "dm 1", "dm 2"]
        later = await store.append("bob", "after restart", room="team")
        assert later.id == 5  # ids continue, never reused
        await store.close()

    async def third_run() -> None:
        store = SQLiteStore(path)
        await store.open()
        assert await store.take_offline("bob") == []  # delivered once, even across restarts
        assert await store.offline_count("bob") == 0
        assert len(await store.direct_history("alice", "bob")) == 3
        await store.close()

    run(first_run())
    run(second_run())
    run(third_run())


def test_the_database_is_a_wal_file_in_a_new_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "parley.db"

    async def body() -> None:
        store = SQLiteStore(path)
        await store.open()
        await store.append("alice", "hello", room="lobby")
        await store.close()

    run(body())
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_group_commit_puts_many_writes_in_few_transactions(tmp_path: Path) -> None:
    async def body() -> None:
        store = SQLiteStore(database(tmp_path))
        await store.open()
        sent = await asyncio.gather(
            *(store.append(f"user{i % 7}", f"m{i}", room="lobby") for i in range(500))
        )
        assert store.commits < 50
        assert store.largest_batch > 10
        assert len({m.id for m in sent}) == 500
        assert len(await store.room_history("lobby", limit=1000)) == 500
        await store.close()

    run(body())


def test_without_group_commit_each_write_commits_alone(tmp_path: Path) -> None:
    async def body() -> None:
        store = SQLiteStore(database(tmp_path), group_commit=False, synchronous="NORMAL")
        await store.open()
        await asyncio.gather(*(store.append("alice", f"m{i}", room="lobby") for i in range(40)))
        assert store.commits == 40
        assert store.largest_batch == 1
        await store.close()

    run(body())


def test_a_failing_write_fails_only_its_caller(tmp_path: Path) -> None:
    async def body() -> None:
        store = SQLiteStore(database(tmp_path), batch_delay=0.05)  # so all four share a batch
        await store.open()
        bad_sql = store._write(
            "broken", lambda conn: conn.execute("INSERT INTO nowhere VALUES (1)")
        )
        outcomes = await asyncio.gather(
            store.append("alice", "before", room="lobby"),
            bad_sql,
            store.add_membership("ghost", "nowhere"),
            store.append("alice", "after", room="lobby"),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], StoreError) and "broken failed" in str(outcomes[1])
        assert isinstance(outcomes[1].__cause__, sqlite3.OperationalError)
        assert isinstance(outcomes[2], UnknownKeyError)
        texts = [m.text for m in await store.room_history("lobby")]
        assert texts == ["before", "after"]
        assert store.commits == 1  # they really shared a transaction
        await store.append("alice", "still writing", room="lobby")
        await store.close()

    run(body())


def test_close_commits_what_was_already_asked_for(tmp_path: Path) -> None:
    path = database(tmp_path)

    async def write_then_close() -> None:
        store = SQLiteStore(path)
        await store.open()
        tasks = [asyncio.create_task(store.append("a", f"m{i}", room="r")) for i in range(100)]
        await asyncio.sleep(0)  # every task has queued its write
        await store.close()
        assert all(task.done() and task.exception() is None for task in tasks)

    async def count() -> int:
        store = SQLiteStore(path)
        await store.open()
        history = await store.room_history("r", limit=1000)
        await store.close()
        return len(history)

    run(write_then_close())
    assert run(count()) == 100


def test_a_cancelled_caller_does_not_stop_the_writer(tmp_path: Path) -> None:
    async def body() -> None:
        store = SQLiteStore(database(tmp_path))
        await store.open()
        task = asyncio.create_task(store.append("alice", "gave up waiting", room="lobby"))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await store.append("alice", "next", room="lobby")
        texts = [m.text for m in await store.room_history("lobby")]
        assert texts == ["gave up waiting", "next"]  # a queued write is not taken back
        await store.close()

    run(body())


def test_reads_do_not_wait_for_a_long_write_queue(tmp_path: Path) -> None:
    async def body() -> None:
        store = SQLiteStore(database(tmp_path))
        await store.open()
        await store.create_account("alice", "Alice", "h")
        writes = [
            asyncio.create_task(store.append("bob", f"m{i}", room="busy")) for i in range(5000)
        ]
        await asyncio.sleep(0)
        account = await store.get_account("alice")
        assert account == Account("alice", "Alice", "h", account.created_at if account else 0)
        assert not all(write.done() for write in writes)  # answered while writes were queued
        await asyncio.gather(*writes)
        await store.close()

    run(body())


def test_synchronous_must_be_normal_or_full(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        SQLiteStore(database(tmp_path), synchronous="OFF")  # type: ignore[arg-type]


@pytest.mark.parametrize("bound", ["older_than", "max_bytes"])
def test_a_large_prune_is_many_small_writes(tmp_path: Path, bound: str) -> None:
    count = 2 * PRUNE_CHUNK + 100

    async def body() -> None:
        store = SQLiteStore(database(tmp_path), synchronous="NORMAL")
        await store.open()
        first = store.reserve_ids(count)
        await store.append_batch(
            [StoredMessage(first + i, 1.0, "a", "x", room="lobby") for i in range(count)]
        )
        newest = await store.append("a", "kept", room="lobby", at=5.0)
        before = store.commits
        if bound == "older_than":
            deleted = await store.prune_history(older_than=2.0)
        else:
            deleted = await store.prune_history(max_bytes=len("kept") + 1)
        assert deleted == count
        assert store.commits - before == 3  # so other writes get their turn in between
        assert await store.room_history("lobby") == [newest]
        await store.close()

    run(body())


def test_reserved_ids_continue_after_a_restart_even_when_history_was_pruned(
    tmp_path: Path,
) -> None:
    path = database(tmp_path)

    async def first_run() -> int:
        store = SQLiteStore(path)
        await store.open()
        first = store.reserve_ids(3)
        await store.append_batch(
            [StoredMessage(first + i, 1.0, "a", f"m{i}", room="lobby") for i in range(3)]
        )
        assert await store.prune_history(older_than=2.0) == 3
        await store.close()
        return first + 2

    async def second_run(last: int) -> None:
        store = SQLiteStore(path)
        await store.open()
        assert store.reserve_ids(1) == last + 1
        await store.close()

    run(second_run(run(first_run())))


def test_messages_a_stopped_server_left_unindexed_are_found_after_a_restart(
    tmp_path: Path,
) -> None:
    """A search indexes only when something may wait: what an earlier run kept and never
    indexed (no search, no full chunk before it stopped) still counts as waiting."""
    path = database(tmp_path)

    async def first_run() -> None:
        store = SQLiteStore(path, synchronous="NORMAL")
        await store.open()
        first = store.reserve_ids(2)
        await store.append_batch([StoredMessage(first, 1.0, "a", "kept before", "lobby")])
        assert await store.search_history(["kept"], conversations=["#lobby"])  # indexed now
        await store.append_batch([StoredMessage(first + 1, 2.0, "a", "left waiting", "lobby")])
        await store.close()

    async def second_run() -> None:
        store = SQLiteStore(path, synchronous="NORMAL")
        await store.open()
        found = await store.search_history(["waiting"], conversations=["#lobby"])
        assert [m.text for m in found] == ["left waiting"]
        again = await store.search_history(["kept"], conversations=["#lobby"])
        assert [m.text for m in again] == ["kept before"]
        await store.close()

    run(first_run())
    run(second_run())


def test_the_search_index_catches_up_in_chunks_and_before_a_search(tmp_path: Path) -> None:
    """Kept messages wait for the index until a chunk is full or someone searches; pruning
    messages on both sides of that line leaves the index whole."""
    path = database(tmp_path)

    def waiting() -> int:
        conn = sqlite3.connect(path)
        try:
            mark = conn.execute("SELECT up_to FROM search_mark").fetchone()[0]
            rows = conn.execute("SELECT count(*) FROM messages WHERE id > ?", (mark,))
            return int(rows.fetchone()[0])
        finally:
            conn.close()

    async def body() -> None:
        store = SQLiteStore(path, synchronous="NORMAL")
        await store.open()
        first = store.reserve_ids(SEARCH_CHUNK + 10)
        old = [StoredMessage(first + i, 1.0, "a", f"old word{i}", "lobby") for i in range(10)]
        await store.append_batch(old)
        assert waiting() == 10
        found = await store.search_history(["word3"], conversations=["#lobby"])
        assert [m.text for m in found] == ["old word3"] and waiting() == 0
        more = [
            StoredMessage(first + 10 + i, 5.0, "a", f"new word{i}", "lobby")
            for i in range(SEARCH_CHUNK)
        ]
        await store.append_batch(more)
        assert waiting() == 0  # a full chunk is indexed with the write, no search needed
        await store.append_batch(
            [StoredMessage(store.reserve_ids(1), 1.0, "a", "late word", "lobby")]
        )
        assert await store.prune_history(older_than=2.0) == 11  # indexed and waiting ones
        assert waiting() == 0
        assert await store.search_history(["old"], conversations=["#lobby"]) == []
        assert await store.search_history(["late"], conversations=["#lobby"]) == []
        assert len(await store.search_history(["new"], conversations=["#lobby"], limit=5)) == 5
        await store.close()
        conn = sqlite3.connect(path)
        conn.execute("INSERT INTO messages_search(messages_search) VALUES ('integrity-check')")
        conn.close()

    run(body())
