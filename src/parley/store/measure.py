"""Messages per second committed with group commit versus one commit per message.

`measure_commit_rate` appends the same number of messages, from the same number of concurrent
writers, to two fresh SQLite files in one run: once with group commit and once with one commit
per message, so the two figures are comparable. ``python -m parley.store.measure DIR [N]``
prints them. It writes only inside the directory it is given.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from parley.store.sqlite import SQLiteStore, Synchronous

DEFAULT_WRITERS = 100


async def _append_rate(
    path: Path, n: int, writers: int, *, group_commit: bool, synchronous: Synchronous
) -> tuple[float, int]:
    """(messages per second, commits) for `n` appends from `writers` concurrent writers."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = SQLiteStore(path, group_commit=group_commit, synchronous=synchronous)
    await store.open()
    numbers = iter(range(n))

    async def writer() -> None:
        for number in numbers:
            await store.append("bench", f"message {number}", room="bench")

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(writers)))
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    return n / elapsed, store.commits


async def measure_commit_rate_async(
    path: Path, n: int, *, writers: int = DEFAULT_WRITERS, synchronous: Synchronous = "FULL"
) -> dict[str, float]:
    """See `measure_commit_rate`."""
    path.mkdir(parents=True, exist_ok=True)
    grouped, grouped_commits = await _append_rate(
        path / "group-commit.db", n, writers, group_commit=True, synchronous=synchronous
    )
    single, single_commits = await _append_rate(
        path / "commit-per-message.db", n, writers, group_commit=False, synchronous=synchronous
    )
    return {
        "messages": n,
        "writers": writers,
        "group_commit_per_s": grouped,
        "group_commit_commits": grouped_commits,
        "commit_per_message_per_s": single,
        "commit_per_message_commits": single_commits,
        "speedup": grouped / single,
    }


def measure_commit_rate(
    path: Path, n: int, *, writers: int = DEFAULT_WRITERS, synchronous: Synchronous = "FULL"
) -> dict[str, float]:
    """Append `n` messages with and without group commit into files in directory `path`.

    Returns messages per second and commit counts of each, and the speedup. Runs its own
    event loop, so it is called from synchronous code.
    """
    return asyncio.run(measure_commit_rate_async(path, n, writers=writers, synchronous=synchronous))


def main(argv: list[str] | None = None) -> int:
    """``python -m parley.store.measure DIR [N] [NORMAL|FULL]``."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 3 or (len(args) == 3 and args[2] not in ("NORMAL", "FULL")):
        print("usage: python -m parley.store.measure DIR [N] [NORMAL|FULL]", file=sys.stderr)
        return 2
    n = int(args[1]) if len(args) > 1 else 5000
    synchronous: Synchronous = "NORMAL" if len(args) == 3 and args[2] == "NORMAL" else "FULL"
    figures = measure_commit_rate(Path(args[0]), n, synchronous=synchronous)
    print(f"synchronous={synchronous}")
    for name, value in figures.items():
        print(f"{name:28} {value:12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
