"""One client connection: framing, door selection, and the bounded outbound queue.

The first line (or a silence) picks the door: ``REGISTER``/``EXTEND`` means CHAT/1.0;
anything else, or no bytes within the greeting delay, means the plain door for people.

Resource handling: outbound bytes are queued per connection and written once per loop
iteration (many deliveries, one write). Past the soft limit of queued bytes the server stops
reading from this client; past the hard limit the client is disconnected with a reason.
Error handling: nothing a client sends can raise out of `data_received`; a bug in handling
costs that one connection (logged with its traceback), never the server.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import TYPE_CHECKING

from parley.hub import Delivery, Hub
from parley.protocol import chat1
from parley.protocol.framing import LineFramer, LineTooLong
from parley.server.chat1_door import Chat1Door
from parley.server.config import ServerConfig
from parley.server.doors import Door
from parley.server.plain_door import PlainDoor

if TYPE_CHECKING:
    from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

_CHAT1_VERBS = (b"REGISTER", b"EXTEND", b"DISCONNECT")


class Connection(asyncio.Protocol):
    """The server side of one TCP connection, whatever its dialect."""

    def __init__(self, server: ChatServer) -> None:
        self._server = server
        self.hub: Hub = server.hub
        self.config: ServerConfig = server.config
        self._framer = LineFramer(self.config.max_line, accept_bare_cr=True)
        self._transport: asyncio.Transport | None = None
        self._outbox: list[bytes] = []
        self._closing = False
        self._timer: asyncio.TimerHandle | None = None
        self.door: Door | None = None
        self.address = "?"

    # asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peername = transport.get_extra_info("peername")
        if peername:
            self.address = f"{peername[0].removeprefix('::ffff:')}:{peername[1]}"
        transport.set_write_buffer_limits(high=self.config.write_soft_limit)
        self._server.track(self)
        self._set_timer(self.config.greet_delay, self._greet_if_silent)

    def data_received(self, data: bytes) -> None:
        try:
            for line in self._framer.feed(data):
                if self._closing:
                    return
                self._dispatch(line)
            if self._framer.pending and not isinstance(self.door, Chat1Door):
                self._set_timer(self.config.fragment_pause, self._take_fragment)
        except Exception:  # a bug must cost one connection, never the server
            log.exception("internal error on connection %s", self.address)
            self.close("internal error", notify=True)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        name = self.hub.unregister(self)
        self._server.untrack(self)
        self._closing = True
        self._outbox.clear()
        if name is not None:
            log.info("%s left (%s)", name, "connection lost" if exc else "connection closed")

    def pause_writing(self) -> None:
        if self._transport is not None and not self._closing:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None and not self._closing:
            self._transport.resume_reading()

    # Door selection ------------------------------------------------------------------------

    def _dispatch(self, line: bytes | LineTooLong) -> None:
        if self.door is None:
            self._cancel_timer()
            self.door = self._choose_door(line)
        self.door.handle_line(line)

    def _choose_door(self, first_line: bytes | LineTooLong) -> Door:
        if isinstance(first_line, LineTooLong) or first_line.lstrip().startswith(_CHAT1_VERBS):
            return Chat1Door(self)
        return PlainDoor(self)

    def _greet_if_silent(self) -> None:
        self._timer = None
        if self.door is None and not self._framer.pending and not self._closing:
            door = PlainDoor(self)
            self.door = door
            door.greet()

    def _take_fragment(self) -> None:
        """A line that arrived without its line end, followed by a pause, is taken whole."""
        self._timer = None
        fragment = self._framer.flush()
        if fragment is not None and not self._closing:
            self._dispatch(fragment)

    def _set_timer(self, delay: float, callback: object) -> None:
        self._cancel_timer()
        assert callable(callback)
        self._timer = asyncio.get_running_loop().call_later(delay, callback)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # Outbound ------------------------------------------------------------------------------

    def deliver(self, event: Delivery) -> None:
        """A hub delivery: the door encodes it (once per dialect for all recipients)."""
        if self.door is not None and not self._closing:
            self.door.deliver(event)

    def send(self, data: bytes) -> None:
        """Queue whole lines; they are written at the end of this loop iteration."""
        if self._closing:
            return
        if not self._outbox:
            self._server.schedule_flush(self)
        self._outbox.append(data)

    def flush(self) -> None:
        """Write everything queued in one call; drop the client past the hard limit."""
        if not self._outbox or self._transport is None or self._closing:
            self._outbox.clear()
            return
        data = self._outbox[0] if len(self._outbox) == 1 else b"".join(self._outbox)
        self._outbox.clear()
        self._transport.write(data)
        if self._transport.get_write_buffer_size() > self.config.write_hard_limit:
            self.close("send queue exceeded", notify=True)

    def close(self, reason: str, *, notify: bool) -> None:
        """Close this connection, first sending the door's goodbye if `notify`."""
        if self._closing or self._transport is None:
            return
        self._cancel_timer()
        name = self.hub.unregister(self)
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
