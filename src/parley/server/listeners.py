"""Listeners that count every connection the moment it is accepted: the shared port, where
TLS and plain clients are told apart by their first byte, and the TLS-only `--tls-port`.

A connection costs a descriptor and memory from its first instant, so it is counted against
`--max-per-address` and `--max-connections` at accept, before a byte is read; a TLS
handshake is also capped on its own (`admission.MAX_HANDSHAKES*`) and must finish within
`HANDSHAKE_TIMEOUT`; the wait for a first byte never outlasts `MAX_SNIFF_WAIT`. What is
refused is closed at once; a connection that is not known to be TLS is told first with the
plain ``503 Connection refused: ...`` line (from what has arrived; nothing is waited for).
(The plain-only port keeps asyncio's own accept loop: `Connection.connection_made` runs at
accept there and counts the connection itself.)

Resource handling: the listener owns its accept task and one task per connection that is
still being sniffed or handshaken; `close` cancels them all and closes the listening
socket. Each connection's count (`admission.Ticket`) is given back exactly once: when its
task ends, if the connection never began (handshake refused, failed or too slow; shutdown),
else by the `Connection` it was handed to. Error handling: accept errors (EMFILE, ENFILE,
ENOBUFS, ...) are logged and retried after a second; a failed handshake costs only that
connection; a bug costs one connection and is logged with its traceback.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from parley.server.admission import Admission, Ticket, TicketState
from parley.server.sniffing import first_byte, is_tls, peek_now
from parley.server.transport import Connection

if TYPE_CHECKING:
    from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

ACCEPT_RETRY_DELAY = 1.0
BACKLOG = 1024
HANDSHAKE_TIMEOUT = 10.0  # seconds a TLS handshake may take, on every TLS port
MAX_SNIFF_WAIT = 10.0  # longest wait for a first byte on the shared port, whatever greet_delay

ConnectionFactory = Callable[[Ticket, bool], asyncio.Protocol]


class AcceptedConnection(Connection):
    """A `Connection` counted at accept: its ticket's count becomes the connection's own."""

    __slots__ = ("_ticket",)

    def __init__(self, server: ChatServer, ticket: Ticket, *, silent: bool = False) -> None:
        super().__init__(server, silent=silent)
        self._ticket = ticket

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._ticket.hand_over(functools.partial(super().connection_made, transport))


class Listener:
    """Accepts on `sock`, counts each connection at once, then serves it plain or over TLS.

    With `sniff` (seconds of silence after which a connection is plain), TLS and plain
    clients share the port; without it every connection is TLS.
    """

    def __init__(
        self,
        sock: socket.socket,
        context: ssl.SSLContext,
        admission: Admission,
        make_connection: ConnectionFactory,
        *,
        sniff: float | None,
    ) -> None:
        """`make_connection(ticket, silent)`; `silent` if the peer said nothing in time."""
        self._sock = sock
        self._context = context
        self._admission = admission
        self._make_connection = make_connection
        self._sniff = sniff
        self._tasks: set[asyncio.Task[None]] = set()
        self._accepting: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin accepting on the running loop."""
        self._sock.setblocking(False)
        self._sock.listen(BACKLOG)
        self._accepting = asyncio.get_running_loop().create_task(self._accept_forever())

    def close(self) -> None:
        """Stop accepting, abandon connections not begun yet, close the listening socket."""
        if self._accepting is not None:
            self._accepting.cancel()
        for task in list(self._tasks):
            task.cancel()
        self._sock.close()

    async def _accept_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                client, address = await loop.sock_accept(self._sock)
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue
            except OSError as exc:
                log.error("accept failed (%s); retrying in %gs", exc, ACCEPT_RETRY_DELAY)
                await asyncio.sleep(ACCEPT_RETRY_DELAY)
                continue
            client.setblocking(False)
            ticket = self._admit(client, address)
            if ticket is None:
                continue
            task = loop.create_task(self._begin(client, ticket))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._finished, client, ticket))

    def _admit(self, client: socket.socket, address: tuple[object, ...]) -> Ticket | None:
        """The connection's ticket; None if it is refused (and then closed)."""
        host = peer_host(address)
        ticket = self._admission.accept(host)
        if isinstance(ticket, str):
            log.warning("refused %s: %s", describe(address), ticket)
            self._refuse(client, ticket)
            return None
        return ticket

    def _refuse(self, client: socket.socket, reason: str) -> None:
        """Close at once; a connection not known to be TLS first gets the plain 503 line."""
        try:
            if self._sniff is not None and not is_tls(peek_now(client) or b""):
                client.send(f"503 Connection refused: {reason}\n".encode())
        except OSError:
            pass
        client.close()

    async def _begin(self, client: socket.socket, ticket: Ticket) -> None:
        """Sniff, handshake and hand the connection over; a failure costs only this one."""
        try:
            await self._connect(client, ticket)
        except OSError as exc:  # ssl.SSLError, ConnectionAbortedError (timeout), resets
            log.info("connection from %s dropped before it began: %s", ticket.host, exc)
        except Exception:
            log.exception("internal error accepting a connection from %s", ticket.host)

    def _finished(self, client: socket.socket, ticket: Ticket, task: asyncio.Task[None]) -> None:
        """However `task` ended (even cancelled before it ran): unless the connection began,
        give its count back and close its socket."""
        self._tasks.discard(task)
        never_began = ticket.state is TicketState.HELD
        ticket.release()  # nothing once the connection holds the count
        if never_began:
            client.close()

    async def _connect(self, client: socket.socket, ticket: Ticket) -> None:
        tls, silent = True, False
        if self._sniff is not None:
            first = await first_byte(client, min(self._sniff, MAX_SNIFF_WAIT))
            tls, silent = is_tls(first), not first
        if tls:
            refusal = ticket.begin_handshake()
            if refusal is not None:
                log.warning("refused a TLS handshake from %s: %s", ticket.host, refusal)
                return
        await asyncio.get_running_loop().connect_accepted_socket(
            lambda: self._make_connection(ticket, silent),
            client,
            ssl=self._context if tls else None,
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT if tls else None,
        )


