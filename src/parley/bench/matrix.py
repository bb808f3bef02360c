"""The standard benchmark matrix, its targets, and running it against a server and the baseline.

Every row runs first against the server under test and then against the bare relay
(`parley.bench.relay`), each on a freshly started process (so one row's memory or load never
leaks into the next), and is reported with the ratio of the two and the target it is held to.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from parley.bench.report import Figure, idle_figures, machine, progress, run_figures
from parley.bench.results import IdleResult, RunResult, combine_idle, combine_runs
from parley.bench.runner import LoadParams, run_idle, run_load
from parley.bench.targets import Endpoint, ServerProcess, Subject, TargetError
from parley.records import record

Targets = dict[str, tuple[float, str]]
"""Metric name to (target, op); see `Figure`."""


@record
class LoadRow:
    """A send benchmark of the matrix and its targets."""

    name: str
    params: LoadParams
    targets: Targets


@record
class IdleRow:
    """An idle-connections benchmark of the matrix and its targets."""

    name: str
    connections: int
    targets: Targets


Row = LoadRow | IdleRow

LOAD_REPEATS = 5
"""Send rows are short (a fraction of a second each) and vary with scheduling: the matrix runs
each five times, alternating with the baseline, and reports medians."""

BUSY_LOAD = 0.5
"""A one-minute load average above this before the matrix starts is worth a warning."""

REGISTRATIONS: Targets = {"registrations/s": (5000.0, ">=")}

STANDARD: tuple[Row, ...] = (
    LoadRow(
        "10 members, all send 2000",
        LoadParams(members=10, senders=10, messages=2000),
        {
            "server CPU per delivery": (0.50, "<="),
            "latency p99": (2000.0, "<="),
            "latency max": (10000.0, "<="),
        },
    ),
    LoadRow(
        "100 members, all send 200",
        LoadParams(members=100, senders=100, messages=200),
        {"server CPU per delivery": (0.21, "<=")},
    ),
    LoadRow(
        "500 members, 10 send 200",
        LoadParams(members=500, senders=10, messages=200),
        {"server CPU per delivery": (0.29, "<=")},
    ),
    IdleRow("2,000 idle connections", 2000, REGISTRATIONS),
    IdleRow(
        "10,000 idle connections",
        10000,
        {**REGISTRATIONS, "RSS per idle connection": (4096.0, "<=")},
    ),
)

QUICK: tuple[Row, ...] = (
    LoadRow("10 members, all send 200", LoadParams(members=10, senders=10, messages=200), {}),
    IdleRow("200 idle connections", 200, {}),
)


def describe(subject: Subject) -> dict[str, Any]:
    """The subject for the JSON record: its name and how it was started or reached."""
    running = subject.running
    return {
        "name": subject.name,
        "command": list(subject.command) or None,
        "dialect": subject.dialect,
        "address": f"{running.host}:{running.port}" if running else None,
        "pid": running.pid if running else None,
    }


def with_targets(figures: Sequence[Figure], targets: Targets) -> list[Figure]:
    """`figures` with the row's targets filled in by metric name."""
    out = []
    for figure in figures:
        if figure.metric in targets:
            target, op = targets[figure.metric]
            out.append(replace(figure, target=target, op=op))
        else:
            out.append(figure)
    return out


Result = RunResult | IdleResult
Measure = Callable[[Endpoint], Result]


def _measure(row: Row, procs: int | None) -> Measure:
    if isinstance(row, LoadRow):
        params = replace(row.params, procs=procs) if procs else row.params
        return lambda endpoint: run_load(endpoint, params)
    return lambda endpoint: run_idle(endpoint, row.connections, procs)


def measure_on(subject: Subject, measure: Measure) -> Result:
    """Run `measure` on a running subject, or on a fresh process of it started for this."""
    if subject.running is not None:
        return measure(subject.running)
    with ServerProcess(subject.name, subject.command, dialect=subject.dialect) as server:
        result = measure(server.endpoint)
        if not server.alive():
            raise TargetError(f"{subject.name} server died in the run: {server.stderr_tail()}")
        return result


