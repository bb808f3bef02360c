"""Migrations: a new file gets the whole schema; a newer file is refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from parley.store import SchemaError, SQLiteStore
from parley.store.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from tests.store.conftest import run

TABLES = {"accounts", "rooms", "memberships", "messages", "offline"}


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows} - {"sqlite_sequence"}


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
