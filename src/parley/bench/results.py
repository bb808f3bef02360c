"""What a benchmark measured: one frozen dataclass per kind of run, and their arithmetic.

Repeated runs of one benchmark are `combine`d into one result: counts are summed (so lost
deliveries in any run show), rates, percentiles and per-delivery costs are medians, maxima
are maxima.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from parley.records import record


@record
class Latency:
    """Delivery latency percentiles in microseconds (nearest rank, 1 µs buckets)."""

    p50: float
    p90: float
    p99: float
    max: float


@record
class RunResult:
    """Everything measured in one send benchmark against one server.

    `server_busy` is the server's CPU time over the send phase's wall time: near 1.0 the
    server was the bottleneck, well below it the generator was. `server_user_share` is the
    part of its CPU time spent in user space (Python) rather than in the kernel (from clock
    ticks, so only a rough figure for short phases). With `repeats` above 1 the
    result is combined (see the module's docstring).
    """

    target: str
    members: int
    senders: int
    messages: int
    window: int | None
    rate: float | None
    procs: int
    deliveries_expected: int
    deliveries_received: int
    lost: int
    duplicates: int
    unexpected_lines: int
    disconnected: int
    messages_sent: int
    send_seconds: float
    deliveries_per_s: float
    latency_us: Latency | None
    registrations_per_s: float | None
    server_cpu_s: float | None
    server_cpu_us_per_delivery: float | None
    server_busy: float | None
    server_user_share: float | None
    cpu_clock: str | None
    server_rss_bytes: int | None
    timed_out: bool
    errors: tuple[str, ...]
    repeats: int = 1
    kind: Literal["run"] = "run"


@record
class IdleResult:
    """Everything measured by opening and registering `connections` idle clients.

    After the memory is read, every client sends ``DISCONNECT`` at once and the server's
    cost of letting them all go is measured too (`left` counts the connections it closed).
    """

    target: str
    connections: int
    procs: int
    connected: int
    registered: int
    registrations_per_s: float | None
    server_cpu_us_per_registration: float | None
    rss_before_bytes: int | None
    rss_after_bytes: int | None
    rss_per_connection_bytes: float | None
    left: int
    disconnects_per_s: float | None
    server_cpu_us_per_disconnect: float | None
    timed_out: bool
    errors: tuple[str, ...]
    repeats: int = 1
    kind: Literal["idle"] = "idle"


def percentiles(histogram: Counter[int], max_ns: int) -> Latency | None:
    """Nearest-rank p50/p90/p99 of a 1 µs histogram, and the exact maximum."""
    total = histogram.total()
    if not total:
        return None
    ranks = {pct: max(1, -(-pct * total // 100)) for pct in (50, 90, 99)}
    found: dict[int, float] = {}
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        for pct, rank in ranks.items():
            if pct not in found and seen >= rank:
                found[pct] = float(bucket)
        if len(found) == len(ranks):
            break
    return Latency(found[50], found[90], found[99], max_ns / 1000)


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _median_latency(latencies: Sequence[Latency | None]) -> Latency | None:
    present = [lat for lat in latencies if lat is not None]
    if not present:
        return None
    return Latency(
        statistics.median(lat.p50 for lat in present),
        statistics.median(lat.p90 for lat in present),
        statistics.median(lat.p99 for lat in present),
        max(lat.max for lat in present),
    )


def combine_runs(runs: Sequence[RunResult]) -> RunResult:
    """Repeated runs of one benchmark as one result (see `RunResult`)."""
    if len(runs) == 1:
        return runs[0]
    first = runs[0]
    cpu = [r.server_cpu_s for r in runs]
    return replace(
        first,
        deliveries_expected=sum(r.deliveries_expected for r in runs),
        deliveries_received=sum(r.deliveries_received for r in runs),
        lost=sum(r.lost for r in runs),
        duplicates=sum(r.duplicates for r in runs),
        unexpected_lines=sum(r.unexpected_lines for r in runs),
        disconnected=sum(r.disconnected for r in runs),
        messages_sent=sum(r.messages_sent for r in runs),
        send_seconds=sum(r.send_seconds for r in runs),
        deliveries_per_s=_median([r.deliveries_per_s for r in runs]) or 0.0,
        latency_us=_median_latency([r.latency_us for r in runs]),
        registrations_per_s=_median([r.registrations_per_s for r in runs]),
        server_cpu_s=None if None in cpu else sum(c for c in cpu if c is not None),
        server_cpu_us_per_delivery=_median([r.server_cpu_us_per_delivery for r in runs]),
        server_busy=_median([r.server_busy for r in runs]),
        server_user_share=_median([r.server_user_share for r in runs]),
        server_rss_bytes=max((r.server_rss_bytes or 0 for r in runs), default=0) or None,
        timed_out=any(r.timed_out for r in runs),
        errors=tuple(e for r in runs for e in r.errors)[:10],
        repeats=len(runs),
    )


def combine_idle(runs: Sequence[IdleResult]) -> IdleResult:
    """Repeated idle runs as one result: counts are sums, figures medians."""
    if len(runs) == 1:
        return runs[0]
    return replace(
        runs[0],
        connected=sum(r.connected for r in runs),
        registered=sum(r.registered for r in runs),
        registrations_per_s=_median([r.registrations_per_s for r in runs]),
        server_cpu_us_per_registration=_median([r.server_cpu_us_per_registration for r in runs]),
        rss_per_connection_bytes=_median([r.rss_per_connection_bytes for r in runs]),
        left=sum(r.left for r in runs),
        disconnects_per_s=_median([r.disconnects_per_s for r in runs]),
        server_cpu_us_per_disconnect=_median([r.server_cpu_us_per_disconnect for r in runs]),
        timed_out=any(r.timed_out for r in runs),
        errors=tuple(e for r in runs for e in r.errors)[:10],
        repeats=len(runs),
    )
