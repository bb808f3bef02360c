"""What a process costs, read from ``/proc`` (Linux only).

CPU time is taken from two sources: ``/proc/<pid>/stat`` (utime + stime, in clock ticks of
usually 10 ms) and, when the kernel has it, the sum of ``/proc/<pid>/task/*/schedstat``
(run time in nanoseconds, every thread). A benchmark phase that costs the server a few
hundred milliseconds would carry a few percent of tick noise, so the nanosecond figure is
preferred and the tick figure is kept beside it. Memory is ``VmRSS`` from
``/proc/<pid>/status``.

Nothing here raises for a process that has gone: the readers return None and the caller
reports the figure as missing.
"""

from __future__ import annotations

import contextlib
import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU time a process has used so far.

    Attributes:
        user_ns: utime from ``/proc/<pid>/stat`` (running Python), in nanoseconds.
        system_ns: stime (in the kernel on the process's behalf: socket calls, and on
            loopback much of the peers' TCP receive path too), in nanoseconds.
        sched_ns: sum of every thread's run time from ``schedstat``, or None if unavailable.
    """

    user_ns: int
    system_ns: int
    sched_ns: int | None

    @property
    def stat_ns(self) -> int:
        """utime + stime."""
        return self.user_ns + self.system_ns

    @property
    def best_ns(self) -> int:
        """The most precise figure available."""
        return self.sched_ns if self.sched_ns is not None else self.stat_ns

    @property
    def clock(self) -> str:
        """Which source `best_ns` comes from: ``"schedstat"`` or ``"stat"``."""
        return "schedstat" if self.sched_ns is not None else "stat"


def cpu_sample(pid: int) -> CpuSample | None:
    """CPU time used by `pid` so far, or None if it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    tick_ns = 1_000_000_000 // _TICKS_PER_SECOND
    return CpuSample(int(fields[11]) * tick_ns, int(fields[12]) * tick_ns, _sched_ns(pid))


def _sched_ns(pid: int) -> int | None:
    total = 0
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            with open(f"{task.path}/schedstat") as file:
                total += int(file.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


def rss_bytes(pid: int) -> int | None:
    """Resident set size (``VmRSS``) of `pid` in bytes, or None if it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE to the hard limit; return (soft, hard) afterwards.

    Child processes (the generator's workers and a server the bench starts) inherit it; a
    server started by someone else needs the same done for it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        # An unlimited hard limit is not a valid soft one: then the soft limit stays.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)
