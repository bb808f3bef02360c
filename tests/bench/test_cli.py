"""``parley-bench`` end to end: a tiny benchmark against real server subprocesses.

These start the command as a user would (``python -m parley.bench``), so they cover the
generator processes, the servers the bench starts, ``/proc`` sampling and the output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

RUN_FIELDS = {
    "deliveries_expected",
    "deliveries_received",
    "lost",
    "deliveries_per_s",
    "latency_us",
    "server_cpu_us_per_delivery",
    "registrations_per_s",
    "server_busy",
    "timed_out",
}
IDLE_FIELDS = {
    "connections",
    "registered",
    "registrations_per_s",
    "rss_per_connection_bytes",
    "server_cpu_us_per_registration",
    "server_cpu_us_per_disconnect",
}


def bench(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run ``python -m parley.bench ARGS`` and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "parley.bench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def record_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON record: the last line of stdout."""
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    record: dict[str, Any] = json.loads(lines[-1])
    return record


def test_run_against_parley_and_baseline_loses_nothing() -> None:
    done = bench("run", "-n", "6", "-s", "3", "-m", "40", "--procs", "2", "--baseline")
    record = record_of(done)
    assert record["kind"] == "run"
    for side in ("subject", "baseline"):
        result = record[side]
        assert result.keys() >= RUN_FIELDS
        assert result["deliveries_expected"] == 3 * 40 * 5
        assert result["deliveries_received"] == result["deliveries_expected"]
        assert result["lost"] == 0
        assert result["procs"] == 2
        assert not result["timed_out"]
        assert set(result["latency_us"]) == {"p50", "p90", "p99", "max"}
        assert result["server_cpu_us_per_delivery"] > 0
    assert record["subject"]["target"] == "parley"
    assert record["baseline"]["target"] == "relay"
    metrics = {figure["metric"] for figure in record["figures"]}
    assert {"lost deliveries", "server CPU per delivery", "latency p99"} <= metrics
    assert "server CPU per delivery" in done.stdout  # the table comes before the JSON line


def test_run_at_a_fixed_rate() -> None:
    record = record_of(bench("run", "-n", "3", "-s", "2", "-m", "30", "--rate", "600"))
    result = record["subject"]
    assert result["lost"] == 0
    assert result["rate"] == 600
    assert result["send_seconds"] >= 0.04  # 30 messages per sender at 300/s each


def test_idle_measures_memory_and_registrations() -> None:
    record = record_of(bench("idle", "-k", "40"))
    result = record["subject"]
    assert result.keys() >= IDLE_FIELDS
    assert result["registered"] == 40
    assert result["left"] == 40
    assert result["rss_per_connection_bytes"] is not None


def test_bad_options_are_one_line_and_status_2() -> None:
    done = bench("run", "-n", "2", "-s", "3", "-m", "1")
    assert done.returncode == 2
    assert "--senders cannot exceed --members" in done.stderr
    done = bench("run", "-n", "2", "-s", "1", "-m", "1", "--connect", "nowhere")
    assert done.returncode == 2


def test_unreachable_server_is_an_error_not_a_hang() -> None:
    done = bench("idle", "-k", "2", "--server-command", f"{sys.executable} -c pass")
    assert done.returncode == 1
    assert "did not report its port" in done.stderr
