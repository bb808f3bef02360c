"""The embedded store: one SQLite file in WAL mode, written by one thread with group commit.

Why threads: the stdlib `sqlite3` module blocks, and the event loop must never block. The
store owns two threads (`parley.store.workers`), each with its own connection, and the event
loop only ever puts jobs on their queues and awaits futures:

- the *writer* is the only connection that writes. Write requests queue up; the writer takes
  everything queued (up to `batch_max`, lingering `batch_delay` for more), runs it in
  one transaction, commits, and only then resolves the callers' futures, so every
  acknowledged write is on disk and one fsync pays for a whole batch (group commit;
  ``group_commit=False`` commits each request alone, for the benchmark to compare). Each
  request runs inside its own SAVEPOINT: a request that fails is rolled back alone and fails
  only its own caller; the writer thread never dies of a request.
- the *reader* answers queries on a second, query-only connection. WAL lets it read the last
  committed state while the writer commits, so a history query never waits behind an fsync
  and a burst of writes never waits behind a long history scan. Because writes resolve only
  after their commit, a read issued after a write's `await` returns always sees that write.

`batch_delay` is 0 by default: requests that arrive while a commit is under way already form
the next batch (100 concurrent writers give batches of 100), and any lingering only adds
latency, and caps a connection that waits for each acknowledgement at 1/`batch_delay` messages
a second. A positive delay can still pay off on a disk whose fsync is slow and a trickle of
writers.

`synchronous="FULL"` (the default) fsyncs the WAL at each commit: an acknowledged message
survives a power cut. ``"NORMAL"`` survives a crash of the process but may lose the last
commits on a power cut; it is faster only where fsync is slow.

Resource handling: `open` starts both threads and creates or migrates the database (and its
directory); `close` lets the writer commit everything already asked for, then stops both
threads and closes the connections. The threads are daemons, so a process that never calls
`close` still exits (losing only writes nobody was told were committed).

Error handling: an SQLite error in a request becomes a `StoreError` in that request's caller;
a failed COMMIT fails every request of its batch. A caller that is cancelled while waiting
does not undo its write, which commits with its batch.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

from parley.store.base import (
    DEFAULT_HISTORY_LIMIT,
    Account,
    NewMessage,
    RoomRecord,
    StoreClosedError,
    StoredMessage,
    StoreError,
    UnknownKeyError,
    conversation_of,
    direct_pair,
)
from parley.store.schema import check_version, migrate
from parley.store.workers import Job, Worker, Writer

T = TypeVar("T")
Synchronous = Literal["NORMAL", "FULL"]
log = logging.getLogger(__name__)

_MESSAGE_COLUMNS = "id, at, sender, text, room, recipient"
_NEWEST = 2**63 - 1


ROWS_PER_INSERT = 500  # 6 parameters a row: well under SQLite's 32,766 per statement


@functools.lru_cache(maxsize=8)
def _insert_rows_sql(count: int) -> str:
    """``INSERT INTO messages … VALUES (…), (…), …`` for `count` rows."""
    rows = ", ".join(["(?, ?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO messages (at, sender, text, room, recipient, conversation) VALUES {rows}"


def _connect(path: Path, synchronous: Synchronous, *, writer: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (we write BEGIN and COMMIT), set up for its role."""
    where = str(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        check_version(conn, where)
        conn.execute("PRAGMA busy_timeout = 5000")
        if writer:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: WAL mode refused (journal mode %s); readers may wait", where, mode)
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, where)
        else:
            conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class SQLiteStore:
    """The `Store` in one SQLite file (see the module docstring for threads and commits)."""

    def __init__(
        self,
        path: Path,
        *,
        batch_max: int = 256,
        batch_delay: float = 0.0,
        synchronous: Synchronous = "FULL",
        group_commit: bool = True,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path = Path(path)
        self.batch_max = batch_max
        self.batch_delay = batch_delay
        self.synchronous: Synchronous = synchronous
        self.group_commit = group_commit
        self._writer: Writer | None = None
        self._reader: Worker | None = None
        self._last_writer: Writer | None = None  # kept after close, for its counters

    @property
    def commits(self) -> int:
        """How many transactions the writer committed since the last `open` (for benches)."""
        return self._last_writer.commits if self._last_writer else 0

    @property
    def largest_batch(self) -> int:
        """The most writes one commit carried since the last `open`."""
        return self._last_writer.largest_batch if self._last_writer else 0

    # Life cycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Create the directory and database, or migrate it; start the two threads."""
        if self._writer is not None:
            raise StoreError(f"{self.path} is already open")
        try:
            await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {self.path.parent}: {error}") from error
        writer = Writer(
            "parley-store-writer",
            lambda: _connect(self.path, self.synchronous, writer=True),
            batch_max=self.batch_max,
            batch_delay=self.batch_delay,
            group_commit=self.group_commit,
        )
        await self._started(writer)
        reader = Worker(
            "parley-store-reader", lambda: _connect(self.path, self.synchronous, writer=False)
        )
        try:
            await self._started(reader)
        except BaseException:
            writer.stop()
            await asyncio.wrap_future(writer.done)
            raise
        self._writer, self._reader, self._last_writer = writer, reader, writer

    async def _started(self, worker: Worker) -> None:
        try:
            await asyncio.wrap_future(worker.ready)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {self.path}: {error}") from error

    async def close(self) -> None:
        """Commit everything already asked for, then stop the threads. Safe to call twice."""
        writer, reader = self._writer, self._reader
        self._writer = self._reader = None
        for worker in (writer, reader):
            if worker is not None:
                worker.stop()
                await asyncio.wrap_future(worker.done)

    async def _write(self, what: str, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._submit(self._writer, what, work)

    async def _read(self, what: str, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._submit(self._reader, what, work)

    @classmethod
    async def _submit(
        cls, worker: Worker | None, what: str, work: Callable[[sqlite3.Connection], T]
    ) -> T:
        return await cls._submit_soon(worker, what, work)

    @staticmethod
    def _submit_soon(
        worker: Worker | None, what: str, work: Callable[[sqlite3.Connection], T]
    ) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if worker is None:
            future.set_exception(StoreClosedError(f"{what}: the store is not open"))
            return future
        worker.submit(Job(what, work, loop, future))
        return future

    # Messages -----------------------------------------------------------------------------

    async def append(
        self,
        sender: str,
        text: str,
        *,
        room: str | None = None,
        recipient: str | None = None,
        at: float | None = None,
        offline_for: str | None = None,
    ) -> StoredMessage:
        """Keep a message; return it (with its id) once it is committed."""
        return await self._append_soon(
            sender, text, room=room, recipient=recipient, at=at, offline_for=offline_for
        )

    def _append_soon(
        self,
        sender: str,
        text: str,
        *,
        room: str | None = None,
        recipient: str | None = None,
        at: float | None = None,
        offline_for: str | None = None,
    ) -> asyncio.Future[StoredMessage]:
        """`append` as a future that resolves once committed."""
        conversation = conversation_of(sender, room, recipient)
        when = time.time() if at is None else at

        def work(conn: sqlite3.Connection) -> StoredMessage:
            cursor = conn.execute(
                "INSERT INTO messages (at, sender, text, room, recipient, conversation)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (when, sender, text, room, recipient, conversation),
            )
            assert cursor.lastrowid is not None
            message = StoredMessage(cursor.lastrowid, when, sender, text, room, recipient)
            if offline_for is not None:
                _insert_offline(conn, offline_for, message)
            return message

        return self._submit_soon(self._writer, "append", work)

    def append_batch(
        self, messages: Sequence[NewMessage], *, at: float | None = None
    ) -> asyncio.Future[list[StoredMessage]]:
        """Keep many messages in one write job; resolves once they are committed.

        Each chunk of up to `ROWS_PER_INSERT` messages is one multi-row ``INSERT``: one
        SQLite step, so the writer thread takes the GIL back once per chunk instead of once
        per row (with ``executemany`` every row was a GIL hand-over that interrupted the event
        loop, and those interruptions were the latency tail under load). The ids are the
        consecutive rowids the single writer just assigned, checked against
        ``last_insert_rowid()``.
        """
        when = time.time() if at is None else at
        rows = [
            (
                when,
                m.sender,
                m.text,
                m.room,
                m.recipient,
                conversation_of(m.sender, m.room, m.recipient),
            )
            for m in messages
        ]

        def work(conn: sqlite3.Connection) -> list[StoredMessage]:
            before = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'messages'")
            row = before.fetchone()
            first = (row[0] if row else 0) + 1
            for start in range(0, len(rows), ROWS_PER_INSERT):
                chunk = rows[start : start + ROWS_PER_INSERT]
                conn.execute(_insert_rows_sql(len(chunk)), [v for row in chunk for v in row])
            last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            if last - first + 1 != len(rows):
                raise StoreError("message ids were not consecutive; batch rolled back")
            return [
                StoredMessage(first + i, when, r[1], r[2], r[3], r[4]) for i, r in enumerate(rows)
            ]

        return self._submit_soon(self._writer, "append", work)

    async def room_history(
        self, room: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` before `before_id`, oldest first."""
        return await self._history("#" + room, before_id, limit)

    async def direct_history(
        self, a: str, b: str, *, before_id: int | None = None, limit: int = DEFAULT_HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The `limit` newest direct messages between `a` and `b` before `before_id`."""
        return await self._history(direct_pair(a, b), before_id, limit)

    async def _history(
        self, conversation: str, before_id: int | None, limit: int
    ) -> list[StoredMessage]:
        def work(conn: sqlite3.Connection) -> list[StoredMessage]:
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation = ? AND id < ?"
                " ORDER BY id DESC LIMIT ?",
                (conversation, _NEWEST if before_id is None else before_id, max(0, limit)),
            ).fetchall()
            return [StoredMessage(*row) for row in reversed(rows)]

        return await self._read("history", work)

    # Offline queues -----------------------------------------------------------------------

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for `recipient_key`; committed on return."""
        await self._write(
            "queue_offline", lambda conn: _insert_offline(conn, recipient_key, message)
        )

    async def offline_count(self, recipient_key: str) -> int:
        """How many messages wait for `recipient_key`."""

        def work(conn: sqlite3.Connection) -> int:
            sql = "SELECT count(*) FROM offline WHERE recipient_key = ?"
            return int(conn.execute(sql, (recipient_key,)).fetchone()[0])

        return await self._read("offline_count", work)

    async def take_offline(self, recipient_key: str) -> list[StoredMessage]:
        """Remove and return what waits for `recipient_key`, oldest first, in one commit."""

        def work(conn: sqlite3.Connection) -> list[StoredMessage]:
            rows = conn.execute(
                "SELECT message_id, at, sender, text, room, recipient FROM offline"
                " WHERE recipient_key = ? ORDER BY seq",
                (recipient_key,),
            ).fetchall()
            conn.execute("DELETE FROM offline WHERE recipient_key = ?", (recipient_key,))
            return [StoredMessage(*row) for row in rows]

        return await self._write("take_offline", work)

    # Accounts -----------------------------------------------------------------------------

    async def create_account(self, key: str, name: str, password_hash: str) -> bool:
        """Create an account; False if `key` already has one."""
        sql = (
            "INSERT INTO accounts (key, name, password_hash, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING"
        )
        values = (key, name, password_hash, time.time())
        return await self._write("create_account", lambda c: c.execute(sql, values).rowcount == 1)

    async def account_keys(self) -> set[str]:
        """The keys of every account (read once at start-up by the server)."""

        def work(conn: sqlite3.Connection) -> set[str]:
            return {row[0] for row in conn.execute("SELECT key FROM accounts")}

        return await self._read("account_keys", work)

    async def offline_keys(self) -> set[str]:
        """The keys of everyone with messages waiting (read once at start-up)."""

        def work(conn: sqlite3.Connection) -> set[str]:
            return {row[0] for row in conn.execute("SELECT DISTINCT recipient_key FROM offline")}

        return await self._read("offline_keys", work)

    async def get_account(self, key: str) -> Account | None:
        """The account of `key`, or None."""

        def work(conn: sqlite3.Connection) -> Account | None:
            row = conn.execute(
                "SELECT key, name, password_hash, created_at FROM accounts WHERE key = ?", (key,)
            ).fetchone()
            return None if row is None else Account(*row)

        return await self._read("get_account", work)

    async def set_password(self, key: str, password_hash: str) -> bool:
        """Replace the password hash of `key`; False if there is no such account."""
        sql = "UPDATE accounts SET password_hash = ? WHERE key = ?"
        return await self._write(
            "set_password", lambda c: c.execute(sql, (password_hash, key)).rowcount == 1
        )

    async def delete_account(self, key: str) -> bool:
        """Delete the account, its memberships (by cascade) and its offline queue."""

        def work(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM offline WHERE recipient_key = ?", (key,))
            return conn.execute("DELETE FROM accounts WHERE key = ?", (key,)).rowcount == 1

        return await self._write("delete_account", work)

    # Rooms and memberships ----------------------------------------------------------------

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room or update its name and topic."""
        sql = (
            "INSERT INTO rooms (key, name, topic) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET name = excluded.name, topic = excluded.topic"
        )
        await self._write("save_room", lambda c: c.execute(sql, (key, name, topic)))

    async def delete_room(self, key: str) -> None:
        """Delete the room and (by cascade) its memberships."""
        await self._write(
            "delete_room", lambda c: c.execute("DELETE FROM rooms WHERE key = ?", (key,))
        )

    async def rooms(self) -> list[RoomRecord]:
        """Every persistent room, by key."""

        def work(conn: sqlite3.Connection) -> list[RoomRecord]:
            rows = conn.execute("SELECT key, name, topic FROM rooms ORDER BY key").fetchall()
            return [RoomRecord(*row) for row in rows]

        return await self._read("rooms", work)

    async def add_membership(self, user_key: str, room_key: str) -> None:
        """Make account `user_key` a member of room `room_key`; UnknownKeyError if missing."""

        def work(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM accounts WHERE key = ?", (user_key,)).fetchone() is None:
                raise UnknownKeyError(f"add_membership: no account {user_key!r}")
            if conn.execute("SELECT 1 FROM rooms WHERE key = ?", (room_key,)).fetchone() is None:
                raise UnknownKeyError(f"add_membership: no room {room_key!r}")
            conn.execute(
                "INSERT INTO memberships (user_key, room_key) VALUES (?, ?)"
                " ON CONFLICT (user_key, room_key) DO NOTHING",
                (user_key, room_key),
            )

        await self._write("add_membership", work)

    async def remove_membership(self, user_key: str, room_key: str) -> None:
        """End a membership (no-op if there is none)."""
        sql = "DELETE FROM memberships WHERE user_key = ? AND room_key = ?"
        await self._write("remove_membership", lambda c: c.execute(sql, (user_key, room_key)))

    async def memberships(self, user_key: str) -> list[str]:
        """The room keys of `user_key`, in join order."""

        def work(conn: sqlite3.Connection) -> list[str]:
            sql = "SELECT room_key FROM memberships WHERE user_key = ? ORDER BY seq"
            return [row[0] for row in conn.execute(sql, (user_key,))]

        return await self._read("memberships", work)


def _insert_offline(conn: sqlite3.Connection, recipient_key: str, message: StoredMessage) -> None:
    conn.execute(
        "INSERT INTO offline (recipient_key, message_id, at, sender, text, room, recipient)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            recipient_key,
            message.id,
            message.at,
            message.sender,
            message.text,
            message.room,
            message.recipient,
        ),
    )
