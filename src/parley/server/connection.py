"""One CHAT/1.0 connection: bytes in through the framer and codec, deliveries out.

Resource handling: outbound bytes are queued per connection and written once per loop
iteration (many deliveries, one write). Past the soft limit of queued bytes the server stops
reading from this client; past the hard limit the client is disconnected with a reason.
Nothing a client sends can raise out of `data_received`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import TYPE_CHECKING

from parley.hub import Delivery, Registration
from parley.protocol import chat1
from parley.protocol.chat1 import (
    ChatMessage,
    ClientEvent,
    Disconnect,
    Malformed,
    Register,
    Reply,
)
from parley.protocol.framing import LineFramer

if TYPE_CHECKING:
    from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

DIALECT = "chat1"

_REGISTRATION_REPLY = {
    Registration.OK: Reply.REGISTERED,
    Registration.INVALID: Reply.INVALID_REGISTRATION,
    Registration.TAKEN: Reply.ALREADY_REGISTERED,
    Registration.ALREADY: Reply.ALREADY_REGISTERED,
}


class Chat1Connection(asyncio.Protocol):
    """The server side of one CHAT/1.0 client."""

    def __init__(self, server: ChatServer) -> None:
        self._server = server
        self._hub = server.hub
        self._framer = LineFramer(server.config.max_line)
        self._transport: asyncio.Transport | None = None
        self._outbox: list[bytes] = []
        self._closing = False
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
        config = self._server.config
        transport.set_write_buffer_limits(high=config.write_soft_limit)
        self._server.track(self)
        log.debug("connection from %s", self.address)

    def data_received(self, data: bytes) -> None:
        try:
            for line in self._framer.feed(data):
                if self._closing:
                    return
                self._handle(chat1.parse_client_line(line))
        except Exception:  # a bug must cost one connection, never the server
            log.exception("internal error on connection %s", self.address)
            self.close("internal error", notify=True)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        name = self._hub.unregister(self)
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

    # Outbound ------------------------------------------------------------------------------

    def deliver(self, event: Delivery) -> None:
        """Queue a hub delivery, encoded once per dialect for all its recipients."""
        data = event.wire.get(DIALECT)
        if data is None:
            data = event.wire[DIALECT] = chat1.encode_message(event.sender, event.text)
        self.send(data)

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
        if self._transport.get_write_buffer_size() > self._server.config.write_hard_limit:
            self.close("send queue exceeded", notify=True)

    def close(self, reason: str, *, notify: bool) -> None:
        """Close this connection, first sending ``DISCONNECT CHAT/1.0`` if `notify`."""
        if self._closing or self._transport is None:
            return
        name = self._hub.unregister(self)
        if notify:
            self._outbox.append(chat1.SERVER_DISCONNECT)
        pending = b"".join(self._outbox)
        self._outbox.clear()
        self._closing = True
        transport = self._transport
        if pending:
            transport.write(pending)
        transport.close()
        if transport.get_write_buffer_size():
            asyncio.get_running_loop().call_later(
                self._server.config.shutdown_grace, transport.abort
            )
        if name is not None:
            log.info("%s disconnected by server: %s", name, reason)

    # Inbound -------------------------------------------------------------------------------

    def _reply(self, reply: Reply, detail: str = "") -> None:
        self.send(chat1.encode_reply(reply, detail))

    def _handle(self, event: ClientEvent) -> None:
        registered = self._hub.name_of(self) is not None
        if isinstance(event, ChatMessage):
            if not registered:
                self._reply(Reply.INVALID_REGISTRATION)
            elif not self._hub.is_sender(self, event.name):
                self._reply(Reply.SENDER_MISMATCH)
            else:
                self._hub.say(self, event.text)
        elif isinstance(event, Register):
            result = self._hub.register(self, event.name)
            self._reply(_REGISTRATION_REPLY[result])
            if result is Registration.OK:
                log.info("%s registered from %s", event.name, self.address)
        elif isinstance(event, Disconnect):
            self._handle_disconnect(event, registered)
        elif isinstance(event, Malformed):
            if not registered and event.reply is Reply.UNKNOWN_COMMAND:
                self._reply(Reply.INVALID_REGISTRATION)
            else:
                self._reply(event.reply, event.detail)

    def _handle_disconnect(self, event: Disconnect, registered: bool) -> None:
        if registered and event.name is not None and not self._hub.is_sender(self, event.name):
            self._reply(Reply.SENDER_MISMATCH)
            return
        name = self._hub.unregister(self)
        if name is not None:
            log.info("%s disconnected", name)
        self.flush()
        self._closing = True
        if self._transport is not None:
            self._transport.close()
