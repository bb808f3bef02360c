"""The coordinator: splits a benchmark over generator processes and measures the server.

`run_load` and `run_idle` each take a server endpoint, spread the connections over generator
processes (`parley.bench.loadgen`, one slice each, interleaved so that senders are spread
too), step them through the phases, read the server's CPU time and memory from ``/proc``
between phases, and fold everything into one result.

Resource handling: generator processes belong to a `GeneratorPool` that stops them (politely,
then by force) however a run ends. Error handling: every phase has a deadline; a generator
that does not answer within its phase's deadline plus a grace period raises `PoolError`, and
everything short of that (refused registrations, lost deliveries, disconnections) is
reported in the result, never raised.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TypeVar

from parley.bench import wire
from parley.bench.loadgen import serve_slice
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
from parley.bench.procstat import CpuSample, cpu_sample, rss_bytes
from parley.bench.results import IdleResult, RunResult, percentiles
from parley.bench.targets import Endpoint
from parley.records import record

REPORT_GRACE = 30.0
IDLE_SETTLE = 0.5
WARMUP_CONNECTIONS = 20


class PoolError(RuntimeError):
    """A generator process died or stopped answering."""


DEFAULT_WINDOW = 8
"""Messages in flight per sender: enough for the server to find several per read, small
enough that ``senders * window`` lines stay far below its per-client write limits."""


@record
class LoadParams:
    """A send benchmark: `members` clients, the first `senders` send `messages` each."""

    members: int
    senders: int
    messages: int
    window: int | None = DEFAULT_WINDOW
    rate: float | None = None
    padding: int = 0
    procs: int | None = None
    timeout: float = 60.0
    stall: float = 3.0


def default_procs(connections: int) -> int:
    """Generator processes for `connections`: one below 100, else one per spare core (1-4).

    From 100 connections on, one Python process receiving every delivery saturates a core
    before the server does, so the work is spread over every core the server does not need.
    On a two-core machine that is still one process: a second one would only take CPU time
    from the server it measures (measured: fewer deliveries/s with two than with one).
    """
    if connections < 100:
        return 1
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def default_idle_procs(connections: int) -> int:
    """Generator processes for opening `connections`: one per core (2-4) from 100 on.

    Opening a connection costs a Python client more than it costs the server to accept it,
    so here a second process pays even on two cores (measured: about 1.4 times the
    registrations per second of one process).
    """
    if connections < 100:
        return 1
    return max(2, min(4, os.cpu_count() or 2))


def split(
    endpoint: Endpoint,
    tag: str,
    connections: int,
    procs: int,
    *,
    senders: int = 0,
    messages: int = 0,
    window: int | None = None,
    rate: float | None = None,
    padding: int = 0,
) -> list[SliceSpec]:
    """Interleaved slices: process i owns connections i, i + procs, i + 2 * procs, ..."""
    per_sender_rate = rate / senders if rate and senders else None
    return [
        SliceSpec(
            host=endpoint.host,
            port=endpoint.port,
            tag=tag,
            indices=range(i, connections, procs),
            members=connections,
            senders=senders,
            messages=messages,
            window=window,
            rate=per_sender_rate,
            padding=padding,
            dialect=endpoint.dialect,
        )
        for i in range(procs)
    ]


_Report = TypeVar("_Report", PhaseReport, SendReport)


class GeneratorPool:
    """Generator processes, one per slice, commanded in lockstep.

    Resource handling: `close` (or leaving the ``with`` block) asks every process to close
    its connections and exit, and terminates any that does not within a few seconds.
    """

    def __init__(self, specs: Sequence[SliceSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self._links: list[Connection] = []
        self._procs: list[BaseProcess] = []
        for spec in specs:
            parent, child = context.Pipe()
            proc = context.Process(target=serve_slice, args=(child, spec), daemon=True)
            proc.start()
            child.close()
            self._links.append(parent)
            self._procs.append(proc)
        self._closed = False

    def command(self, command: Command, expect: type[_Report]) -> list[_Report]:
        """Run `command` in every process at once; return their reports in slice order."""
        for link in self._links:
            link.send(command)
        deadline = time.monotonic() + command.timeout + REPORT_GRACE
        reports: list[_Report] = []
        for index, link in enumerate(self._links):
            try:
                if not link.poll(max(0.0, deadline - time.monotonic())):
                    raise PoolError(f"generator {index} did not finish {command.verb!r} in time")
                report = link.recv()
            except (EOFError, OSError) as exc:
                code = self._procs[index].exitcode
                raise PoolError(f"generator {index} died during {command.verb!r} ({code})") from exc
            if not isinstance(report, expect):
                raise PoolError(f"generator {index} answered {command.verb!r} with {report!r}")
            reports.append(report)
        return reports

    def close(self, *, force: bool = False) -> None:
        """Close every connection and stop every process (at once if `force`).

        A process in the middle of a phase only reads its next command when the phase
        ends, so after an error or Ctrl-C the processes are terminated rather than asked.
        """
        if self._closed:
            return
        self._closed = True
        if not force:
            with contextlib.suppress(PoolError, OSError):
                self.command(Command(CLOSE, 5.0), PhaseReport)
        for proc in self._procs:
            proc.join(0.0 if force else 5.0)
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)
        for link in self._links:
            link.close()

    def __enter__(self) -> GeneratorPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(force=exc is not None)


def _span_s(reports: Sequence[PhaseReport]) -> float:
    start = min(r.started_ns for r in reports)
    end = max(r.finished_ns for r in reports)
    return max(end - start, 1) / 1e9


def _rate(count: int, seconds: float) -> float | None:
    return count / seconds if count else None


def _cpu_s(before: CpuSample | None, after: CpuSample | None) -> float | None:
    if before is None or after is None:
        return None
    return (after.best_ns - before.best_ns) / 1e9


def _user_share(before: CpuSample | None, after: CpuSample | None) -> float | None:
    if before is None or after is None or after.stat_ns == before.stat_ns:
        return None
    return (after.user_ns - before.user_ns) / (after.stat_ns - before.stat_ns)


def _samples(reports: Sequence[PhaseReport | SendReport]) -> list[str]:
    return [sample for report in reports for sample in report.samples]


def _join(pool: GeneratorPool, connections: int, errors: list[str]) -> list[PhaseReport]:
    joined = pool.command(Command(JOIN, 10.0 + connections / 500), PhaseReport)
    errors.extend(_samples(joined))
    return joined


def run_load(endpoint: Endpoint, params: LoadParams) -> RunResult:
    """Connect, register, send, and report one send benchmark."""
    procs = params.procs or default_procs(params.members)
    procs = max(1, min(procs, params.members // 2))
    if params.members > wire.MAX_CONNECTIONS:
        raise ValueError(f"at most {wire.MAX_CONNECTIONS} connections")
    specs = split(
        endpoint,
        wire.new_tag(),
        params.members,
        procs,
        senders=params.senders,
        messages=params.messages,
        window=params.window,
        rate=params.rate,
        padding=params.padding,
    )
    errors: list[str] = []
    with GeneratorPool(specs) as pool:
        registered = _join(pool, params.members, errors)
        registrations = sum(r.done for r in registered)
        timed_out = any(r.timed_out for r in registered)
        before = cpu_sample(endpoint.pid) if endpoint.pid else None
        sends = pool.command(Command(SEND, params.timeout, params.stall), SendReport)
        after = cpu_sample(endpoint.pid) if endpoint.pid else None
        rss = rss_bytes(endpoint.pid) if endpoint.pid else None
    errors.extend(_samples(sends))
    received = sum(s.received for s in sends)
    first = min((s.first_send_ns for s in sends if s.first_send_ns), default=0)
    last = max((s.last_receive_ns for s in sends), default=0)
    seconds = max(last - first, 1) / 1e9 if first and last else 0.0
    histogram: Counter[int] = Counter()
    for s in sends:
        histogram.update(s.latency_us)
    cpu = _cpu_s(before, after)
    return RunResult(
        target=endpoint.name,
        members=params.members,
        senders=params.senders,
        messages=params.messages,
        window=params.window,
        rate=params.rate,
        procs=procs,
        deliveries_expected=params.senders * params.messages * (params.members - 1),
        deliveries_received=received,
        lost=sum(s.lost for s in sends),
        duplicates=sum(s.duplicates for s in sends),
        unexpected_lines=sum(s.unexpected for s in sends),
        disconnected=sum(s.disconnected for s in sends),
        messages_sent=sum(s.sent for s in sends),
        send_seconds=seconds,
        deliveries_per_s=received / seconds if seconds else 0.0,
        latency_us=percentiles(histogram, max((s.max_latency_ns for s in sends), default=0)),
        registrations_per_s=_rate(registrations, _span_s(registered)),
        server_cpu_s=cpu,
        server_cpu_us_per_delivery=cpu * 1e6 / received if cpu is not None and received else None,
        server_busy=cpu / seconds if cpu is not None and seconds else None,
        server_user_share=_user_share(before, after),
        cpu_clock=after.clock if after is not None else None,
        server_rss_bytes=rss,
        timed_out=timed_out or any(s.timed_out for s in sends),
        errors=tuple(errors[:10]),
    )


def warm_up(endpoint: Endpoint) -> None:
    """Open, register and close a few connections so one-time allocations are done."""
    specs = split(endpoint, wire.new_tag(), WARMUP_CONNECTIONS, 1)
    with GeneratorPool(specs) as pool:
        _join(pool, WARMUP_CONNECTIONS, [])
    time.sleep(0.2)


def run_idle(endpoint: Endpoint, connections: int, procs: int | None = None) -> IdleResult:
    """Open and register `connections` clients, then measure the server's memory."""
    procs = max(1, min(procs or default_idle_procs(connections), connections))
    pid = endpoint.pid
    if pid:
        warm_up(endpoint)
    specs = split(endpoint, wire.new_tag(), connections, procs)
    errors: list[str] = []
    with GeneratorPool(specs) as pool:
        rss_before = rss_bytes(pid) if pid else None
        cpu_before = cpu_sample(pid) if pid else None
        joined = _join(pool, connections, errors)
        cpu_after = cpu_sample(pid) if pid else None
        time.sleep(IDLE_SETTLE)
        rss_after = rss_bytes(pid) if pid else None
        leave_before = cpu_sample(pid) if pid else None
        left = pool.command(Command(LEAVE, 10.0 + connections / 100), PhaseReport)
        leave_after = cpu_sample(pid) if pid else None
    gone = sum(r.done for r in left)
    leave_cpu = _cpu_s(leave_before, leave_after)
    done = sum(r.done for r in joined)
    cpu = _cpu_s(cpu_before, cpu_after)
    grown = rss_after - rss_before if rss_after is not None and rss_before is not None else None
    return IdleResult(
        target=endpoint.name,
        connections=connections,
        procs=procs,
        connected=sum(r.opened for r in joined),
        registered=done,
        registrations_per_s=_rate(done, _span_s(joined)),
        server_cpu_us_per_registration=cpu * 1e6 / done if cpu is not None and done else None,
        rss_before_bytes=rss_before,
        rss_after_bytes=rss_after,
        rss_per_connection_bytes=grown / done if grown is not None and done else None,
        left=gone,
        disconnects_per_s=_rate(gone, _span_s(left)),
        server_cpu_us_per_disconnect=leave_cpu * 1e6 / gone if leave_cpu and gone else None,
        timed_out=any(r.timed_out for r in [*joined, *left]),
        errors=tuple(errors[:10]),
    )
