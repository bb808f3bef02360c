"""What a server costs, read from ``/proc`` (Linux only): its whole process tree.

Every figure covers the server process, each of its threads (the store's writer and reader
threads among them) and every process it started that is still running (a server that moved
work into a helper process must pay for it too).

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
from pathlib import Path

from parley.records import record

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@record
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


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    return stat[stat.rindex(")") + 2 :].split()


def process_tree(pid: int) -> list[int]:
    """`pid` and every living process descended from it (children, grandchildren …)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, ()))
    return tree


def cpu_sample(pid: int, *, tree: bool = True) -> CpuSample | None:
    """CPU time used so far by `pid`'s process tree (every thread), or None if unreadable.

    `tree` False: the process alone (its threads still included).
    """
    tick_ns = 1_000_000_000 // _TICKS_PER_SECOND
    user = system = sched = 0
    sched_known = True
    for member in process_tree(pid) if tree else [pid]:
        fields = _stat_fields(member)
        if fields is None:
            if member == pid:
                return None
            continue  # a child that just ended
        user += int(fields[11]) * tick_ns
        system += int(fields[12]) * tick_ns
        threads = _sched_ns(member)
        sched_known = sched_known and threads is not None
        sched += threads or 0
    return CpuSample(user, system, sched if sched_known else None)


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
    """Resident set size (``VmRSS``) of `pid`'s process tree in bytes, or None."""
    own = _rss(pid)
    if own is None:
        return None
    return own + sum(_rss(child) or 0 for child in process_tree(pid) if child != pid)


def _rss(pid: int) -> int | None:
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
