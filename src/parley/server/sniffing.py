"""Serve TLS and plain connections on one port, telling them apart by the first byte.

A TLS client speaks first with a ClientHello, whose first byte is 0x16; no CHAT/1.0, plain
or IRC line starts with it. A connection that stays silent (a person at a telnet prompt)
is plain. The peek never consumes a byte, so the chosen protocol sees the stream whole.

Resource handling: the listener owns its accept task and the sniffing tasks it starts;
`close` cancels them all and closes the listening socket. Error handling: accept errors
(EMFILE, ENFILE, ENOBUFS, ...) are logged and retried after a second; a failed handshake
costs only that connection.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable

log = logging.getLogger("parley.server")

TLS_HANDSHAKE = 0x16
ACCEPT_RETRY_DELAY = 1.0


class SniffingListener:
    """Accepts on `sock`; wraps connections that start with a TLS handshake in `context`."""

    def __init__(
        self,
        sock: socket.socket,
        context: ssl.SSLContext,
        protocol_factory: Callable[[bool], asyncio.Protocol],
        silence: float,
    ) -> None:
        """`protocol_factory(silent)` makes the protocol; `silent` if the peer said nothing."""
        self._sock = sock
        self._context = context
        self._factory = protocol_factory
        self._silence = silence
        self._tasks: set[asyncio.Task[None]] = set()
        self._accepting: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin accepting on the running loop."""
        self._sock.setblocking(False)
        self._accepting = asyncio.get_running_loop().create_task(self._accept_forever())

    def close(self) -> None:
        """Stop accepting, abandon connections still being sniffed, close the socket."""
        if self._accepting is not None:
            self._accepting.cancel()
        for task in list(self._tasks):
            task.cancel()
        self._sock.close()

    async def _accept_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                client, _ = await loop.sock_accept(self._sock)
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue
            except OSError as exc:
                log.error("accept failed (%s); retrying in %gs", exc, ACCEPT_RETRY_DELAY)
                await asyncio.sleep(ACCEPT_RETRY_DELAY)
                continue
            task = loop.create_task(self._sniff_and_serve(client))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _sniff_and_serve(self, client: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        client.setblocking(False)
        try:
            first = await self._peek(client)
            tls = first == bytes([TLS_HANDSHAKE])
            await loop.connect_accepted_socket(
                lambda: self._factory(not first),
                client,
                ssl=self._context if tls else None,
                ssl_handshake_timeout=10.0 if tls else None,
            )
        except asyncio.CancelledError:
            client.close()
            raise
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            log.info("connection dropped before it began: %s", exc)
            client.close()

    async def _peek(self, client: socket.socket) -> bytes:
        """The first byte without consuming it; b"" after `silence` seconds or at EOF."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        fd = client.fileno()
        loop.add_reader(fd, on_readable)
        try:
            await asyncio.wait_for(ready, self._silence)
        except TimeoutError:
            return b""
        finally:
            loop.remove_reader(fd)
        try:
            return client.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return b""
