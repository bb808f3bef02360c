"""A real server on 127.0.0.1, port 0, in a thread of its own, and line clients for it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from parley.server import ChatServer, ServerConfig


def wait_for(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Poll `predicate` until it holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


class ServerThread:
    """Runs a ChatServer on its own event loop until `stop`."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.server: ChatServer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.server = ChatServer(self.config)
        await self.server.start()
        self._ready.set()
        await self.server.wait_stopped()

    def start(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(5), "server did not start"
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def call(self, fn: object) -> None:
        """Run `fn` on the server's loop."""
        assert self.loop is not None and callable(fn)
        self.loop.call_soon_threadsafe(fn)

    def stop(self, timeout: float = 5.0) -> float:
        """Ask for shutdown; return how long it took."""
        started = time.monotonic()
        if self._thread.is_alive():
            assert self.server is not None
            self.call(self.server.request_shutdown)
            self._thread.join(timeout)
        return time.monotonic() - started

    def who(self) -> list[str]:
        assert self.server is not None
        return self.server.core.who()


class LineClient:
    """A blocking test client that speaks raw lines."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self, timeout: float = 5.0) -> bytes:
        """The next line, without its ``\\n``; fails the test on timeout or EOF."""
        self.sock.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"connection closed; pending {self._buffer!r}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def lines(self, count: int, timeout: float = 5.0) -> list[bytes]:
        return [self.line(timeout) for _ in range(count)]

    def silent(self, wait: float = 0.2) -> bool:
        """True if nothing arrives within `wait` seconds."""
        if self._buffer:
            return False
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return True
        self._buffer += chunk
        return False

    def closed(self, timeout: float = 3.0) -> bool:
        """True once the server has closed the connection (remaining lines are discarded)."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    return True
        except (TimeoutError, ConnectionResetError):
            return False
        return False

    def register(self, name: str) -> bytes:
        self.send(f"REGISTER {name} CHAT/1.0\n".encode())
        return self.line()

    def close(self) -> None:
        self.sock.close()


MakeServer = Callable[..., ServerThread]
Connect = Callable[..., LineClient]


@pytest.fixture
def make_server() -> Iterator[MakeServer]:
    started: list[ServerThread] = []

    def factory(**overrides: object) -> ServerThread:
        base = ServerConfig(host="127.0.0.1", console="off", ephemeral=True)
        config = replace(base, **overrides)  # type: ignore[arg-type]
        thread = ServerThread(config).start()
        started.append(thread)
        return thread

    yield factory
    for thread in started:
        thread.stop()


@pytest.fixture
def server(make_server: MakeServer) -> ServerThread:
    return make_server()


@pytest.fixture
def connect(server: ServerThread) -> Iterator[Connect]:
    clients: list[LineClient] = []

    def factory(name: str | None = None) -> LineClient:
        client = LineClient(server.port)
        clients.append(client)
        if name is not None:
            assert client.register(name) == b"200 Registration successful"
        return client

    yield factory
    for client in clients:
        client.close()
