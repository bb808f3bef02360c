"""A real Parley server for the browser tests, on 127.0.0.1 and a port the system picks.

`InProcessServer` runs `ChatServer` (the same object ``parley-server`` runs) on an event loop
in a thread of the test process: it starts in milliseconds, which keeps the browser tests
fast. With a data directory it keeps SQLite there, and `restart` shuts it down the way the
command does on SIGINT (every client is told `bye`) and starts a new one on the same port
over the same files.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from parley.server import ChatServer, ServerConfig


class Server(Protocol):
    """What the tests need of a server: where it is."""

    @property
    def port(self) -> int: ...

    @property
    def url(self) -> str: ...


class InProcessServer:
    """A ChatServer (ephemeral store) on its own event loop in a daemon thread."""

    def __init__(self, data_dir: Path | None = None, port: int = 0) -> None:
        # No flood or registration limits: a test seeds dozens of lines at once, and every
        # page and CHAT/1.0 client of a test comes from 127.0.0.1.
        config = ServerConfig(
            host="127.0.0.1",
            port=port,
            console="off",
            ephemeral=data_dir is None,
            flood_rate=0,
            registrations_per_minute=0,
            max_per_address=0,
        )
        self.data_dir = data_dir
        self.config = config if data_dir is None else replace(config, data_dir=data_dir)
        self._server: ChatServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="parley-server", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = ChatServer(self.config)
        await self._server.start()
        self._ready.set()
        await self._server.wait_stopped()

    def start(self) -> InProcessServer:
        self._thread.start()
        if not self._ready.wait(10) or self._failure is not None:
            raise AssertionError(f"the server did not start: {self._failure!r}")
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        """Shut down as on SIGINT: every client is told `bye`, then the store is closed."""
        if self._loop is not None and self._server is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._server.request_shutdown, "SIGINT")
            self._thread.join(10)
            assert not self._thread.is_alive(), "the server did not stop"

    def successor(self) -> InProcessServer:
        """A new server (not started) for the same port and data directory."""
        return InProcessServer(self.data_dir, self.port)
