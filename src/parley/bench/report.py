"""Turning results into one JSON line and a table a person can read.

The JSON line is the record: every field of every result, machine-readable, one line so that
a file of runs is a JSON-lines file. The table is for reading: figures rounded, the baseline
beside them, the ratio, the target and whether it is met.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from parley.bench.results import IdleResult, RunResult
from parley.records import record

Result = RunResult | IdleResult


@record
class Figure:
    """One line of a table: a metric, its value, the baseline's value, and a target.

    `op` is ``"<="``, ``">="`` or ``"=="``; `target` None means the figure has no target.
    """

    metric: str
    unit: str
    value: float | None
    baseline: float | None = None
    target: float | None = None
    op: str = "<="

    @property
    def ratio(self) -> float | None:
        """value / baseline, when both exist and the baseline is not zero."""
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None when there is no target or no value)."""
        if self.target is None or self.value is None:
            return None
        if self.op == "<=":
            return self.value <= self.target
        if self.op == ">=":
            return self.value >= self.target
        return self.value == self.target

    def to_json(self) -> dict[str, Any]:
        """The figure with its derived ratio and verdict, for the JSON record."""
        return {
            "metric": self.metric,
            "unit": self.unit,
            "value": self.value,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target,
            "op": self.op,
            "met": self.met,
        }


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def to_jsonable(value: Any) -> Any:
    """Dataclasses (results, latencies) to dicts, recursively; everything else as is."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: to_jsonable(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value


def json_line(record: dict[str, Any]) -> str:
    """One compact JSON line."""
    return json.dumps(to_jsonable(record), separators=(",", ":"), sort_keys=False)


def run_figures(result: RunResult, baseline: RunResult | None = None) -> list[Figure]:
    """The figures of a send benchmark, with the baseline's beside them."""
    latency = result.latency_us
    base_latency = baseline.latency_us if baseline is not None else None
    figures = [
        Figure("deliveries expected", "", float(result.deliveries_expected)),
        Figure(
            "deliveries received",
            "",
            float(result.deliveries_received),
            base_value(baseline, "deliveries_received"),
        ),
        Figure("lost deliveries", "", float(result.lost), base_value(baseline, "lost"), 0, "=="),
        Figure(
            "deliveries/s", "/s", result.deliveries_per_s, base_value(baseline, "deliveries_per_s")
        ),
    ]
    for name in ("p50", "p90", "p99", "max"):
        figures.append(
            Figure(
                f"latency {name}",
                "µs",
                getattr(latency, name) if latency else None,
                getattr(base_latency, name) if base_latency else None,
            )
        )
    figures += [
        Figure(
            "server CPU per delivery",
            "µs",
            result.server_cpu_us_per_delivery,
            base_value(baseline, "server_cpu_us_per_delivery"),
        ),
        Figure("server busy", "", result.server_busy, base_value(baseline, "server_busy")),
        Figure(
            "server CPU in user space",
            "",
            result.server_user_share,
            base_value(baseline, "server_user_share"),
        ),
    ]
    return figures


def idle_figures(result: IdleResult, baseline: IdleResult | None = None) -> list[Figure]:
    """The figures of an idle-connections benchmark, with the baseline's beside them."""
    return [
        Figure(
            "registered",
            "",
            float(result.registered),
            base_value(baseline, "registered"),
            float(result.connections * result.repeats),
            "==",
        ),
        Figure(
            "registrations/s",
            "/s",
            result.registrations_per_s,
            base_value(baseline, "registrations_per_s"),
        ),
        Figure(
            "server CPU per registration",
            "µs",
            result.server_cpu_us_per_registration,
            base_value(baseline, "server_cpu_us_per_registration"),
        ),
        Figure(
            "registrations/s per server core",
            "/s",
            _per_second(result.server_cpu_us_per_registration),
            _per_second(base_value(baseline, "server_cpu_us_per_registration")),
        ),
        Figure(
            "RSS per idle connection",
            "B",
            result.rss_per_connection_bytes,
            base_value(baseline, "rss_per_connection_bytes"),
        ),
        Figure(
            "disconnects/s (all at once)",
            "/s",
            result.disconnects_per_s,
            base_value(baseline, "disconnects_per_s"),
        ),
        Figure(
            "server CPU per disconnect",
            "µs",
            result.server_cpu_us_per_disconnect,
            base_value(baseline, "server_cpu_us_per_disconnect"),
        ),
    ]


def _per_second(microseconds: float | None) -> float | None:
    """What one core could do per second at `microseconds` each (the server's capacity)."""
    return 1e6 / microseconds if microseconds else None


def base_value(baseline: Result | None, field: str) -> float | None:
    """A numeric field of the baseline result, or None."""
    if baseline is None:
        return None
    value = getattr(baseline, field)
    return None if value is None else float(value)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "µs":
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if unit == "B":
        return f"{value:,.0f}"
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    op = {"<=": "≤", ">=": "≥", "==": "="}[figure.op]
    return f"{op} {_number(figure.target, figure.unit)}"


def _verdict(figure: Figure) -> str:
    met = figure.met
    return "" if met is None else ("ok" if met else "MISSED")


def table(
    sections: Iterable[tuple[str, Sequence[Figure]]],
    subject: str = "parley",
    baseline: str | None = "relay",
) -> str:
    """A plain-text table: one section per benchmark, one row per figure."""
    header = ["benchmark", "metric", "unit", subject]
    if baseline:
        header += [baseline, "ratio"]
    header += ["target", ""]
    rows: list[list[str]] = []
    for title, figures in sections:
        for i, figure in enumerate(figures):
            row = [title if i == 0 else "", figure.metric, figure.unit]
            row.append(_number(figure.value, figure.unit))
            if baseline:
                ratio = figure.ratio
                row += [
                    _number(figure.baseline, figure.unit),
                    f"{ratio:.2f}x" if ratio is not None else "",
                ]
            row += [_target(figure), _verdict(figure)]
            rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {3, 4, 5} if baseline else {3}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(header), rule]
    previous = ""
    for row in rows:
        if row[0] and previous:
            out.append("")
        previous = row[0] or previous
        out.append(line(row))
    return "\n".join(out)


def progress(text: str) -> None:
    """A progress line for the person waiting (on stderr, apart from the results)."""
    print(f"parley-bench: {text}", file=sys.stderr, flush=True)
