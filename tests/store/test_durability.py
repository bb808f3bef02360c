"""An acknowledged message survives the process being killed mid-burst (SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from parley.store import SQLiteStore
from tests.store.conftest import database, run

BURST = Path(__file__).with_name("burst.py")
KILL_AFTER = 3000  # acknowledged ids seen before the kill


def acknowledged_ids_until_killed(path: Path) -> list[int]:
    """Run burst.py on `path`, SIGKILL it mid-burst; every id it printed, in order."""
    child = subprocess.Popen(
        [sys.executable, str(BURST), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == b"ready\n", child.stderr.read() if child.stderr else ""
        seen = [child.stdout.readline() for _ in range(KILL_AFTER)]
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL  # it was killed, it did not finish
    lines = b"".join(seen) + rest
    return [int(line) for line in lines.split(b"\n") if line]


def test_every_acknowledged_message_survives_sigkill(tmp_path: Path) -> None:
    path = database(tmp_path)
    acknowledged = acknowledged_ids_until_killed(path)
    assert len(acknowledged) >= KILL_AFTER

    async def stored_ids() -> set[int]:
        store = SQLiteStore(path)
        await store.open()
        history = await store.room_history("burst", limit=len(acknowledged) + 100_000)
        await store.close()
        return {message.id for message in history}

    missing = set(acknowledged) - run(stored_ids())
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