def combine(results: Sequence[Result]) -> Result:
    """Repeated results of one row as one (see `combine_runs`)."""
    if all(isinstance(r, RunResult) for r in results):
        return combine_runs([r for r in results if isinstance(r, RunResult)])
    return combine_idle([r for r in results if isinstance(r, IdleResult)])


@record
class RowOutcome:
    """One row measured: the subject's runs, the baseline's, their combination, the figures."""

    name: str
    subject: Result
    baseline: Result | None
    figures: list[Figure]
    subject_runs: tuple[Result, ...] = ()
    baseline_runs: tuple[Result, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The row for the JSON record."""
        return {
            "name": self.name,
            "subject": self.subject,
            "baseline": self.baseline,
            "figures": [f.to_json() for f in self.figures],
            "subject_runs": self.subject_runs if len(self.subject_runs) > 1 else [],
            "baseline_runs": self.baseline_runs if len(self.baseline_runs) > 1 else [],
        }


def figures_for(subject: Result, baseline: Result | None) -> list[Figure]:
    """The figures comparing `subject` with `baseline` (which must be of the same kind)."""
    if isinstance(subject, RunResult):
        assert baseline is None or isinstance(baseline, RunResult)
        return run_figures(subject, baseline)
    assert baseline is None or isinstance(baseline, IdleResult)
    return idle_figures(subject, baseline)


def run_row(
    row: Row,
    *,
    subject: Subject,
    baseline: Subject | None = None,
    procs: int | None = None,
    repeats: int = 1,
) -> RowOutcome:
    """Measure one row `repeats` times on the subject and on the baseline, alternately.

    Alternating spreads any drift of the machine (other load, thermal) over both servers.
    The baseline is the bare relay or ngircd (`Subject.builtin`), each spoken to in its
    own dialect.
    """
    measure = _measure(row, procs)
    mine: list[Result] = []
    theirs: list[Result] = []
    for attempt in range(1, repeats + 1):
        count = f" (run {attempt}/{repeats})" if repeats > 1 else ""
        progress(f"{row.name}: {subject.name}{count} ...")
        mine.append(measure_on(subject, measure))
        if baseline is not None:
            progress(f"{row.name}: {baseline.name}, the baseline{count} ...")
            theirs.append(measure_on(baseline, measure))
    combined = combine(mine)
    base = combine(theirs) if theirs else None
    figures = with_targets(figures_for(combined, base), row.targets)
    return RowOutcome(row.name, combined, base, figures, tuple(mine), tuple(theirs))


def run_matrix(
    rows: Sequence[Row] = STANDARD,
    *,
    subject: Subject,
    baseline: Subject | None = None,
    procs: int | None = None,
    repeats: int = LOAD_REPEATS,
) -> tuple[list[RowOutcome], dict[str, Any]]:
    """Run every row (send rows `repeats` times); return the outcomes and the JSON record."""
    started = time.monotonic()
    load_before = os.getloadavg()
    if load_before[0] > BUSY_LOAD:
        progress(
            f"the machine is busy (load average {load_before[0]:.2f}): "
            "other processes will take CPU time from the server and the generator"
        )
    outcomes = [
        run_row(
            row,
            subject=subject,
            baseline=baseline,
            procs=procs,
            repeats=repeats if isinstance(row, LoadRow) else 1,
        )
        for row in rows
    ]
    verdicts = [f.met for o in outcomes for f in o.figures if f.met is not None]
    record = {
        "kind": "matrix",
        "machine": machine(),
        "server": describe(subject),
        "baseline_server": describe(baseline) if baseline is not None else None,
        "repeats": repeats,
        "rows": [o.to_json() for o in outcomes],
        "targets_met": sum(verdicts),
        "targets_missed": len(verdicts) - sum(verdicts),
        "elapsed_s": round(time.monotonic() - started, 1),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    return outcomes, record
