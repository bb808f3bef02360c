"""The servers a benchmark runs against: started here as subprocesses, or given from outside.

A started server is a child process the bench owns: it is started with its output going to
temporary files, its port is read from its first lines (``... port 12345 ...``), and it is
stopped with
SIGTERM (then SIGKILL after a grace period) however the benchmark ends. An external server
is only an address, plus a pid when the caller gives one; without a pid the figures read
from ``/proc`` are reported as missing.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from types import TracebackType
from typing import IO

from parley.records import record

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
STOP_GRACE = 5.0

_PORT = re.compile(rb"port (\d+)")


class TargetError(RuntimeError):
    """A server could not be started or reached; the message says why, for a person."""


@record
class Endpoint:
    """Where a server listens and, if known, its process id; `name` labels its figures.

    `dialect` is what the bench's clients speak to it (`parley.bench.wire.DIALECTS`).
    """

    name: str
    host: str
    port: int
    pid: int | None
    dialect: str = "chat1"


# Parley's abuse limits, all turned off (0) for the benchmark when the server has them: every
# bench client comes from 127.0.0.1 and sends far faster than a person, which is exactly what
# per-address and per-client limits are there to stop.
LIMITS_OFF = (
    "--flood-rate",
    "--max-connections",
    "--max-per-address",
    "--registrations-per-minute",
)


@functools.cache
def _parley_options() -> str:
    """``parley-server --help``, to learn which options this version of the server has."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "parley.server", "--help"],
            capture_output=True,
            timeout=STARTUP_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode(errors="replace")


DATA_DIR = "{data_dir}"
"""In a server command, replaced by a fresh temporary directory for each server process (and
removed with it), so that a benchmark never writes into a real data directory."""


def server_command(kind: str, host: str = HOST, extra: Sequence[str] = ()) -> list[str]:
    """The command line that starts a built-in server (parley, relay) on a free port.

    Parley gets its abuse limits turned off and a data directory of its own (`DATA_DIR`),
    for the options this version of it has; `extra` options are added at the end.
    """
    if kind == "parley":
        command = [sys.executable, "-m", "parley.server", "--host", host, "--port", "0"]
        command += ["--console", "off", "--log-level", "WARNING"]
        options = _parley_options()
        for flag in LIMITS_OFF:
            if re.search(rf"{flag}\b", options):
                command += [flag, "0"]
        if re.search(r"--data-dir\b", options):
            command += ["--data-dir", DATA_DIR]
        return [*command, *extra]
    if kind == "relay":
        return [sys.executable, "-m", "parley.bench.relay", "--host", host, "--port", "0"]
    if kind == "ngircd":
        return [sys.executable, "-m", "parley.bench.ngircd", "--host", host, "--data-dir", DATA_DIR]
    raise ValueError(f"cannot start a server of kind {kind!r}")


NATIVE_DIALECT = {"parley": "chat1", "relay": "chat1", "ngircd": "irc"}
"""What each built-in server speaks when no dialect is asked for (Parley speaks both)."""


@record
class Subject:
    """A server to measure: one the bench starts from `command`, or one already `running`.

    A started server is started afresh for every measurement, so one row's memory or load
    never leaks into the next; its command must print ``port <N>`` on stdout.
    """

    name: str
    command: tuple[str, ...] = ()
    running: Endpoint | None = None
    dialect: str = "chat1"

    @classmethod
    def builtin(cls, kind: str, extra: Sequence[str] = (), dialect: str | None = None) -> Subject:
        """Parley, the bare relay or ngircd, started from here (`extra`: more options).

        Parley spoken to over IRC is named ``parley-irc`` in the figures.
        """
        spoken = dialect or NATIVE_DIALECT[kind]
        name = kind if spoken == NATIVE_DIALECT[kind] else f"{kind}-{spoken}"
        return cls(name, tuple(server_command(kind, extra=extra)), dialect=spoken)


class ServerProcess:
    """A server subprocess owned by the bench, usable as a context manager.

    Resource handling: the process is stopped, its output files closed and its temporary data
    directory (if its command asked for one with `DATA_DIR`) removed by `stop`, which
    `__exit__` calls whatever happened. Error handling: a server that exits or stays silent
    during startup raises `TargetError` carrying the end of its stderr.
    """

    def __init__(
        self, name: str, command: Sequence[str], host: str = HOST, dialect: str = "chat1"
    ) -> None:
        self.name = name
        self.host = host
        self.dialect = dialect
        self._data_dir: tempfile.TemporaryDirectory[str] | None = None
        if any(DATA_DIR in part for part in command):
            self._data_dir = tempfile.TemporaryDirectory(prefix="parley-bench-")
            where = self._data_dir.name
            command = [part.replace(DATA_DIR, where) for part in command]
        # Output goes to files, not pipes: a server that keeps printing never blocks on a
        # pipe nobody reads. Both are closed by `stop`.
        self._stdout: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._popen = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=self._stdout,
                stderr=self._stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,  # Ctrl-C is the bench's to handle, not the server's
            )
        except OSError as exc:
            self._stdout.close()
            self._stderr.close()
            if self._data_dir is not None:
                self._data_dir.cleanup()
            raise TargetError(f"cannot start {name} server ({command[0]}): {exc}") from exc
        try:
            self.port = self._read_port()
            self._wait_listening()
        except BaseException:
            self.stop()
            raise

    @property
    def endpoint(self) -> Endpoint:
        """The running server's address and pid."""
        return Endpoint(self.name, self.host, self.port, self._popen.pid, self.dialect)

    def _wait_listening(self) -> None:
        """Until the port takes a connection: a launcher (ngircd's) names it before that."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                socket.create_connection((self.host, self.port), timeout=1.0).close()
                return
            except OSError as exc:
                if self._popen.poll() is not None or time.monotonic() > deadline:
                    raise TargetError(
                        f"{self.name} server is not listening on port {self.port}: {exc}; "
                        f"{self.stderr_tail()}"
                    ) from exc
            time.sleep(0.02)

    def _read_port(self) -> int:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        seen = b""
        while time.monotonic() < deadline:
            exited = self._popen.poll() is not None
            seen = os.pread(self._stdout.fileno(), 65536, 0)
            match = _PORT.search(seen)
            if match:
                return int(match.group(1))
            if exited:
                break
            time.sleep(0.01)
        raise TargetError(
            f"{self.name} server did not report its port: {self.stderr_tail() or seen!r}"
        )

    def stderr_tail(self, limit: int = 2000) -> str:
        """The last `limit` characters the server wrote to stderr."""
        size = os.fstat(self._stderr.fileno()).st_size
        tail = os.pread(self._stderr.fileno(), limit * 4, max(0, size - limit * 4))
        return tail.decode(errors="replace")[-limit:].strip()

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self._popen.poll() is None

    def stop(self) -> None:
        """SIGTERM, wait for the grace period, then SIGKILL; close the pipes."""
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        self._stdout.close()
        self._stderr.close()
        if self._data_dir is not None:
            self._data_dir.cleanup()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def parse_address(text: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) to a pair; raises ValueError for anything else."""
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, not {text!r}")
    return host.removeprefix("[").removesuffix("]"), int(port)


def external(address: str, pid: int | None, dialect: str = "chat1") -> Subject:
    """A server someone else started, at ``host:port``, with its pid if known."""
    host, port = parse_address(address)
    endpoint = Endpoint("external", host, port, pid, dialect)
    return Subject("external", running=endpoint, dialect=dialect)
