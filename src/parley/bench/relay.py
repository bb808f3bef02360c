"""The "bare relay": the least an asyncio server must do to speak CHAT/1.0 to the bench.

It is the baseline every benchmark figure of Parley is compared with, measured in the same
invocation on the same machine: one process, the standard asyncio event loop, one
`asyncio.Protocol` per connection, ``REGISTER <name> CHAT/1.0`` answered ``200`` (``401``
for a name in use, ``400`` for anything else), and every ``@...`` line of a registered
client relayed to every other registered client. Writes are coalesced as Parley's are: each
connection queues what it is sent and all queues are written once per loop iteration; the
message lines of one received chunk are joined once and queued as one piece for every peer.

It deliberately does nothing else (no name checks, no control-character filtering, no
backpressure, no logging), so the distance between Parley and this relay is the price of
everything Parley does beyond moving bytes. It must never be used as a chat server.

Run it as ``python -m parley.bench.relay --port 0``; it prints the port it listens on in the
same words as ``parley-server`` so the bench starts both the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket

MAX_LINE = 8192
VERSION = b"CHAT/1.0"
REGISTERED = b"200 Registration successful\n"
INVALID = b"400 Invalid registration\n"
TAKEN = b"401 Client already registered\n"


class RelayServer:
    """Registered connections and the once-per-iteration flush of their queues."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.members: dict[RelayConnection, None] = {}
        self.names: set[bytes] = set()
        self.dirty: list[RelayConnection] = []

    def relay(self, sender: RelayConnection, data: bytes) -> None:
        """Queue `data` for every registered connection but `sender`."""
        for peer in self.members:
            if peer is not sender:
                peer.queue(data)

    def mark_dirty(self, connection: RelayConnection) -> None:
        """Have `connection`'s queue written at the end of this loop iteration."""
        if not self.dirty:
            self.loop.call_soon(self.flush)
        self.dirty.append(connection)

    def flush(self) -> None:
        """Write every queue that has something in it, one write per connection."""
        dirty, self.dirty = self.dirty, []
        for connection in dirty:
            connection.flush()


class RelayConnection(asyncio.Protocol):
    """One client of the bare relay."""

    __slots__ = ("buffer", "name", "outbox", "server", "transport")

    def __init__(self, server: RelayServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.name: bytes | None = None
        self.outbox: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.buffer:
            data = self.buffer + data
        lines = data.split(b"\n")
        self.buffer = lines.pop()
        if len(self.buffer) > MAX_LINE:
            self.drop()
            return
        if self.name is None:
            while lines and self.name is None:
                self.register(lines.pop(0).rstrip(b"\r"))
        messages = [line for line in lines if line.startswith(b"@")]
        if messages and self.name is not None:
            messages.append(b"")
            self.server.relay(self, b"\n".join(messages))
        if any(line.startswith(b"DISCONNECT") for line in lines):
            self.drop()

    def register(self, line: bytes) -> None:
        """Answer one line from a client that has not registered yet."""
        words = line.split()
        if len(words) != 3 or words[0] != b"REGISTER" or words[2] != VERSION:
            self.queue(INVALID)
        elif words[1] in self.server.names:
            self.queue(TAKEN)
        else:
            self.name = words[1]
            self.server.names.add(self.name)
            self.server.members[self] = None
            self.queue(REGISTERED)

    def queue(self, data: bytes) -> None:
        """Queue bytes for the end-of-iteration flush."""
        if not self.outbox:
            self.server.mark_dirty(self)
        self.outbox.append(data)

    def flush(self) -> None:
        """Write the queue in one call."""
        if self.transport is not None and self.outbox:
            outbox = self.outbox
            self.transport.write(outbox[0] if len(outbox) == 1 else b"".join(outbox))
        self.outbox = []

    def drop(self) -> None:
        """Forget this client and close its connection."""
        self.forget()
        if self.transport is not None:
            self.transport.close()

    def forget(self) -> None:
        """Remove this client from the relay."""
        if self.name is not None:
            self.server.names.discard(self.name)
            self.server.members.pop(self, None)
            self.name = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.forget()
        self.transport = None


async def serve(host: str, port: int) -> None:
    """Listen on `host`:`port`, print the port, and relay until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    relay = RelayServer(loop)
    server = await loop.create_server(
        lambda: RelayConnection(relay), host, port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"Will wait for client messages at port {bound}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m parley.bench.relay``."""
    parser = argparse.ArgumentParser(
        prog="python -m parley.bench.relay",
        description="Bare CHAT/1.0 relay: the baseline of parley-bench. Not a chat server.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port; 0 = any free port")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
