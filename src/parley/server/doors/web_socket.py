"""The web door's WebSocket side: the sans-I/O protocol of `websockets`, driven by the door.

`accept` checks the handshake (Origin, the ``parley.v1`` subprotocol) with
`websockets.server.ServerProtocol`; `WebSocketSide` then turns received bytes into the text
of whole messages (the library reassembles nothing: fragments are joined here, within the
library's size limit) and answers control frames: pings are answered by the library, a close
is echoed, a binary message closes with 1003, a message over `MAX_MESSAGE` with 1009.

Outgoing frames are unmasked and uncompressed (no extension is offered), so the bytes of one
message are the same for every receiver: `frame` makes them once for a whole room.
"""

from __future__ import annotations

import h11
from websockets.datastructures import Headers
from websockets.frames import Close, CloseCode, Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.typing import Origin, Subprotocol

from parley.protocol.web import MAX_MESSAGE, SUBPROTOCOL
from parley.server.doors.web_http import SECURITY_HEADERS, WebLink

CLOSING_GRACE = 2.0  # seconds to wait for the client's close frame after ours


_TEXT_FRAME = 0x81  # FIN and the text opcode: a whole message in one frame


def frame(payload: bytes) -> bytes:
    """The bytes of one server text frame holding `payload` (the same for every receiver):
    RFC 6455's header for an unmasked, unfragmented, uncompressed frame, as websockets'
    `Frame.serialize` writes it (a test holds them equal), without building a `Frame` for
    every message of every room."""
    length = len(payload)
    if length < 126:
        return bytes((_TEXT_FRAME, length)) + payload
    if length < 65536:
        return bytes((_TEXT_FRAME, 126)) + length.to_bytes(2, "big") + payload
    return bytes((_TEXT_FRAME, 127)) + length.to_bytes(8, "big") + payload


def close_frame(code: int, reason: str) -> bytes:
    """The bytes of a close frame (for a goodbye written straight to the socket)."""
    return Frame(Opcode.CLOSE, Close(code, reason[:100]).serialize()).serialize(mask=False)


def accept(request: h11.Request, extra_origins: tuple[str, ...]) -> tuple[ServerProtocol, Response]:
    """The protocol for `request` and the handshake's answer (101, or 403/400/426...).

    The page's own origin is the scheme and the request's ``Host``; only it and
    `extra_origins` may open the socket (a missing ``Origin`` is refused too).
    """
    headers = Headers(
        [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers]
    )
    host = headers.get("Host", "")
    origins = [Origin(f"{scheme}://{host}") for scheme in ("http", "https")]
    origins += [Origin(origin) for origin in extra_origins]
    protocol = ServerProtocol(
        origins=origins,
        subprotocols=[Subprotocol(SUBPROTOCOL)],
        max_size=MAX_MESSAGE,
    )
    path = request.target.decode("ascii", "replace")
    response = protocol.accept(Request(path, headers))
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return protocol, response


class WebSocketSide:
    """An open WebSocket on one connection."""

    __slots__ = ("_link", "_parts", "awaiting_pong", "is_open", "protocol")

    def __init__(self, link: WebLink, protocol: ServerProtocol) -> None:
        self._link = link
        self.protocol = protocol
        self._parts: list[bytes] | None = None  # a fragmented text message so far
        self.awaiting_pong = False
        # The protocol's state, kept as a plain attribute (read once per delivery, where two
        # property calls showed in profiles); every call that can change it refreshes it.
        self.is_open = protocol.state is State.OPEN

    def receive(self, data: bytes) -> list[bytes]:
        """The text of every whole message in `data`; control frames are answered."""
        protocol = self.protocol
        protocol.receive_data(data)
        texts: list[bytes] = []
        for event in protocol.events_received():
            if not isinstance(event, Frame):
                continue
            self.awaiting_pong = False  # anything from the peer shows it is there
            opcode = event.opcode
            if opcode is Opcode.TEXT:
                if event.fin:
                    texts.append(bytes(event.data))
                else:
                    self._parts = [bytes(event.data)]
            elif opcode is Opcode.CONT and self._parts is not None:
                self._parts.append(bytes(event.data))
                if event.fin:
                    texts.append(b"".join(self._parts))
                    self._parts = None
            elif opcode is Opcode.BINARY:
                if protocol.state is State.OPEN:
                    protocol.fail(CloseCode.UNSUPPORTED_DATA, "binary frames are not accepted")
                texts.clear()
                break
        if protocol.writes or protocol.state is not State.OPEN:  # a pong, a close: answer it
            self.write_out()
        return texts if self.is_open else []

    def send(self, data: bytes) -> None:
        """Queue frames made by `frame` (only while the socket is open)."""
        if self.is_open:
            self._link.send(data)

    def ping(self) -> None:
        self.protocol.send_ping(b"parley")
        self.awaiting_pong = True
        self.write_out()

    def close(self, code: int, reason: str) -> None:
        """Start the closing handshake; the connection closes on the reply or after a grace."""
        if self.protocol.state is State.OPEN:
            self.protocol.send_close(code, reason[:100])
        self.write_out()

    def write_out(self) -> None:
        """Send what the protocol wants sent; close the connection once it is done."""
        protocol = self.protocol
        self.is_open = protocol.state is State.OPEN
        end = False
        for chunk in protocol.data_to_send():
            if chunk:
                self._link.send(chunk)
            else:
                end = True  # the library's sign that the TCP stream should end now
        if end or protocol.state is State.CLOSED:
            self._link.close("websocket closed", notify=False)
        elif protocol.state is State.CLOSING:
            self._link.schedule(CLOSING_GRACE, self._closing_overdue)

    def _closing_overdue(self) -> None:
        self._link.close("websocket closed", notify=False)
