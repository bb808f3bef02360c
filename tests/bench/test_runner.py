"""The coordinator's pure part: how connections are spread over generator processes."""

from __future__ import annotations

from parley.bench.runner import default_idle_procs, default_procs, split
from parley.bench.targets import Endpoint


def test_split_interleaves_connections_and_spreads_the_rate() -> None:
    specs = split(Endpoint("x", "127.0.0.1", 1, None), "abcde", 7, 3, senders=4, rate=400.0)
    assert [list(s.indices) for s in specs] == [[0, 3, 6], [1, 4], [2, 5]]
    assert all(s.rate == 100.0 for s in specs)


def test_small_runs_use_one_generator_process() -> None:
    assert default_procs(99) == default_idle_procs(99) == 1
    assert 1 <= default_procs(500) <= 4
    assert 2 <= default_idle_procs(500) <= 4
