"""Migrations: a new file gets the whole schema; a newer file is refused untouched."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from parley.chat.store import RoomRecord, SchemaError
from parley.store import SQLiteStore
from parley.store.queries import index_waiting, insert_messages
from parley.store.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from tests.store.conftest import run

TABLES = {
    "accounts", "rooms", "memberships", "messages", "offline", "messages_search",
    "search_mark", "session_tokens",
}  # fmt: skip


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    names = {row[0] for row in rows} - {"sqlite_sequence"}
    return {name for name in names if not name.startswith("messages_search_")}  # FTS5's own


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    assert all(m.summary and m.statements for m in MIGRATIONS)


def test_an_empty_file_gets_every_migration(tmp_path: Path) -> None:
    conn = connect(tmp_path / "new.db")
    assert schema_version(conn) == 0
    assert migrate(conn, "new.db") == LATEST_VERSION
    assert schema_version(conn) == LATEST_VERSION
    assert tables(conn) == TABLES
    assert migrate(conn, "new.db") == LATEST_VERSION  # a second run changes nothing
    conn.close()


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    conn = connect(tmp_path / "clash.db")
    conn.execute("CREATE TABLE messages (x)")  # migration 1 cannot create its own
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        migrate(conn, "clash.db")
    assert schema_version(conn) == 0
    assert tables(conn) == {"messages"}
    conn.close()


def test_a_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()

    with pytest.raises(SchemaError, match=rf"schema version {LATEST_VERSION + 1}.*newer Parley"):
        run(SQLiteStore(path).open())

    conn = connect(path)
    assert schema_version(conn) == LATEST_VERSION + 1
    assert tables(conn) == set()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
    conn.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the tables you are looking for\n" * 100)
    with pytest.raises(SchemaError, match="not a Parley database"):
        run(SQLiteStore(path).open())
    assert path.read_bytes().startswith(b"these are not")


def test_a_store_opens_a_file_made_by_an_older_run(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, "old.db")
    conn.execute("INSERT INTO rooms (key, name, topic) VALUES ('team', 'Team', 'kept')")
    conn.close()

    async def body() -> list[str]:
        store = SQLiteStore(path)
        await store.open()
        rooms = await store.rooms()
        await store.close()
        return [room.topic for room in rooms]

    assert run(body()) == ["kept"]


# Upgrades ----------------------------------------------------------------------------------

# Written by the store of commit e8afd79 (schema version 1, see data/make_parley_v1.py):
# accounts alice and bob, room "team" (alice a member), history 1-8, and three messages
# waiting for dave (ids 6-8, from "Alice", "ALICE" and "Bob", at 1400, 2100 and 2200).
# Tests open copies: even a read-only connection leaves WAL files beside a WAL database.
VERSION_1_FILE = Path(__file__).with_name("data") / "parley-v1.db"


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_the_version_1_file_is_what_the_upgrade_tests_assume(tmp_path: Path) -> None:
    path = tmp_path / "parley.db"
    shutil.copyfile(VERSION_1_FILE, path)
    conn = connect(path)
    assert schema_version(conn) == 1
    assert "sender_key" not in columns(conn, "offline")
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 8
    conn.close()


def test_a_file_written_by_the_previous_release_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "parley.db"
    shutil.copyfile(VERSION_1_FILE, path)

    async def body() -> None:
        store = SQLiteStore(path)
        await store.open()
        assert await store.get_room("team") == RoomRecord("team", "Team", "ship it")
        assert await store.memberships("alice") == ["team"]
        assert await store.account_keys() == {"alice", "bob"}
        assert await store.offline_keys() == {"dave"}
        assert await store.offline_count("dave") == 3
        assert await store.offline_count("dave", sender_key="alice") == 2  # "Alice", "ALICE"
        assert await store.offline_count("dave", sender_key="bob") == 1
        old = await store.direct_history("alice", "bob", since=1150.0)
        assert [m.text for m in old] == ["hi alice"]
        taken = await store.take_offline("dave", newer_than=2000.0)
        assert [m.text for m in taken] == ["queued 2", "queued 3"]
        assert await store.delete_direct_history("dave") == 3  # dave is the higher key
        assert await store.delete_direct_history("alice") == 3  # alice the lower one
        assert await store.prune_history(older_than=1500.0) == 1
        assert [m.text for m in await store.room_history("team")] == ["new room line"]
        assert (await store.append("bob", "after the upgrade", room="team")).id == 9
        await store.close()

    run(body())
    conn = connect(path)
    assert schema_version(conn) == LATEST_VERSION
    assert "sender_key" in columns(conn, "offline")
    conn.close()


def test_migration_2_gives_every_queued_message_its_sender_key(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    assert migrate(conn, "old.db", target=1) == 1
    senders = ["Alice", "ALICE", "\uff21lice", "\u0430lice", "Bob", "bob"]
    for seq, sender in enumerate(senders, 1):
        conn.execute(
            "INSERT INTO offline (recipient_key, message_id, at, sender, text, room, recipient)"
            " VALUES ('dave', ?, ?, ?, 'hi', NULL, 'Dave')",
            (seq, float(seq), sender),
        )
    assert migrate(conn, "old.db") == LATEST_VERSION
    keys = [row[0] for row in conn.execute("SELECT sender_key FROM offline ORDER BY seq")]
    assert keys == ["alice"] * 4 + ["bob"] * 2
    conn.close()


def test_a_failed_upgrade_leaves_the_file_at_its_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, "old.db", target=1)
    conn.execute("CREATE INDEX messages_at ON messages(id)")  # migration 2 cannot make its own
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        migrate(conn, "old.db")
    assert schema_version(conn) == 1
    assert "sender_key" not in columns(conn, "offline")
    conn.close()


def test_search_indexes_history_written_before_it_existed(tmp_path: Path) -> None:
    """Migration 5 builds the index over the messages already there, migration 8 rebuilds it
    over those and the ones waiting in 6's backlog; new ones then wait above the mark until
    indexed at once, and deleting either kind keeps the index whole."""
    conn = connect(tmp_path / "old.db")
    migrate(conn, "old.db", target=4)
    insert = (
        "INSERT INTO messages (at, sender, text, room, conversation)"
        " VALUES (?, 'a', ?, 'dev', '#dev')"
    )
    conn.execute(insert, (1, "before the index"))
    migrate(conn, "old.db", target=7)
    conn.execute(insert, (2, "waiting in the backlog of 6"))
    migrate(conn, "old.db")
    conn.execute(insert, (3, "after the index"))
    conn.execute(insert, (4, "index, deleted while waiting"))

    def matching(word: str) -> list[int]:
        rows = conn.execute(
            "SELECT rowid FROM messages_search WHERE messages_search MATCH ?", (word,)
        )
        return sorted(row[0] for row in rows)

    assert matching("index") == [1]  # 3 and 4 wait above the mark
    assert matching("backlog") == [2]
    conn.execute("DELETE FROM messages WHERE id = 4")  # retention: never indexed, nothing to do
    assert index_waiting(conn) == 1
    assert matching("index") == [1, 3]
    conn.execute("DELETE FROM messages WHERE id = 1")  # indexed: the index forgets it too
    assert matching("before") == []
    conn.execute("INSERT INTO messages_search(messages_search) VALUES ('integrity-check')")
    conn.close()


def test_a_message_kept_below_the_search_mark_is_indexed_with_its_insert(tmp_path: Path) -> None:
    """Ids are given when a message is relayed and it is kept a little later, so a message
    can be kept after the index caught up with a higher id (an offline message written at
    once while a batch waited): it must not fall below the mark unindexed."""
    conn = connect(tmp_path / "new.db")
    migrate(conn, "new.db")
    insert_messages(conn, [(10, 1.0, "a", "the later id", "dev", None, "#dev")])
    assert index_waiting(conn) == 1  # a search: the mark moves to 10
    insert_messages(conn, [(7, 1.0, "a", "the earlier id", "dev", None, "#dev")])
    rows = conn.execute("SELECT rowid FROM messages_search WHERE messages_search MATCH 'earlier'")
    assert [row[0] for row in rows] == [7]
    assert index_waiting(conn) == 0
    conn.execute("DELETE FROM messages")
    conn.execute("INSERT INTO messages_search(messages_search) VALUES ('integrity-check')")
    conn.close()


def test_each_upgrade_of_an_old_file_is_logged_before_it_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    conn = connect(tmp_path / "old.db")
    migrate(conn, "old.db", target=6)
    with caplog.at_level("INFO", logger="parley.store"):
        migrate(conn, "old.db")
    assert [r.getMessage() for r in caplog.records] == [
        f"old.db: upgrading to schema {m.version}: {m.summary}" for m in MIGRATIONS[6:]
    ]
    caplog.clear()
    fresh = connect(tmp_path / "new.db")
    with caplog.at_level("INFO", logger="parley.store"):
        migrate(fresh, "new.db")
    assert caplog.records == []  # a new file is not an upgrade
    conn.close()
    fresh.close()
