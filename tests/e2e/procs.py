"""Start the real commands as subprocesses and read their output with deadlines."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence


class Proc:
    """A subprocess whose stdout lines are collected by a thread, for polling with a deadline."""

    def __init__(self, args: Sequence[str], *, stdin: int | None = subprocess.PIPE) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.popen = subprocess.Popen(
            list(args),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.popen.stdout is not None
        stdout = self.popen.stdout
        threading.Thread(target=self._pump, args=(stdout,), daemon=True).start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = 5.0) -> re.Match[str]:
        """Wait for a stdout line matching `pattern`; fail with everything seen so far."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r}; saw {self.seen!r}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(line)
            match = regex.search(line)
            if match:
                return match

    def write(self, text: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(text)
        self.popen.stdin.flush()

    def signal(self, signum: int = signal.SIGINT) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float = 5.0) -> int:
        return self.popen.wait(timeout)

    def stderr(self) -> str:
        assert self.popen.stderr is not None
        return self.popen.stderr.read()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)


def start_server(*args: str) -> tuple[Proc, int]:
    """Run ``python -m parley.server`` with `args`; return it and its port."""
    proc = Proc([sys.executable, "-m", "parley.server", "--host", "127.0.0.1", *args])
    port = int(proc.expect(r"port (\d+)").group(1))
    return proc, port
