"""A scripted CHAT/1.0 server for client tests: a real socket whose replies the test picks.

`ScriptedServer` listens on 127.0.0.1 port 0 in a thread, records every line clients send,
answers ``REGISTER`` as told (or never, to test time-outs) and lets the test send any bytes
or drop the connection. It is a peer on the wire, not a mock: the client under test cannot
tell it from a server that happens to behave that way.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType

OK_REPLY = b"200 Registration successful\n"
WAIT = 5.0


class ScriptedServer:
    """Accepts any number of connections; answers the n-th REGISTER with ``replies[n]``.

    The last reply repeats; None means "never answer". `after_register` is sent right after
    a 200 reply, so a test can tell from the client's output that it is chatting.
    """

    def __init__(
        self,
        replies: Sequence[bytes | None] = (OK_REPLY,),
        *,
        before_reply: bytes = b"",
        after_register: bytes = b"",
    ) -> None:
        self._replies = list(replies)
        self._before_reply = before_reply
        self._after_register = after_register
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.address = f"chat://127.0.0.1:{self.port}"
        self._lines: list[bytes] = []
        self._connections: list[socket.socket] = []
        self._registrations = 0
        self._changed = threading.Condition()
        self._closing = False
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def lines(self) -> list[bytes]:
        """Every line received so far, from every connection, without line ends."""
        with self._changed:
            return list(self._lines)

    def wait_for_line(self, line: bytes, timeout: float = WAIT) -> None:
        """Return once `line` has been received; fail with what was received instead."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while line not in self._lines:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"server never got {line!r}; got {self._lines!r}")
                self._changed.wait(remaining)

    def wait_for_connections(self, count: int, timeout: float = WAIT) -> None:
        """Return once `count` connections have been accepted."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._connections) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"only {len(self._connections)} connection(s)")
                self._changed.wait(remaining)

    def send(self, data: bytes) -> None:
        """Send `data` on the newest connection."""
        with self._changed:
            connection = self._connections[-1]
        connection.sendall(data)

    def drop(self) -> None:
        """Close the newest connection without a word (no ``DISCONNECT CHAT/1.0``)."""
        with self._changed:
            connection = self._connections[-1]
        connection.shutdown(socket.SHUT_RDWR)
        connection.close()

    def close(self) -> None:
        """Stop accepting, close every connection and wait for the threads."""
        self._closing = True
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        for thread in self._threads:
            thread.join(WAIT)
        self._listener.close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(0.05)
            with self._changed:
                self._connections.append(connection)
                self._changed.notify_all()
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        buffer = b""
        while not self._closing:
            try:
                data = connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            *complete, buffer = (buffer + data).split(b"\n")
            for line in complete:
                self._record(connection, line.removesuffix(b"\r"))

    def _record(self, connection: socket.socket, line: bytes) -> None:
        with self._changed:
            self._lines.append(line)
            self._changed.notify_all()
        if line.startswith(b"REGISTER "):
            self._answer_register(connection)

    def _answer_register(self, connection: socket.socket) -> None:
        index = min(self._registrations, len(self._replies) - 1)
        self._registrations += 1
        reply = self._replies[index]
        if reply is None:
            return
        with_extra = self._before_reply + reply
        if reply.startswith(b"200"):
            with_extra += self._after_register
        with contextlib.suppress(OSError):
            connection.sendall(with_extra)
