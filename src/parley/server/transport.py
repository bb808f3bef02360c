"""The transport of one client connection: socket, bounded outbox, back-pressure, timers,
flood buckets and jobs. What the bytes mean is its door's business.

The first line (or a silence) picks the door from `parley.server.doors.registry`; from then
on each framed line goes to the door, which talks to the chat core. A door whose dialect is
not lines (HTTP and its WebSocket) brings its own framer: the connection hands it every byte
from the first one on, and meters the units it frames (WebSocket messages) exactly as lines.

Resource handling: outbound bytes are queued per connection and written once per loop
iteration (many deliveries, one write). Past the soft limit of queued bytes the server stops
reading from this client; past the hard limit the client is disconnected with a reason.
Every line costs a token of the client's flood bucket (live-typing previews one of their own,
stricter bucket); a client that keeps flooding is disconnected.
Error handling: nothing a client sends can raise out of `data_received`; a bug in handling
costs that one connection (logged with its traceback), never the server.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Protocol, cast

from parley.chat.core import ChatCore
from parley.chat.events import Delivery
from parley.chat.model import Session
from parley.chat.store import StoredMessage
from parley.protocol import chat1
from parley.protocol.framing import LineFramer, LineTooLong
from parley.ratelimit import TokenBucket
from parley.server.config import ServerConfig
from parley.server.doors import registry
from parley.server.doors.base import Door
from parley.server.doors.plain import PlainDoor
from parley.server.metrics import Metrics, metrics_for

if TYPE_CHECKING:
    from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

_PAUSE_WRITING, _PAUSE_FLOOD, _PAUSE_JOB, _PAUSE_STORE = 1, 2, 4, 8
MAX_UNKEPT = 4096  # messages of one client waiting for the store before reading pauses
PREVIEW_STRIKES = 200  # previews over their budget before the client counts as flooding
_KEEPALIVE = (  # reap half-open peers: first probe after 60 s idle, 4 probes 15 s apart
    ("TCP_KEEPIDLE", 60),
    ("TCP_KEEPINTVL", 15),
    ("TCP_KEEPCNT", 4),
)
Unit = bytes | LineTooLong


class Framer(Protocol):
    """Bytes in, units out: the line framer, or a door's own (`RawDoor.framer`)."""

    @property
    def pending(self) -> int:
        """Bytes of an unfinished unit held (a fragment that may be taken after a pause)."""

    def feed(self, data: bytes) -> list[Unit]:
        """Take received bytes; return every unit they complete, in order."""

    def flush(self) -> Unit | None:
        """Take an unfinished fragment as a unit, if the dialect has such a thing."""


class RawDoor(Door, Protocol):
    """A door that frames its own bytes from the connection's first byte on."""

    framer: Framer


class _Sniffer:
    """The line framer of a connection with no door yet, keeping every byte it was fed.

    Once the first line is complete, a door that frames its own bytes (`DoorSpec.raw`) is
    given all of them; any other door gets the line framer itself back, so after the first
    line the line doors' path is exactly what it was. Holds at most the first line (bounded
    by the line framer) and the rest of the read that completed it.
    """

    __slots__ = ("_connection", "_head", "lines")

    def __init__(self, connection: Connection, lines: LineFramer) -> None:
        self._connection = connection
        self._head = bytearray()
        self.lines = lines

    @property
    def pending(self) -> int:
        return self.lines.pending

    def feed(self, data: bytes) -> list[Unit]:
        self._head += data
        units = self.lines.feed(data)
        if units:
            spec = registry.raw_spec(units[0])
            if spec is not None:
                self._connection.begin_raw(spec, bytes(self._head))
                return []
            self._head.clear()
        return units

    def flush(self) -> Unit | None:
        return self.lines.flush()


