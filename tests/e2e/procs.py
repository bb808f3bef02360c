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
from collections.abc import Callable, Iterable, Sequence


class Proc:
    """A subprocess whose stdout lines are collected by a thread, for polling with a deadline."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        stdin: int | None = subprocess.PIPE,
        preexec_fn: Callable[[], object] | None = None,
    ) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.popen = subprocess.Popen(
            list(args),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=preexec_fn,  # noqa: PLW1509 (only used to set a resource limit)
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._stderr: list[str] = []
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.popen.stdout,), daemon=True),
            threading.Thread(target=self._drain_stderr, args=(self.popen.stderr,), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream: Iterable[str]) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def _drain_stderr(self, stream: Iterable[str]) -> None:
        """Keep reading stderr so a chatty process never blocks on a full pipe."""
        for line in stream:
            self._stderr.append(line)

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
        """Everything the process wrote to stderr (complete once it has exited)."""
        if self.popen.poll() is not None:
            self._pumps[1].join(5)
        return "".join(self._stderr)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)


def start_server(*args: str) -> tuple[Proc, int]:
    """Run ``python -m parley.server`` with `args`; return it and its port."""
    if "--data-dir" not in args:
        args = ("--ephemeral", *args)
    proc = Proc([sys.executable, "-m", "parley.server", "--host", "127.0.0.1", *args])
    port = int(proc.expect(r"port (\d+)").group(1))
    return proc, port
