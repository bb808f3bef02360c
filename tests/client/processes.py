"""Running the real commands as a user would, and watching their output with deadlines.

`Process` runs ``python -m parley`` with pipes; threads collect its stdout and stderr
lines so a test can wait for a line without ever blocking past a deadline.
`start_chat_server` runs the project's server (``python -m parley.server`` on port 0) and
falls back to the seed-only spec server while the real one does not exist.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

WAIT = 5.0
STARTUP_WAIT = 20.0
"""Seconds a server may take to start (other tests may be keeping the machine busy)."""
SPEC_SERVER = Path(__file__).resolve().parents[1] / "interop" / "spec_server.py"


def client_command(*args: str) -> list[str]:
    """The argv of ``python -m parley ARGS``, with this interpreter."""
    return [sys.executable, "-m", "parley", *args]


def poll_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll `condition` every 20 ms until it holds; fail after `timeout` saying `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


class _LineCollector:
    """Reads a text stream to its end in a thread, keeping every line."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self.lines)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


@dataclass(frozen=True)
class Finished:
    """How a process ended."""

    status: int
    stdout: list[str]
    stderr: list[str]


class Process:
    """A command with piped stdin, stdout and stderr, read by threads."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        stdin_text: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`env`: variables to add to the environment (PARLEY_PASSWORD, say)."""
        inherited = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PARLEY_DEBUG", "PARLEY_PASSWORD", "PARLEY_NEW_PASSWORD")
        }
        env = {**inherited, "PYTHONIOENCODING": "utf-8", **(env or {})}
        self.popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._stdout = _LineCollector(self.popen.stdout)
        self._stderr = _LineCollector(self.popen.stderr)
        if stdin_text is not None:
            # A client that fails at once may be gone already: that is for the test to judge.
            with suppress(BrokenPipeError):
                self.write(stdin_text)
                self.close_stdin()

    @property
    def stdout(self) -> list[str]:
        return self._stdout.snapshot()

    @property
    def stderr(self) -> list[str]:
        return self._stderr.snapshot()

    def wait_stdout(self, pattern: str, timeout: float = WAIT) -> None:
        """Wait for a stdout line matching `pattern` (a regular expression)."""
        regex = re.compile(pattern)
        poll_until(
            lambda: (
                any(regex.search(line) for line in self.stdout) or self.popen.poll() is not None
            ),
            f"stdout line {pattern!r}",
            timeout,
        )
        assert any(regex.search(line) for line in self.stdout), (
            f"no stdout line {pattern!r}; stdout={self.stdout!r} stderr={self.stderr!r}"
        )

    def wait_stderr(self, pattern: str, timeout: float = WAIT) -> None:
        """Wait for a stderr line matching `pattern` (a regular expression)."""
        regex = re.compile(pattern)
        poll_until(
            lambda: (
                any(regex.search(line) for line in self.stderr) or self.popen.poll() is not None
            ),
            f"stderr line {pattern!r}",
            timeout,
        )
        assert any(regex.search(line) for line in self.stderr), (
            f"no stderr line {pattern!r}; stdout={self.stdout!r} stderr={self.stderr!r}"
        )

    def write(self, text: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(text)
        self.popen.stdin.flush()

    def close_stdin(self) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.close()

    def signal(self, signum: int = signal.SIGINT) -> None:
        self.popen.send_signal(signum)

    def finish(self, timeout: float = WAIT) -> Finished:
        """Wait for the process to exit (killing it after `timeout`) and collect its output."""
        try:
            status = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(WAIT)
            raise AssertionError(
                f"still running after {timeout:g} s; stdout={self.stdout!r} stderr={self.stderr!r}"
            ) from None
        self._stdout.join(WAIT)
        self._stderr.join(WAIT)
        if self.popen.stdin is not None and not self.popen.stdin.closed:
            with suppress(BrokenPipeError):
                self.popen.stdin.close()
        return Finished(status, self.stdout, self.stderr)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(WAIT)


def run_client(
    *args: str,
    stdin_text: str = "",
    timeout: float = WAIT,
    env: Mapping[str, str] | None = None,
) -> Finished:
    """Run ``python -m parley ARGS`` with `stdin_text` as its whole input; wait for it to end."""
    process = Process(client_command(*args), stdin_text=stdin_text, env=env)
    try:
        return process.finish(timeout)
    finally:
        process.kill()


@dataclass
class RunningServer:
    """A chat server subprocess and the port it listens on."""

    process: Process
    port: int
    kind: str

    @property
    def address(self) -> str:
        return f"chat://127.0.0.1:{self.port}"

    @property
    def tls_address(self) -> str:
        return f"chats://127.0.0.1:{self.port}"

    @property
    def fingerprint(self) -> str:
        """The TLS certificate's SHA-256 fingerprint, as the server printed it."""
        self.process.wait_stdout("fingerprint: ")
        line = next(line for line in self.process.stdout if "fingerprint: " in line)
        return line.rsplit(" ", 1)[1]

    def stop(self, signum: int = signal.SIGINT) -> Finished:
        self.process.signal(signum)
        return self.process.finish()


def real_server_available() -> bool:
    """Whether ``python -m parley.server`` exists yet (it is being written alongside)."""
    try:
        return importlib.util.find_spec("parley.server.__main__") is not None
    except ImportError:
        return False


def server_command(kind: str, args: Sequence[str] = ()) -> list[str]:
    """The spec server, or the real one (in memory unless `args` give it a data directory)."""
    if kind == "spec":
        return [sys.executable, str(SPEC_SERVER), *args]
    if "--data-dir" not in args:
        args = ("--ephemeral", *args)
    return [sys.executable, "-m", "parley.server", "--host", "127.0.0.1", "--console", "off", *args]


@contextmanager
def chat_server(
    kind: str = "auto", args: Sequence[str] = (), *, timeout: float = STARTUP_WAIT
) -> Iterator[RunningServer]:
    """Run a chat server on a free port; ``auto`` is the real one if present, else the spec one.

    `args` go to the server's command line (``--tls self-signed --data-dir DIR``, say);
    `timeout`: how long it may take to start.
    """
    if kind == "auto":
        kind = "real" if real_server_available() else "spec"
    process = Process(server_command(kind, args))
    try:
        poll_until(
            lambda: _port(process) is not None or process.popen.poll() is not None,
            f"the {kind} server to report its port",
            timeout,
        )
        port = _port(process)
        assert port is not None, f"{kind} server failed: {process.stderr!r}"
        yield RunningServer(process, port, kind)
    finally:
        process.kill()
        process.finish()


def _port(process: Process) -> int | None:
    for line in process.stdout:
        match = re.search(r"port (\d+)", line)
        if match:
            return int(match.group(1))
    return None
