"""Tell TLS from plain connections on one port by the first byte, without consuming it.

A TLS client speaks first with a ClientHello, whose first byte is 0x16; no CHAT/1.0, plain
or IRC line starts with it. A connection that stays silent (a person at a telnet prompt)
is plain. Every look is a peek (``MSG_PEEK``), so the chosen protocol sees the stream whole,
and every wait has a bound: this module never reads a byte and never waits without one.
"""

from __future__ import annotations

import asyncio
import socket

TLS_HANDSHAKE = 0x16


def is_tls(first: bytes) -> bool:
    """Whether `first` (a connection's first byte, or b"") begins a TLS handshake."""
    return first == bytes([TLS_HANDSHAKE])


def peek_now(sock: socket.socket) -> bytes | None:
    """The first byte if it has already arrived, b"" at EOF, None if nothing yet.

    `sock` must be non-blocking; this never waits.
    """
    try:
        return sock.recv(1, socket.MSG_PEEK)
    except (BlockingIOError, InterruptedError):
        return None


async def first_byte(sock: socket.socket, wait: float) -> bytes:
    """The first byte without consuming it; b"" after `wait` seconds of silence or at EOF.

    `sock` must be non-blocking.
    """
    first = peek_now(sock)
    if first is not None:
        return first
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def on_readable() -> None:
        if not ready.done():
            ready.set_result(None)

    fd = sock.fileno()
    loop.add_reader(fd, on_readable)
    try:
        await asyncio.wait_for(ready, wait)
    except TimeoutError:
        return b""
    finally:
        loop.remove_reader(fd)
    return peek_now(sock) or b""
