"""Appends messages as fast as it can, printing each id the moment `append` returned.

Run by `test_durability` as ``python burst.py DATABASE``, which kills it with SIGKILL in the
middle of the burst: every id printed here was acknowledged, so it must be in the file.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from parley.store import SQLiteStore

WRITERS = 50


async def burst(path: Path) -> None:
    store = SQLiteStore(path)
    await store.open()
    out = sys.stdout.fileno()
    os.write(out, b"ready\n")

    async def writer(number: int) -> None:
        count = 0
        while True:
            message = await store.append(f"w{number}", f"message {count}", room="burst")
            os.write(out, f"{message.id}\n".encode())  # one write: a whole line or nothing
            count += 1

    await asyncio.gather(*(writer(number) for number in range(WRITERS)))


if __name__ == "__main__":
    asyncio.run(burst(Path(sys.argv[1])))
