"""Reading CPU time and memory from /proc."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

from parley.bench.procstat import cpu_sample, process_tree, raise_open_file_limit, rss_bytes


def test_this_process_has_cpu_time_and_memory() -> None:
    before = cpu_sample(os.getpid())
    sum(range(200_000))
    after = cpu_sample(os.getpid())
    assert before is not None and after is not None
    assert after.best_ns >= before.best_ns > 0
    assert (rss_bytes(os.getpid()) or 0) > 1_000_000


def test_a_process_that_is_gone_gives_none() -> None:
    assert cpu_sample(2**22 + 1) is None
    assert rss_bytes(2**22 + 1) is None


def test_open_file_limit_is_raised_to_the_hard_limit() -> None:
    soft, hard = raise_open_file_limit()
    assert (soft, hard) == resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard in (soft, resource.RLIM_INFINITY)


def test_a_child_process_counts_towards_its_parent() -> None:
    """A server that hands work to another process pays for that process's CPU too."""
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    burner = subprocess.Popen(
        [sys.executable, "-c", f"{burn}\nprint('done', flush=True)\ntime.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert burner.stdout is not None and burner.stdout.readline() == b"done\n"
        assert burner.pid in process_tree(os.getpid())
        tree = cpu_sample(os.getpid())
        alone = cpu_sample(os.getpid(), tree=False)
    finally:
        burner.kill()
        burner.wait()
    assert tree is not None and alone is not None
    assert tree.best_ns - alone.best_ns >= 250_000_000  # the child's 0.3 s
