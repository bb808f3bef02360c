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

Retention (`prune_history`) works in chunks of `queries.PRUNE_CHUNK` rows, each its own
write, so that pruning a large file never holds up the messages being written meanwhile; its
size scan runs on the reader.

Error handling: an SQLite error in a request becomes a `StoreError` in that request's caller;
a failed COMMIT fails every request of its batch. A caller that is cancelled while waiting
does not undo its write, which commits with its batch.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Literal, TypeVar

from parley.chat.store import (
    DEFAULT_HISTORY_LIMIT,
    Account,
    RoomRecord,
    StoreClosedError,
    StoredMessage,
    StoredToken,
    StoreError,
    conversation_of,
    direct_pair,
    room_conversation,
)
from parley.store import queries, token_queries
from parley.store.schema import check_version, migrate
from parley.store.workers import Job, Worker, Writer

T = TypeVar("T")
Synchronous = Literal["NORMAL", "FULL"]
log = logging.getLogger(__name__)


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
        self._next_id = 1  # the next message id to reserve; read from the file at `open`
        self._unindexed = 0  # messages kept since the search index last caught up (writer)
        # On the event loop: appends asked for, and how many of them a search had indexed
        # (-1 at open when an earlier run left messages waiting), so that a search makes a
        # writer job only when something may wait for the index.
        self._appends = 0
        self._indexed_appends = 0

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
        last = await self._read("open", queries.last_message_id)
        self._next_id = max(self._next_id, last + 1)
        if await self._read("open", queries.waiting_for_index):
            self._indexed_appends = -1

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

    # History ------------------------------------------------------------------------------

    def reserve_ids(self, count: int) -> int:
        """The first of `count` fresh message ids (see `HistoryStore.reserve_ids`)."""
        first = self._next_id
        self._next_id = first + count
        return first

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
        row = (self.reserve_ids(1), when, sender, text, room, recipient, conversation)

        def work(conn: sqlite3.Connection) -> StoredMessage:
            message = queries.insert_message(conn, row)
            if offline_for is not None:
                queries.insert_offline(conn, offline_for, message)
            return message

        self._appends += 1
        return self._submit_soon(self._writer, "append", work)

    def append_batch(self, messages: Sequence[StoredMessage]) -> asyncio.Future[None]:
        """Keep many messages in one write job (see `queries.insert_messages`)."""
        rooms: dict[str, str] = {}  # a batch is mostly a few rooms' lines: each key made once
        rows = [
            (
                m.id,
                m.at,
                m.sender,
                m.text,
                m.room,
                m.recipient,
                conversation_of(m.sender, m.room, m.recipient)
                if m.room is None or m.recipient is not None  # a direct one, or a bad one
                else rooms.get(m.room) or rooms.setdefault(m.room, room_conversation(m.room)),
            )
            for m in messages
        ]

        def work(conn: sqlite3.Connection) -> None:
            queries.insert_messages(conn, rows)
            self._unindexed += len(rows)  # only ever touched on the writer thread
            if self._unindexed >= queries.SEARCH_CHUNK:
                self._index_waiting(conn)

        self._appends += 1
        return self._submit_soon(self._writer, "append", work)

    def _index_waiting(self, conn: sqlite3.Connection) -> int:
        """On the writer: index what waits for the search index (see `queries.index_waiting`)."""
        self._unindexed = 0
        return queries.index_waiting(conn)

    async def room_history(
        self,
        room: str,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> list[StoredMessage]:
        """The `limit` newest messages of `room` before `before_id` (or oldest after
        `after_id`), oldest first."""
        conversation = room_conversation(room)
        return await self._read(
            "history",
            lambda c: queries.history(c, conversation, before_id, limit, after_id=after_id),
        )

    async def direct_history(
        self,
        a: str,
        b: str,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
        since: float | None = None,
    ) -> list[StoredMessage]:
        """The `limit` newest direct messages between `a` and `b` before `before_id`."""
        pair = direct_pair(a, b)
        return await self._read(
            "history",
            lambda c: queries.history(c, pair, before_id, limit, since=since, after_id=after_id),
        )

    async def search_history(
        self,
        terms: Sequence[str],
        *,
        conversations: Sequence[str] = (),
        direct_of: str | None = None,
        direct_since: float | None = None,
        before_id: int | None = None,
        limit: int = DEFAULT_HISTORY_LIMIT,
    ) -> list[StoredMessage]:
        """Full-text search of the allowed conversations (see `queries.search`)."""
        if not terms or (not conversations and direct_of is None):
            return []
        where, words = tuple(conversations), tuple(terms)
        appends = self._appends
        if appends != self._indexed_appends:  # everything kept is searchable
            await self._write("index", self._index_waiting)
            self._indexed_appends = max(self._indexed_appends, appends)

        def work(conn: sqlite3.Connection) -> list[StoredMessage]:
            return queries.search(
                conn,
                words,
                where,
                direct_of=direct_of,
                direct_since=direct_since,
                before_id=before_id,
                limit=limit,
            )

        return await self._read("search", work)

    async def delete_direct_history(self, user_key: str) -> int:
        """Delete the direct messages of `user_key` and its offline queue, in one commit.

        The scan for its conversations runs on the reader; the write deletes them by key.
        """
        what = "delete_direct_history"
        scanned_to, higher_in = await self._read(
            what, lambda c: queries.direct_conversations(c, user_key)
        )
        return await self._write(
            what, lambda c: queries.delete_direct(c, user_key, higher_in, scanned_to)
        )

    async def prune_history(
        self, *, older_than: float | None = None, max_bytes: int | None = None
    ) -> int:
        """Delete history older than `older_than`, then the oldest past `max_bytes`."""
        deleted = 0
        if older_than is not None:
            deleted += await self._in_chunks(lambda c: queries.delete_older(c, older_than))
        if max_bytes is not None:
            last_id = await self._read(
                "prune_history", lambda c: queries.last_id_over(c, max(0, max_bytes))
            )
            if last_id is not None:
                deleted += await self._in_chunks(lambda c: queries.delete_up_to(c, last_id))
        return deleted

    async def _in_chunks(self, chunk: Callable[[sqlite3.Connection], int]) -> int:
        """Run the deleting `chunk` as separate writes until one deletes less than a chunk."""
        deleted = 0
        while True:
            count = await self._write("prune_history", chunk)
            deleted += count
            if count < queries.PRUNE_CHUNK:
                return deleted

    # Offline queues -----------------------------------------------------------------------

    async def queue_offline(self, recipient_key: str, message: StoredMessage) -> None:
        """Queue `message` for `recipient_key`; committed on return."""
        await self._write(
            "queue_offline", lambda c: queries.insert_offline(c, recipient_key, message)
        )

    async def offline_count(self, recipient_key: str, *, sender_key: str | None = None) -> int:
        """How many messages wait for `recipient_key` (from `sender_key`, if given)."""
        return await self._read(
            "offline_count", lambda c: queries.offline_count(c, recipient_key, sender_key)
        )

    async def take_offline(
        self, recipient_key: str, *, newer_than: float | None = None
    ) -> list[StoredMessage]:
        """Remove what waits for `recipient_key` in one commit; the unexpired, oldest first."""
        return await self._write(
            "take_offline", lambda c: queries.take_offline(c, recipient_key, newer_than)
        )

    async def purge_offline(self, older_than: float) -> int:
        """Delete every queued message older than `older_than`."""
        return await self._write("purge_offline", lambda c: queries.purge_offline(c, older_than))

    async def offline_keys(self) -> set[str]:
        """The keys of everyone with messages waiting (read once at start-up)."""
        return await self._read("offline_keys", queries.offline_keys)

    # Accounts -----------------------------------------------------------------------------

    async def create_account(self, key: str, name: str, password_hash: str) -> bool:
        """Create an account; False if `key` already has one."""
        created_at = time.time()
        return await self._write(
            "create_account",
            lambda c: queries.create_account(c, key, name, password_hash, created_at),
        )

    async def get_account(self, key: str) -> Account | None:
        """The account of `key`, or None."""
        return await self._read("get_account", lambda c: queries.get_account(c, key))

    async def set_password(self, key: str, password_hash: str) -> bool:
        """Replace the password hash of `key`; False if there is no such account."""
        return await self._write(
            "set_password", lambda c: queries.set_password(c, key, password_hash)
        )

    async def delete_account(self, key: str) -> bool:
        """Delete the account, its memberships and its offline queue."""
        return await self._write("delete_account", lambda c: queries.delete_account(c, key))

    async def account_keys(self) -> set[str]:
        """The keys of every account (read once at start-up by the server)."""
        return await self._read("account_keys", queries.account_keys)

    # Rooms and memberships ----------------------------------------------------------------

    async def save_room(self, key: str, name: str, topic: str = "") -> None:
        """Create the room or update its name and topic."""
        await self._write("save_room", lambda c: queries.save_room(c, key, name, topic))

    async def get_room(self, key: str) -> RoomRecord | None:
        """The room `key`, or None."""
        return await self._read("get_room", lambda c: queries.get_room(c, key))

    async def delete_room(self, key: str) -> None:
        """Delete the room and its memberships."""
        await self._write("delete_room", lambda c: queries.delete_room(c, key))

    async def rooms(self) -> list[RoomRecord]:
        """Every persistent room, by key."""
        return await self._read("rooms", queries.rooms)

    async def expire_rooms(self, idle_since: float, *, keep: Collection[str] = ()) -> list[str]:
        """Delete the rooms saved before `idle_since` and silent since, but those in `keep`."""
        kept = frozenset(keep)
        return await self._write(
            "expire_rooms", lambda c: queries.expire_rooms(c, idle_since, kept)
        )

    async def add_membership(self, user_key: str, room_key: str) -> None:
        """Make account `user_key` a member of room `room_key`; UnknownKeyError if missing."""
        await self._write("add_membership", lambda c: queries.add_membership(c, user_key, room_key))

    async def remove_membership(self, user_key: str, room_key: str) -> None:
        """End a membership (no-op if there is none)."""
        await self._write(
            "remove_membership", lambda c: queries.remove_membership(c, user_key, room_key)
        )

    async def memberships(self, user_key: str) -> list[str]:
        """The room keys of `user_key`, in join order."""
        return await self._read("memberships", lambda c: queries.memberships(c, user_key))

    # Session tokens -----------------------------------------------------------------------

    async def save_token(self, token: StoredToken, *, keep: int) -> None:
        """Keep (or refresh) an account's token, and at most `keep` of that account's."""
        await self._write("save_token", lambda c: token_queries.save_token(c, token, keep))

    async def get_token(self, digest: bytes) -> StoredToken | None:
        """The token with this digest, or None."""
        return await self._read("get_token", lambda c: token_queries.get_token(c, digest))

    async def delete_token(self, digest: bytes) -> bool:
        """Forget one token; whether it was kept."""
        return await self._write("delete_token", lambda c: token_queries.delete_token(c, digest))

    async def delete_tokens(self, key: str) -> int:
        """Forget every token of account `key`."""
        return await self._write("delete_tokens", lambda c: token_queries.delete_tokens(c, key))

    async def expire_tokens(self, used_before: float) -> int:
        """Forget the tokens last used before `used_before`."""
        return await self._write(
            "expire_tokens", lambda c: token_queries.expire_tokens(c, used_before)
        )
