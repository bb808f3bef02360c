"""``parley-bench`` end to end: a tiny benchmark against real server subprocesses.

These start the command as a user would (``python -m parley.bench``), so they cover the
generator processes, the servers the bench starts, ``/proc`` sampling and the output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from parley.bench.ngircd import find_ngircd

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


def test_the_web_dialect_without_picows_is_one_line(tmp_path: Path) -> None:
    """picows is the bench's own dependency: without it the web dialect says so, in one
    line, before any server starts (the other dialects never import it)."""
    (tmp_path / "picows.py").write_text("raise ImportError('picows is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}

    def run(dialect: str) -> subprocess.CompletedProcess[str]:
        command = ["run", "-n", "2", "-s", "1", "-m", "1", "--dialect", dialect]
        return subprocess.run(
            [sys.executable, "-m", "parley.bench", *command],
            capture_output=True, text=True, timeout=30, check=False, env=env,
        )  # fmt: skip

    done = run("web")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "parley-bench: the web dialect needs picows (picows is not installed here):"
        " pip install 'parley[bench]'"
    ]
    assert record_of(run("chat1"))["subject"]["lost"] == 0  # the other dialects run without it


def test_unreachable_server_is_an_error_not_a_hang() -> None:
    done = bench("idle", "-k", "2", "--server-command", f"{sys.executable} -c pass")
    assert done.returncode == 1
    assert "did not report its port" in done.stderr


def test_run_over_irc_against_parley_loses_nothing() -> None:
    record = record_of(bench("run", "-n", "5", "-s", "3", "-m", "40", "--dialect", "irc"))
    result = record["subject"]
    assert record["server"]["dialect"] == "irc"
    assert result["target"] == "parley-irc"
    assert result["deliveries_received"] == result["deliveries_expected"] == 3 * 40 * 4
    assert result["lost"] == result["unexpected_lines"] == 0
    assert result["server_cpu_us_per_delivery"] > 0
    assert result["errors"] == []  # a missing MOTD (422) is no refusal


@pytest.fixture
def ngircd() -> None:
    if find_ngircd() is None:
        message = "ngircd not installed: scripts/system-deps.sh installs it (Debian: ngircd)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.usefixtures("ngircd")
def test_ngircd_is_the_baseline_in_its_own_dialect_in_the_same_run() -> None:
    done = bench("run", "-n", "5", "-s", "3", "-m", "40", "--baseline", "ngircd")
    record = record_of(done)
    assert record["baseline_server"]["name"] == "ngircd"
    assert record["baseline_server"]["dialect"] == "irc"
    assert record["server"]["dialect"] == "chat1"
    for side in ("subject", "baseline"):
        assert record[side]["lost"] == 0
        assert record[side]["deliveries_received"] == 3 * 40 * 4
        assert record[side]["server_cpu_us_per_delivery"] > 0
    assert record["baseline"]["target"] == "ngircd"
    assert "ngircd" in done.stdout.splitlines()[0]  # the table's column


@pytest.mark.usefixtures("ngircd")
def test_idle_connections_on_ngircd() -> None:
    record = record_of(bench("idle", "-k", "30", "--server", "ngircd"))
    assert record["subject"]["registered"] == 30
    assert record["subject"]["left"] == 30


def test_a_server_that_speaks_one_dialect_is_not_asked_for_another() -> None:
    done = bench("run", "-n", "2", "-s", "1", "-m", "1", "--server", "relay", "--dialect", "irc")
    assert done.returncode == 2
    assert "relay speaks only chat1" in done.stderr


def test_the_web_door_beside_the_chat1_door_in_the_same_run() -> None:
    done = bench(
        "run", "-n", "4", "-s", "2", "-m", "30", "--dialect", "web", "--baseline", "parley"
    )
    record = record_of(done)
    assert record["server"]["dialect"] == "web" and record["subject"]["target"] == "parley-web"
    assert record["baseline_server"]["dialect"] == "chat1"
    for side in ("subject", "baseline"):
        assert record[side]["deliveries_received"] == record[side]["deliveries_expected"] == 180
        assert record[side]["lost"] == record[side]["unexpected_lines"] == 0
        assert record[side]["errors"] == []
