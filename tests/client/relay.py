"""A TCP relay between a client under test and a server: the test decides when it connects.

`Relay` listens on 127.0.0.1 (port 0) and forwards each connection to a target port, bytes
as they come, both ways. While `paused`, a new connection is accepted and closed at once (to
the client, a server that hangs up during registration), so a test can let a client retry
until it chooses. It is a peer on the wire, not a mock: the client sees a TCP server.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Relay:
    """Forwards connections to 127.0.0.1:`target`; `paused` refuses them (accept, close)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.paused = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.address = f"chat://127.0.0.1:{self.port}"
        self.accepted = 0
        self._closing = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                downstream, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            if self.paused:
                downstream.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=2)
            except OSError:
                downstream.close()
                continue
            upstream.settimeout(None)
            for source, sink in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self._closing = True
        self._listener.close()
        self._thread.join(2)

    def __enter__(self) -> Relay:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy `source` to `sink` until either ends; then close both (the other pump stops)."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
