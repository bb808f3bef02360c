"""The listening server: owns the chat core, every connection and the shutdown sequence.

Resource handling: the server owns its listening socket and every accepted connection;
`shutdown` sends ``DISCONNECT CHAT/1.0`` to each, waits up to the grace period for them to
go, then aborts what is left. Error handling: accept errors (EMFILE and friends) are logged
and retried by asyncio's loop; a failing connection never takes the server down.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import ssl
import time

from parley.chat.core import ChatCore
from parley.chat.events import LOBBY
from parley.chat.passwords import warm_up
from parley.chat.ports import CoreConfig, Ports
from parley.server.admission import Admission
from parley.server.config import ServerConfig
from parley.server.keeper import Keeper
from parley.server.listeners import AcceptedConnection, Listener
from parley.server.quota import HistoryQuota
from parley.server.tls import ensure_self_signed, fingerprint, server_context
from parley.server.transport import Connection
from parley.store import Store, make_store

log = logging.getLogger("parley.server")

# Relayed messages are written to the store in batches gathered over this long: fewer, larger
# commits measured 10-15 % less server CPU per delivery at 10 members and lower latency
# tails than one batch per loop iteration (docs/performance.md). A commit costs about 325 us
# of CPU whatever its size (50 rows: 17 us a row, 400 rows: 11.5, measured on the writer
# thread), so 20 ms rather than 5: only the acknowledgements wait for it (deliveries go
# first, and history reads flush the batch at once).
KEEP_DELAY = 0.02
RETENTION_INTERVAL = 600.0  # seconds between history retention passes


def make_listening_socket(host: str | None, port: int) -> socket.socket:
    """One socket for `host`:`port`; all interfaces means dual-stack IPv6+IPv4 if possible.

    A single socket (rather than one per address family) keeps a system-chosen port the
    same for IPv4 and IPv6 clients.
    """
    if host in (None, "", "*", "::") and socket.has_dualstack_ipv6():
        return socket.create_server(
            ("::", port), family=socket.AF_INET6, dualstack_ipv6=True, reuse_port=False
        )
    if host in (None, "", "*"):
        host = "0.0.0.0"
    assert host is not None
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return socket.create_server(address[:2], family=family)


def tune_garbage_collector() -> None:
    """Collect the young generation less often, and never walk what start-up made.

    Each connection keeps a few long-lived objects (its session, user, buffers); with the
    default thresholds every few hundred registrations trigger a collection that walks all
    of them, which made registration cost grow with the number of users online. Cycles are
    rare on the message path, so a larger first threshold costs a little memory, not leaks.
    """
    gc.collect()
    gc.freeze()  # what start-up made (modules, Unicode tables) is never garbage
    gc.set_threshold(50_000, 20, 100)


def core_config(config: ServerConfig) -> CoreConfig:
    """The chat core's rules, from the server's configuration."""
    return CoreConfig(
        history_lines=config.history_lines,
        offline_limit=config.offline_limit,
        offline_per_sender=config.offline_per_sender,
        offline_ttl=config.offline_hours * 3600.0,
        require_accounts=config.require_accounts,
        listings_per_minute=config.listings_per_minute,
    )


class ChatServer:
    """A running Parley server: listener, chat core and connections."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store: Store = make_store(
            config.data_dir,
            ephemeral=config.ephemeral,
            memory_messages=config.memory_messages,
            memory_per_conversation=config.memory_per_conversation,
        )
        self.keeper = Keeper(self.store, KEEP_DELAY)
        # The core keeps through the per-user quota, when there is one (--history-user-mb).
        self.quota = (
            HistoryQuota(self.keeper, config.history_user_mb) if config.history_user_mb else None
        )
        self.core = ChatCore(Ports(self.store, self.quota or self.keeper), core_config(config))
        self.admission = Admission(
            config.max_connections, config.max_per_address, config.registrations_per_minute
        )
        self._connections: set[Connection] = set()
        self._dirty: list[Connection] = []
        self._jobs: set[asyncio.Task[None]] = set()
        self._flush_scheduled = False
        self._servers: list[asyncio.Server] = []
        self._listener: Listener | None = None  # the shared port's, or --tls-port's
        self.tls_fingerprint: str | None = None
        self.tls_port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = asyncio.Event()
        self._drained = asyncio.Event()
        self._shutdown_task: asyncio.Task[None] | None = None
        self._retention: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> None:
        """Bind and start accepting; raises OSError (or ssl.SSLError) if that cannot be done."""
        self._loop = asyncio.get_running_loop()
        context = self._tls_context()
        await self.store.open()
        await self.core.registration.load()
        await asyncio.get_running_loop().run_in_executor(None, warm_up)
        tune_garbage_collector()
        config = self.config
        if config.history_days > 0 or config.history_max_mb > 0 or config.room_days > 0:
            self._retention = asyncio.get_running_loop().create_task(self._keep_trimmed())
        sock = make_listening_socket(self.config.host, self.config.port)
        self.port = sock.getsockname()[1]
        if context is not None and self.config.tls_port is None:
            self.tls_port = self.port
            self._listener = self._listen(sock, context, sniff=self.config.greet_delay)
            return
        self._servers.append(
            await self._loop.create_server(lambda: Connection(self), sock=sock, backlog=1024)
        )
        if context is not None:
            assert self.config.tls_port is not None
            tls_sock = make_listening_socket(self.config.host, self.config.tls_port)
            self.tls_port = tls_sock.getsockname()[1]
            self._listener = self._listen(tls_sock, context, sniff=None)

    def _listen(
        self, sock: socket.socket, context: ssl.SSLContext, *, sniff: float | None
    ) -> Listener:
        """Accept TLS (and with `sniff`, plain) clients on `sock`, counted at accept."""
        listener = Listener(
            sock,
            context,
            self.admission,
            lambda ticket, silent: AcceptedConnection(self, ticket, silent=silent),
            sniff=sniff,
        )
        listener.start()
        return listener

    def _tls_context(self) -> ssl.SSLContext | None:
        config = self.config
        if config.tls == "off":
            return None
        if config.tls == "self-signed":
            cert, key, made = ensure_self_signed(config.data_dir / "tls")
            if made:
                log.info("made a self-signed certificate in %s", cert.parent)
        else:
            assert config.tls_cert is not None and config.tls_key is not None
            cert, key = config.tls_cert, config.tls_key
        context = server_context(cert, key)
        self.tls_fingerprint = fingerprint(cert)
        return context

    async def trim_history(self) -> int:
        """Apply `--history-days` and `--history-max-mb` now; how many messages went."""
        config = self.config
        older_than = time.time() - config.history_days * 86400 if config.history_days else None
        max_bytes = int(config.history_max_mb * 1_000_000) if config.history_max_mb else None
        await self.keeper.drain()
        return await self.store.prune_history(older_than=older_than, max_bytes=max_bytes)

    async def expire_rooms(self, now: float | None = None) -> int:
        """Apply `--room-days` now (or as if at `now`); how many stored rooms went.

        A room goes when nobody is in it (rooms with members online are live in the core)
        and it was neither saved nor spoken in for `--room-days`; the lobby never goes.
        """
        if self.config.room_days <= 0:
            return 0
        idle_since = (time.time() if now is None else now) - self.config.room_days * 86400
        keep = {LOBBY, *self.core.rooms}
        await self.keeper.drain()  # a message relayed just now counts
        expired = await self.store.expire_rooms(idle_since, keep=keep)
        return len(expired)

    async def _keep_trimmed(self) -> None:
        """Retention, at start-up and every `RETENTION_INTERVAL` seconds; a failure is logged."""
        while True:
            try:
                if self.config.history_days > 0 or self.config.history_max_mb > 0:
                    dropped = await self.trim_history()
                    if dropped:
                        log.info("history retention dropped %d messages", dropped)
                expired = await self.expire_rooms()
                if expired:
                    log.info("room expiry deleted %d rooms nobody used", expired)
                if self.quota is not None:
                    self.quota.forget_idle()
            except Exception:
                log.exception("history retention failed; trying again later")
            await asyncio.sleep(RETENTION_INTERVAL)

    def connections(self) -> list[Connection]:
        """The open connections (a copy)."""
        return list(self._connections)

    @property
    def connection_count(self) -> int:
        """Open connections, registered or not."""
        return len(self._connections)

    def track(self, connection: Connection) -> None:
        """Called by a connection once it is established."""
        self._connections.add(connection)

    def untrack(self, connection: Connection) -> None:
        """Called by a connection once it is gone."""
        self._connections.discard(connection)
        if self._shutdown_task is not None and not self._connections:
            self._drained.set()

    def track_job(self, task: asyncio.Task[None]) -> None:
        """Keep a reference to a connection's job until it ends (so it is not collected)."""
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    def schedule_flush(self, connection: Connection) -> None:
        """Write `connection`'s queue at the end of this loop iteration, with all others."""
        self._dirty.append(connection)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            assert self._loop is not None
            self._loop.call_soon(self._flush_all)

    def _flush_all(self) -> None:
        """Once per loop iteration: write every queued delivery, keep every relayed message."""
        self._flush_scheduled = False
        dirty, self._dirty = self._dirty, []
        for connection in dirty:
            connection.flush()

    def kick(self, name: str, reason: str) -> bool:
        """Disconnect the user called `name` (telling them first); False if not online."""
        user = self.core.user(name)
        if user is None:
            return False
        for session in list(user.sessions):
            session.endpoint.close(f"kicked: {reason}", notify=True)
        return True

    def request_shutdown(self, reason: str = "shutdown requested") -> None:
        """Start the shutdown sequence once; safe to call from signal handlers."""
        if self._shutdown_task is None:
            log.info("shutting down: %s", reason)
            self._shutdown_task = asyncio.ensure_future(self._shutdown())

    async def shutdown(self) -> None:
        """Tell every client, close everything, and return when done."""
        self.request_shutdown()
        await self.wait_stopped()

    async def wait_stopped(self) -> None:
        """Return once the server has shut down."""
        await self._stopped.wait()
        if self._shutdown_task is not None:
            await self._shutdown_task

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        if self._listener is not None:
            self._listener.close()
        for connection in list(self._connections):
            connection.close("server shutting down", notify=True)
        if self._connections:
            try:
                await asyncio.wait_for(self._drained.wait(), self.config.shutdown_grace)
            except TimeoutError:
                log.warning("%d connections did not close in time", len(self._connections))
        if self._retention is not None:
            self._retention.cancel()
        for job in list(self._jobs):
            job.cancel()
        try:
            await self.keeper.drain()
            await self.store.close()
        except Exception:
            log.exception("closing the store failed")
        self._stopped.set()