def _tune_socket(sock: socket.socket) -> None:
    """No Nagle delay for chat lines; TCP keepalive so dead peers are noticed."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in _KEEPALIVE:
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class Connection(asyncio.Protocol):
    """The server side of one TCP connection, whatever its dialect.

    Slotted, and its rarely used parts (backlog, timers, buckets) made only when needed:
    an idle registered connection must cost a few KiB at most, kernel buffers included.
    """

    __slots__ = (
        "_admitted",
        "_backlog",
        "_before_flush",
        "_bucket",
        "_closing",
        "_deadline",
        "_deferred",
        "_door_name",
        "_door_timer",
        "_framer",
        "_job",
        "_metrics",
        "_outbox",
        "_paused_for",
        "_previews",
        "_server",
        "_silent",
        "_slowed_since",
        "_strikes",
        "_timer",
        "_transport",
        "_unkept",
        "address",
        "config",
        "core",
        "door",
        "host",
        "reason",
        "session",
    )

    def __init__(self, server: ChatServer, *, silent: bool = False) -> None:
        """`silent`: the peer has already said nothing for the greeting delay."""
        self._server = server
        self._silent = silent
        self.core: ChatCore = server.core
        self.config: ServerConfig = server.config
        self._framer: Framer = _Sniffer(self, LineFramer(self.config.max_line, accept_bare_cr=True))
        self._metrics: Metrics | None = None
        self._door_name = ""
        self.reason = ""  # why the server closes this connection, once it does
        self._transport: asyncio.Transport | None = None
        self._outbox: list[bytes] = []
        self._before_flush: Callable[[], None] | None = None
        self._closing = False
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._door_timer: asyncio.TimerHandle | None = None
        self._deferred: asyncio.TimerHandle | None = None
        self._paused_for = 0  # a bit per reason reading is paused (see _PAUSE_*)
        self._bucket: TokenBucket | None = None
        self._previews: TokenBucket | None = None
        self._strikes = 0
        self._backlog: deque[Unit] | None = None  # made when first needed
        self._slowed_since: float | None = None
        self._job: asyncio.Task[None] | None = None
        self._unkept = 0
        self._admitted = False
        self.door: Door | None = None
        self.session: Session = server.core.open_session(self, _deliver_nowhere)
        self.address = "?"
        self.host = "?"

    # asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, so no isinstance check.
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            _tune_socket(sock)
        peername = transport.get_extra_info("peername")
        if peername:
            self.host = str(peername[0]).removeprefix("::ffff:")
            self.address = f"{self.host}:{peername[1]}"
        self.session.host, self.session.address = self.host, self.address
        self._server.track(self)
        refusal = self._server.admission.admit(self.host)
        if refusal is not None:
            log.warning("refused %s: %s", self.address, refusal)
            transport.write(f"503 Connection refused: {refusal}\n".encode())
            self._closing = True
            transport.close()
            return
        self._admitted = True
        self._metrics = metrics_for(self._server)
        transport.set_write_buffer_limits(high=self.config.write_soft_limit)
        config = self.config
        if config.flood_rate > 0:
            self._bucket = TokenBucket(config.flood_rate, config.flood_burst, time.monotonic())
        loop = asyncio.get_running_loop()
        if config.register_timeout > 0:
            self._deadline = loop.call_later(config.register_timeout, self._registration_overdue)
        self._set_timer(0 if self._silent else config.greet_delay, self._greet_if_silent)

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            pending_before = self._framer.pending
            lines = self._framer.feed(data)
            if self._bucket is None and self._backlog is None and self._job is None:
                for index, line in enumerate(lines):
                    if self._closing:
                        return
                    self._dispatch(line)
                    if self._job is not None:  # the rest waits for the job, in order
                        self._hold(lines[index + 1 :])
                        break
            else:
                self._hold(lines)
                self._drain_backlog()
            if self.door is not None and not self._closing:
                self.door.end_of_read()
            self._watch_fragment(pending_before, bool(lines))
        except Exception:  # a bug must cost one connection, never the server
            log.exception("internal error on connection %s", self.address)
            self.close("internal error", notify=True)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self._cancel_door_timers()
        if self._job is not None:
            self._job.cancel()
        if self._deadline is not None:
            self._deadline.cancel()
        if self._admitted:
            self._admitted = False
            self._server.admission.release(self.host)
        if self._metrics is not None and self._door_name:
            self._metrics.closed(self._door_name)
            self._door_name = ""
        name = self.session.name
        self.core.close_session(self.session)
        self._server.untrack(self)
        self._closing = True
        self._outbox.clear()
        if name is not None:
            log.info("%s left (%s)", name, "connection lost" if exc else "connection closed")

    def pause_writing(self) -> None:
        self._pause_reading(_PAUSE_WRITING)

    def resume_writing(self) -> None:
        self._resume_reading(_PAUSE_WRITING)

    def _pause_reading(self, why: int) -> None:
        """Stop reading for `why` (a slow reader, a flooder, a job); reasons add up."""
        if self._transport is not None and not self._closing:
            if not self._paused_for:
                self._transport.pause_reading()
            self._paused_for |= why

    def _resume_reading(self, why: int) -> None:
        if self._paused_for & why:
            self._paused_for &= ~why
            if not self._paused_for and self._transport is not None and not self._closing:
                self._transport.resume_reading()

    def _hold(self, lines: list[Unit]) -> None:
        """Keep lines that must wait (for a job, for the flood limit), in order."""
        if self._backlog is None:
            self._backlog = deque(lines)
        else:
            self._backlog.extend(lines)

    # Flood control -------------------------------------------------------------------------

    def _drain_backlog(self) -> None:
        """Handle waiting lines as fast as the client's bucket allows; slow it past that.

        Lines also wait while a door's job (a store look-up, a password check) runs, so
        that a client's commands always take effect in the order it sent them.
        """
        now = time.monotonic()
        backlog = self._backlog
        while backlog and not self._closing and self._job is None:
            line = backlog[0]
            door = self.door
            if door is not None and door.is_preview(line):
                backlog.popleft()
                if self._preview_allowed(now):
                    self._dispatch(line)
                continue
            bucket = self._bucket
            if bucket is not None and not bucket.allow(now):
                if door is not None:
                    door.end_of_read()  # relay what was allowed before slowing down
                self._slow_down(now)
                return
            self._dispatch(backlog.popleft())
        if self.door is not None and not self._closing:
            self.door.end_of_read()
        if backlog is not None and not backlog:
            self._backlog = None  # back on the fast path
        if self._slowed_since is not None and not self._backlog:
            self._slowed_since = None
            self._resume_reading(_PAUSE_FLOOD)

    def _preview_allowed(self, now: float) -> bool:
        """Previews past their own rate are dropped (they are only previews) and counted:
        a client that keeps sending them past the limit is flooding."""
        config = self.config
        if config.live_rate <= 0:
            return True
        if self._previews is None:
            self._previews = TokenBucket(config.live_rate, config.live_rate * 2, now)
        if self._previews.allow(now):
            return True
        self._strikes += 1
        if self._strikes > PREVIEW_STRIKES:
            self.close("excess flood", notify=True)
        return False

    def _slow_down(self, now: float) -> None:
        assert self._bucket is not None
        config = self.config
        if self._slowed_since is None:
            self._slowed_since = now
            self._pause_reading(_PAUSE_FLOOD)
            self._notify(f"You are sending too fast; lines are delayed to {config.flood_rate:g}/s.")
        elif (
            len(self._backlog or ()) > config.flood_backlog
            or now - self._slowed_since > config.flood_kick_after
        ):
            self.close("excess flood", notify=True)
            return
        asyncio.get_running_loop().call_later(self._bucket.wait(), self._safe_drain)

    def _safe_drain(self) -> None:
        if self._closing or self._job is not None:
            return
        try:
            self._drain_backlog()
        except Exception:
            log.exception("internal error on connection %s", self.address)
            self.close("internal error", notify=True)

    # The chat core's endpoint ----------------------------------------------------------------

    def keeping(self, count: int) -> None:
        """`count` of this client's messages went to the store.

        Backpressure: past `MAX_UNKEPT` messages of this client waiting for the store,
        reading from it pauses until the store catches up.
        """
        before = self._unkept
        self._unkept = before + count
        if before < MAX_UNKEPT <= self._unkept:
            self._pause_reading(_PAUSE_STORE)

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        """The keeper committed `messages` of this client's, then could not keep `lost` more."""
        before = self._unkept
        self._unkept = before - len(messages) - lost
        if self._unkept < MAX_UNKEPT <= before:
            self._resume_reading(_PAUSE_STORE)
        door = self.door
        if door is not None and not self._closing:
            for message in messages:
                door.kept(message)
            for _ in range(lost):
                door.not_kept()

    # Door jobs ---------------------------------------------------------------------------

    def run_job(self, job: Coroutine[object, object, None]) -> None:
        """Run `job` (awaiting the store, hashing a password) before this client's next line.

        Reading pauses meanwhile; an exception in the job is logged and costs only this
        connection.
        """
        if self._closing:
            job.close()
            return
        self._pause_reading(_PAUSE_JOB)
        self._job = asyncio.get_running_loop().create_task(job)
        self._job.add_done_callback(self._job_done)
        self._server.track_job(self._job)

    def _job_done(self, task: asyncio.Task[None]) -> None:
        current = self._job is task  # else a job this one started is still running
        if current:
            self._job = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("job failed on connection %s", self.address, exc_info=error)
            self.close("internal error", notify=True)
            return
        if not current:
            return
        self._resume_reading(_PAUSE_JOB)
        self._safe_drain()

    def schedule(self, delay: float, callback: Callable[[], None]) -> None:
        """The door's one timer (an IRC keepalive): replaced by the next, gone at close."""
        if self._door_timer is not None:
            self._door_timer.cancel()
        if not self._closing:
            self._door_timer = asyncio.get_running_loop().call_later(
                delay, self._door_tick, callback
            )

    def _door_tick(self, callback: Callable[[], None]) -> None:
        self._door_timer = None
        self._door_call(callback)

    def defer(self, delay: float, callback: Callable[[], None]) -> None:
        """Call `callback` after `delay` seconds unless a deferred call is already pending:
        the door's second timer, for output it holds back (the web door's unread counts,
        said at most a few times a second); gone at close."""
        if self._deferred is None and not self._closing:
            self._deferred = asyncio.get_running_loop().call_later(
                delay, self._deferred_tick, callback
            )

    def _deferred_tick(self, callback: Callable[[], None]) -> None:
        self._deferred = None
        self._door_call(callback)

    def _door_call(self, callback: Callable[[], None]) -> None:
        if self._closing:
            return
        try:
            callback()
        except Exception:
            log.exception("internal error on connection %s", self.address)
            self.close("internal error", notify=True)

    def _cancel_door_timers(self) -> None:
        for timer in (self._door_timer, self._deferred):
            if timer is not None:
                timer.cancel()
        self._door_timer = self._deferred = None

    def _notify(self, text: str) -> None:
        """Tell the client something in its own dialect."""
        if self.door is not None:
            self.door.notify(text)

    def _registration_overdue(self) -> None:
        self._deadline = None
        if not self._closing and self.session.user is None:
            log.info(
                "dropping %s: not registered after %gs", self.address, self.config.register_timeout
            )
            self.close("registration timeout", notify=True)

    def registered(self) -> None:
        """Called by the door once the client has a name: no more registration deadline."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    @property
    def shutting_down(self) -> bool:
        """Whether the server has begun to shut down (the web door's /healthz says so)."""
        return getattr(self._server, "_shutdown_task", None) is not None

    def metrics_text(self) -> bytes:
        """The server's metrics, Prometheus text format (the web door's /metrics)."""
        return metrics_for(self._server).render()

    def may_register(self) -> bool:
        """Whether this client's address may try another registration now."""
        return self._server.admission.may_register(self.host, time.monotonic())

    # Door selection ------------------------------------------------------------------------

    def _dispatch(self, line: Unit) -> None:
        if self.door is None:
            self._cancel_timer()
            spec = registry.choose(line)
            self._adopt(spec.make(self), spec.name)
        assert self.door is not None
        self.door.handle_line(line)

    def _adopt(self, door: Door, name: str) -> None:
        """Use `door` from now on; core deliveries go straight to it (one call fewer each)."""
        self.door = door
        self.session.deliver = door.deliver
        if isinstance(self._framer, _Sniffer):
            self._framer = self._framer.lines  # lines from now on: the sniffing is over
        self._door_name = name
        if self._metrics is not None:
            self._metrics.opened(name)

    def begin_raw(self, spec: registry.DoorSpec, head: bytes) -> None:
        """The first line chose a door that frames its own bytes: from now on it frames them
        all, starting with `head` (every byte received so far).

        Its units wait in the backlog, so the flood bucket, jobs and back-pressure meter
        them as they meter lines.
        """
        self._cancel_timer()
        door = cast(RawDoor, spec.make(self))
        self._adopt(door, spec.name)
        self._framer = door.framer
        self._backlog = None
        self._hold(door.framer.feed(head))

    def _greet_if_silent(self) -> None:
        self._timer = None
        if self.door is None and not self._framer.pending and not self._closing:
            door = PlainDoor(self)
            self._adopt(door, registry.FALLBACK.name)
            door.greet()

    def _watch_fragment(self, pending_before: int, completed_lines: bool) -> None:
        """Arrange for an unterminated line to be taken whole after a pause, if it came whole.

        Only doors that take fragments (and a connection that has no door yet) get this.
        Seed 003 clients send each command in one write with no line end; seed 000's client
        streams one keystroke per write. Only a fragment that arrived in a single read is a
        command waiting for its pause; one built up read by read is someone still typing.
        """
        pending = self._framer.pending
        if not pending or (self.door is not None and not self.door.takes_fragments):
            return
        arrived_whole = (pending_before == 0 or completed_lines) and pending > 1
        if arrived_whole:
            self._set_timer(self.config.fragment_pause, self._take_fragment)
        elif self._timer is not None and self.door is not None:
            self._cancel_timer()  # more keystrokes: the line is still being typed

    def _take_fragment(self) -> None:
        """A line that arrived without its line end, followed by a pause, is taken whole."""
        self._timer = None
        fragment = self._framer.flush()
        if fragment is not None and not self._closing:
            self._dispatch(fragment)
            if self.door is not None:
                self.door.end_of_read()

    def _set_timer(self, delay: float, callback: Callable[[], None]) -> None:
        self._cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(delay, callback)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # Outbound ------------------------------------------------------------------------------

    def queued_bytes(self) -> int:
        """Bytes held for this client that the kernel has not taken yet.

        (The outbox is not counted: it only lives until the end of the loop iteration, and
        its chunks are shared by every recipient of the same messages.)
        """
        transport = self._transport
        return transport.get_write_buffer_size() if transport is not None else 0

    def send(self, data: bytes) -> None:
        """Queue whole lines; they are written at the end of this loop iteration."""
        if self._closing:
            return
        if not self._outbox:
            self._server.schedule_flush(self)
        self._outbox.append(data)

    def before_flush(self, callback: Callable[[], None]) -> None:
        """Call `callback` once, just before the next write of queued output: a door that
        sums up what one loop iteration brought (the web door's unread counts) says it once."""
        self._before_flush = callback

    def flush(self) -> None:
        """Write everything queued in one call; drop the client past the hard limit."""
        if self._before_flush is not None:
            callback, self._before_flush = self._before_flush, None
            if not self._closing:
                callback()
        if not self._outbox or self._transport is None or self._closing:
            self._outbox.clear()
            return
        outbox = self._outbox
        data = outbox[0] if len(outbox) == 1 else b"".join(outbox)
        metrics = self._metrics
        if metrics is not None:
            metrics.writes += 1
            metrics.queued += len(outbox)
        outbox.clear()
        self._transport.write(data)
        if self._transport.get_write_buffer_size() > self.config.write_hard_limit:
            self.close("send queue exceeded", notify=True)

    def close(self, reason: str, *, notify: bool) -> None:
        """Close this connection, first sending the door's goodbye if `notify`."""
        if self._closing or self._transport is None:
            return
        self._cancel_timer()
        self._cancel_door_timers()
        self._backlog = None
        self.reason = reason
        if self._metrics is not None:
            self._metrics.dropped(reason)
        name = self.session.name
        self.core.close_session(self.session)
        if notify:  # a connection that has not spoken yet is most likely a CHAT/1.0 client
            self._outbox.append(self.door.goodbye() if self.door else chat1.SERVER_DISCONNECT)
        pending = b"".join(self._outbox)
        self._outbox.clear()
        self._closing = True
        transport = self._transport
        if pending:
            transport.write(pending)
        transport.close()
        if transport.get_write_buffer_size():
            asyncio.get_running_loop().call_later(self.config.shutdown_grace, transport.abort)
        if name is not None:
            log.info("%s disconnected: %s", name, reason)


def _deliver_nowhere(event: Delivery) -> None:
    """A core delivery before any door is chosen: nothing to say yet."""
