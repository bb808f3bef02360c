"""The store's threads: a worker that runs jobs on its own SQLite connection, and the writer.

The event loop never touches a connection: it queues a `Job` on a thread and awaits the job's
future, which the thread resolves through `loop.call_soon_threadsafe` (one wake-up per loop
per batch). The `Writer` groups the jobs queued while it was busy into one transaction and one
commit (group commit), each job in its own SAVEPOINT so that a failing job is rolled back alone
and fails only its own caller. Futures resolve only after the COMMIT returned.

Error handling: nothing a job does can end a thread; an SQLite error becomes a `StoreError`
naming the operation, any other exception reaches the caller unchanged (it is a bug there).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parley.chat.store import StoreClosedError, StoreError

log = logging.getLogger(__name__)

Work = Callable[[sqlite3.Connection], Any]


@dataclass(slots=True, eq=False)
class Job:
    """One request for a thread: `work` runs there, its outcome goes back to `future`."""

    what: str
    work: Work
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = None


def _failure(what: str, error: Exception) -> BaseException:
    """The exception a caller sees: SQLite errors say which operation failed."""
    if isinstance(error, sqlite3.Error) and not isinstance(error, StoreError):
        wrapped = StoreError(f"{what} failed: {error}")
        wrapped.__cause__ = error
        return wrapped
    return error


def _settle(jobs: list[Job]) -> None:
    """On the event loop: hand each job's outcome to its caller, unless it gave up."""
    for job in jobs:
        if job.future.done():
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)


def settle_soon(jobs: list[Job]) -> None:
    """From a store thread: settle `jobs` on their loops, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Job]] = {}
    for job in jobs:
        by_loop.setdefault(job.loop, []).append(job)
    for loop, group in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, group)


class Worker:
    """A thread that owns one connection and runs jobs from its queue in order."""

    def __init__(self, name: str, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._stopping = False
        self.ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Queue `job`; raises StoreClosedError once `stop` was called."""
        if self._stopping:
            raise StoreClosedError(f"{job.what}: the store is closed")
        self._jobs.put(job)

    def stop(self) -> None:
        """Finish the jobs already queued, then end the thread (see `done`)."""
        if not self._stopping:
            self._stopping = True
            self._jobs.put(None)

    def _main(self) -> None:
        try:
            conn = self._connect()
        except BaseException as error:
            self.ready.set_exception(error)
            self.done.set_result(None)
            return
        self.ready.set_result(None)
        try:
            self._serve(conn)
        finally:
            conn.close()
            self._fail_leftovers()
            self.done.set_result(None)

    def _serve(self, conn: sqlite3.Connection) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.result = job.work(conn)
            except Exception as error:
                job.error = _failure(job.what, error)
            settle_soon([job])

    def _fail_leftovers(self) -> None:
        """Jobs that slipped in after the stop sentinel (another thread's race) fail."""
        leftovers = []
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.error = StoreClosedError(f"{job.what}: the store is closed")
                leftovers.append(job)
        settle_soon(leftovers)


class Writer(Worker):
    """The one writing thread: batches of jobs, one transaction and one commit per batch."""

    def __init__(
        self,
        name: str,
        connect: Callable[[], sqlite3.Connection],
        *,
        batch_max: int,
        batch_delay: float,
        group_commit: bool,
    ) -> None:
        self.batch_max = max(1, batch_max) if group_commit else 1
        self.batch_delay = batch_delay
        self.commits = 0
        self.largest_batch = 0
        super().__init__(name, connect)

    def _serve(self, conn: sqlite3.Connection) -> None:
        stop = False
        while not stop:
            batch, stop = self._collect()
            if not batch:
                continue
            try:
                self._commit(conn, batch)
            except Exception as error:  # a bug here must not kill the writer
                log.exception("store writer: batch of %d failed", len(batch))
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                for job in batch:
                    job.error = job.error or StoreError(f"{job.what} failed: {error!r}")
            settle_soon(batch)

    def _collect(self) -> tuple[list[Job], bool]:
        """Wait for a job, then gather more until the batch is full or `batch_delay` passed."""
        first = self._jobs.get()
        if first is None:
            return [], True
        batch = [first]
        deadline = time.monotonic() + self.batch_delay
        while len(batch) < self.batch_max:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    job = self._jobs.get(timeout=remaining)
                except queue.Empty:
                    break
            if job is None:
                return batch, True
            batch.append(job)
        return batch, False

    def _commit(self, conn: sqlite3.Connection, batch: list[Job]) -> None:
        """Run `batch` in one transaction, each job in a savepoint, and commit it."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    job.result = job.work(conn)
                except Exception as error:
                    job.error = _failure(job.what, error)
                    conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("store writer: rollback failed")
            for job in batch:
                job.result = None
                job.error = job.error or StoreError(f"{job.what} failed: not committed: {error}")
            return
        self.commits += 1
        self.largest_batch = max(self.largest_batch, len(batch))
