"""Results: percentiles and the combination of repeated runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from parley.bench.results import Latency, RunResult, combine_runs, percentiles


def test_percentiles_are_nearest_rank() -> None:
    histogram = Counter({us: 1 for us in range(1, 101)})
    assert percentiles(histogram, 100_500) == Latency(50.0, 90.0, 99.0, 100.5)
    assert percentiles(Counter(), 0) is None
    assert percentiles(Counter({7: 3}), 7_900) == Latency(7.0, 7.0, 7.0, 7.9)


def _result(cpu_per_delivery: float, lost: int = 0) -> RunResult:
    return RunResult(
        target="parley",
        members=3,
        senders=3,
        messages=10,
        window=8,
        rate=None,
        procs=1,
        deliveries_expected=60,
        deliveries_received=60 - lost,
        lost=lost,
        duplicates=0,
        unexpected_lines=0,
        disconnected=0,
        messages_sent=30,
        send_seconds=0.5,
        deliveries_per_s=120.0,
        latency_us=Latency(1.0, 2.0, 3.0, 4.0),
        registrations_per_s=100.0,
        server_cpu_s=0.1,
        server_cpu_us_per_delivery=cpu_per_delivery,
        server_busy=0.2,
        server_user_share=0.5,
        cpu_clock="schedstat",
        server_rss_bytes=1000,
        timed_out=False,
        errors=(),
    )


def test_combined_runs_sum_counts_and_take_medians() -> None:
    runs = [_result(1.0), _result(5.0, lost=2), replace(_result(2.0), latency_us=None)]
    combined = combine_runs(runs)
    assert combined.repeats == 3
    assert combined.deliveries_expected == 180
    assert combined.lost == 2
    assert combined.server_cpu_us_per_delivery == 2.0
    assert combined.latency_us == Latency(1.0, 2.0, 3.0, 4.0)
    assert combine_runs(runs[:1]) is runs[0]
