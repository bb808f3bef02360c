"""The commit-rate measurement runs and compares like with like."""

from __future__ import annotations

from pathlib import Path

from parley.store.measure import main, measure_commit_rate


def test_group_commit_and_commit_per_message_are_both_measured(tmp_path: Path) -> None:
    figures = measure_commit_rate(tmp_path, 200, writers=20, synchronous="NORMAL")
    assert figures["messages"] == 200
    assert figures["group_commit_per_s"] > 0 and figures["commit_per_message_per_s"] > 0
    assert figures["commit_per_message_commits"] == 200
    assert figures["group_commit_commits"] < 200


def test_the_command_needs_a_directory() -> None:
    assert main([]) == 2
