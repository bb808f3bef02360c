"""One generator process: a slice of the bench's connections, driven phase by phase.

A `Slice` owns the connections whose global indices are in its `SliceSpec` and carries out
the coordinator's commands, each bounded by its own timeout: join (connect and register),
send, leave (``DISCONNECT``), close. It reports what happened as frozen dataclasses; it never
waits for a delivery past the phase's deadline, so lost deliveries are counted, not awaited.

Flow control (closed loop). The server never echoes a message to its sender, so a sender
cannot see its own message arrive. Every generator process, however, owns receivers too, and
all clients are in one room: a message relayed by the server reaches every other client,
including one in the sender's own process. Each process therefore names an *ack receiver*
for its senders (its first connection; its second one for the first connection's own
messages). The number of a sender's messages its ack receiver has received is that
sender's acknowledged count, and a sender keeps at most ``window`` messages beyond it in
flight. This bounds what the server holds per sender without any protocol extension and at
no cost to the server. Receivers in other processes may lag a little behind the ack
receiver; the window is kept small enough (``senders * window`` lines) that this slack stays
far below the server's per-client write limits.

Open loop. With a rate, each sender sends on a 1 ms tick whatever its schedule says is due
(and the window, if one is given, still caps what is in flight).

Latency is measured per delivery: the receiver subtracts the send time written in the
message (`parley.bench.wire`) from `time.monotonic_ns` taken once per received chunk.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection

from parley.bench import wire
from parley.bench.clients import MAX_SAMPLES, BenchClient, Sender, Tally
from parley.bench.dialects import client_class
from parley.bench.phases import (
    CLOSE,
    JOIN,
    LEAVE,
    SEND,
    Command,
    PhaseReport,
    SendReport,
    SliceSpec,
)
from parley.bench.procstat import raise_open_file_limit

TICK = 0.001
WATCH_INTERVAL = 0.05


class Slice:
    """The connections of one generator process and the phases run on them."""

    def __init__(self, spec: SliceSpec) -> None:
        self.spec = spec
        self.tally = Tally()
        make = client_class(spec.dialect)
        self.clients: list[BenchClient] = [
            make(i, wire.client_name(spec.tag, i), self.tally, spec.senders) for i in spec.indices
        ]
        self.senders: list[Sender] = []

    async def run(self, command: Command) -> PhaseReport | SendReport:
        """Carry out one command within its deadline."""
        if command.verb == JOIN:
            return await self._join(command.timeout)
        if command.verb == SEND:
            return await self._send(command.timeout, command.stall)
        if command.verb in (LEAVE, CLOSE):
            return await self._leave(command.verb, command.timeout)
        raise ValueError(f"unknown command {command.verb!r}")

    async def _join(self, timeout: float) -> PhaseReport:
        """Connect every client and register it, at most `connect_concurrency` at a time.

        A client sends ``REGISTER`` as soon as it is connected, as a real client does (a
        server may take a silent connection for a person at a terminal); the slot is held
        until the answer comes, so the server's accept queue never overflows.
        """
        loop = asyncio.get_running_loop()
        limit = asyncio.Semaphore(self.spec.connect_concurrency)
        failures: list[str] = []

        async def join_one(client: BenchClient) -> None:
            async with limit:
                client.answer = loop.create_future()
                try:
                    await client.connect(self.spec.host, self.spec.port)
                except OSError as exc:
                    failures.append(f"{client.name.decode()}: {exc}")
                    return
                await client.answer

        started = time.monotonic_ns()
        tasks = [asyncio.ensure_future(join_one(c)) for c in self.clients]
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        tally = self.tally
        return PhaseReport(
            JOIN,
            tally.registered,
            len(self.clients) - tally.registered,
            started,
            tally.last_reply_ns or time.monotonic_ns(),
            bool(pending),
            tuple([*failures, *tally.samples][:MAX_SAMPLES]),
            opened=sum(1 for c in self.clients if c.transport is not None),
        )

    async def _send(self, timeout: float, stall: float) -> SendReport:
        spec, tally = self.spec, self.tally
        tally.samples.clear()
        tally.expected = sum(
            spec.senders * spec.messages - (spec.messages if c.index < spec.senders else 0)
            for c in self.clients
        )
        self._make_senders()
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            now = time.monotonic_ns()
            for sender in self.senders:
                sender.start(now)
            ticker = asyncio.ensure_future(self._tick()) if spec.rate else None
            timed_out = not await self._until(
                lambda: tally.received >= tally.expected, timeout, stall=stall
            )
            if ticker is not None:
                ticker.cancel()
        finally:
            gc.enable()
        return self._send_report(timed_out)

    def _make_senders(self) -> None:
        spec = self.spec
        local = [c for c in self.clients if c.index < spec.senders]
        for client in local:
            acker = self.clients[1] if client is self.clients[0] else self.clients[0]
            sender = Sender(client, spec, acker)
            if acker.acks_for is None:
                acker.acks_for = {}
            acker.acks_for[client.index] = sender
            self.senders.append(sender)

    async def _tick(self) -> None:
        while not all(s.finished for s in self.senders):
            await asyncio.sleep(TICK)
            for sender in self.senders:
                sender.pump()

    def _send_report(self, timed_out: bool) -> SendReport:
        spec, tally = self.spec, self.tally
        lost = duplicates = 0
        for client in self.clients:
            for sender, count in enumerate(client.counts):
                expected = 0 if sender == client.index else spec.messages
                lost += max(0, expected - count)
                duplicates += max(0, count - expected)
        latencies = tally.latencies
        histogram = Counter(map((1000).__rfloordiv__, latencies))
        first_sends = [s.first_send_ns for s in self.senders if s.first_send_ns]
        return SendReport(
            expected=tally.expected,
            received=tally.received,
            lost=lost,
            duplicates=duplicates,
            unexpected=tally.unexpected,
            disconnected=tally.disconnected,
            sent=sum(s.sent for s in self.senders),
            first_send_ns=min(first_sends, default=0),
            last_receive_ns=tally.last_receive_ns,
            latency_us=dict(histogram),
            max_latency_ns=max(latencies, default=0),
            timed_out=timed_out,
            samples=tuple(tally.samples),
        )

    async def _leave(self, verb: str, timeout: float) -> PhaseReport:
        """Every registered client says goodbye (``DISCONNECT``, ``QUIT``); wait for the server.

        The server is expected to close each connection after it (Parley and the relay do;
        the protocol does not demand it): `done` counts those it closed before the deadline,
        after which the bench closes the rest itself.
        """
        tally = self.tally
        tally.left = 0
        started = time.monotonic_ns()
        leaving = 0
        for client in self.clients:
            client.closing = True
            if client.transport is not None and client.registered:
                client.leave()
                leaving += 1
            elif client.transport is not None:
                client.transport.close()
        timed_out = not await self._until(lambda: tally.left >= leaving, timeout)
        finished = tally.last_lost_ns or time.monotonic_ns()
        for client in self.clients:
            if client.transport is not None:
                client.transport.abort()
        return PhaseReport(verb, tally.left, leaving - tally.left, started, finished, timed_out)

    async def _until(
        self, condition: Callable[[], bool], timeout: float, stall: float = 0.0
    ) -> bool:
        """Wait until `condition()` holds (True) or the deadline or stall limit (False).

        The stall limit ends the wait when nothing has been received for that long.
        """
        tally = self.tally
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        progress, progress_at = tally.received, loop.time()
        while not condition():
            now = loop.time()
            if now >= deadline:
                return False
            if stall and tally.received != progress:
                progress, progress_at = tally.received, now
            elif stall and now - progress_at >= stall:
                return False
            tally.waiter = loop.create_future()
            try:
                await asyncio.wait_for(tally.waiter, min(WATCH_INTERVAL, deadline - now))
            except TimeoutError:
                pass
            finally:
                tally.waiter = None
        return True


def serve_slice(conn: Connection, spec: SliceSpec) -> None:
    """Entry point of a generator process: run commands from `conn` until ``close``.

    Ctrl-C is left to the coordinator, which closes every process in order.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_open_file_limit()
    asyncio.run(_serve(conn, spec))


async def _serve(conn: Connection, spec: SliceSpec) -> None:
    loop = asyncio.get_running_loop()
    work = Slice(spec)
    while True:
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_reader(conn.fileno(), _resolve, ready)
        try:
            await ready
        finally:
            loop.remove_reader(conn.fileno())
        try:
            command = conn.recv()
        except EOFError:
            return
        report = await work.run(command)
        conn.send(report)
        if command.verb == CLOSE:
            return


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