def peer_host(address: tuple[object, ...]) -> str:
    """The host of a peer address, as `Connection` names it (IPv4 without ``::ffff:``)."""
    return str(address[0]).removeprefix("::ffff:") if address else "?"


def describe(address: tuple[object, ...]) -> str:
    """``host:port`` of a peer address, for the log."""
    return f"{peer_host(address)}:{address[1]}" if len(address) > 1 else peer_host(address)


class ExtraListener:
    """An optional listener of a door's own port (``--http-port``, ``--irc-port``).

    Plain when TLS is off; TLS (every connection) when it is on. The first line still picks
    the door, so the connection is the same `Connection` as on the shared port, with the same
    admission limits, flood buckets and back-pressure.
    """

    def __init__(self, port: int, closer: Callable[[], None]) -> None:
        self.port = port
        self._closer = closer

    def close(self) -> None:
        """Stop accepting (open connections are the server's, closed by its shutdown)."""
        self._closer()


def _any_interface_socket(host: str | None, port: int) -> socket.socket:
    if host in (None, "", "*", "::") and socket.has_dualstack_ipv6():
        return socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
    return socket.create_server(("0.0.0.0" if host in (None, "", "*") else host, port))


async def listen_http(server: ChatServer) -> ExtraListener | None:
    """Start the ``--http-port`` listener if one is configured (after `ChatServer.start`).

    Raises OSError if the port cannot be bound.
    """
    port = server.config.http_port
    return None if port is None else await _listen_extra(server, port)


async def listen_irc(server: ChatServer) -> ExtraListener | None:
    """Start the ``--irc-port`` listener if one is configured (after `ChatServer.start`).

    TLS on every connection when TLS is on (IRC's 6697 by custom). Raises OSError if the port
    cannot be bound.
    """
    port = server.config.irc_port
    return None if port is None else await _listen_extra(server, port)


async def _listen_extra(server: ChatServer, port: int) -> ExtraListener:
    """A port of a door's own: plain when TLS is off, TLS on every connection when it is on.

    The first line still picks the door, so a client is served here as on the shared port,
    with the same admission limits, flood buckets and back-pressure.
    """
    config = server.config
    sock = _any_interface_socket(config.host, port)
    bound = sock.getsockname()[1]
    if config.tls != "off":
        context = server._tls_context()  # the server's own certificate and settings
        assert context is not None
        listener = Listener(
            sock,
            context,
            server.admission,
            lambda ticket, silent: AcceptedConnection(server, ticket, silent=silent),
            sniff=None,
        )
        listener.start()
        return ExtraListener(bound, listener.close)
    loop = asyncio.get_running_loop()
    plain = await loop.create_server(lambda: Connection(server), sock=sock, backlog=BACKLOG)
    return ExtraListener(bound, plain.close)
