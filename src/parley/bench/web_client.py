"""The bench's web client: a WebSocket through Parley's web door, carrying the page's JSON.

Kept apart from `parley.bench.clients` because it needs `picows` (the ``bench`` extra), which
only the web dialect uses: the other dialects run without it.
"""

from __future__ import annotations

import json
import time

import picows

from parley.bench import wire
from parley.bench.clients import BenchClient, Sender, Tally

_MESSAGE = b'{"type":"message",'
_FROM = b'"from":"'
_FROM_DIGITS_AT = len(_FROM) + wire.TAG_LENGTH  # the sender's index, after its tag
_TEXT = picows.WSMsgType.TEXT
_TEXT_END = b'","mention":'
_PLAIN_END = _TEXT_END + b"false}"
_SENT_AT_DIGITS = -(wire.SENT_AT.start or 0)  # the send time ends the text


def read_delivery(payload: bytes) -> tuple[int, int] | None:
    """The sender's index and the send time of a room message from a bench client, as the web
    door writes it (`web_encoding._ROOM_LINE`), by a search and two slices instead of a JSON
    decode (a decode per delivery made the bench's web clients, not the server, the
    bottleneck); None for anything else, which is then decoded."""
    if not payload.startswith(_MESSAGE):
        return None
    at = payload.find(_FROM, len(_MESSAGE))
    if payload.endswith(_PLAIN_END):  # no mention: the send time is at a fixed place
        end = len(payload) - len(_PLAIN_END)
    else:
        end = payload.rfind(_TEXT_END)
    if at < 0 or end < 0:
        return None
    at += _FROM_DIGITS_AT
    try:
        return int(payload[at : at + wire.INDEX_DIGITS]), int(payload[end - _SENT_AT_DIGITS : end])
    except ValueError:
        return None


class WebBenchClient(BenchClient):
    """A bench connection through the web door: a WebSocket carrying the page's JSON messages.

    The WebSocket is `picows`' (RFC 6455 in compiled code: with the pure-Python sans-I/O
    parser a generator process read about 250,000 frames a second, a quarter of what the
    server writes, so the bench measured its own clients). Registered means ``welcome``; an
    ``error`` before it is a refusal. A delivery is a ``message`` frame; the ``ok`` that
    answers each ``say`` is not counted.
    """

    def __init__(self, index: int, name: bytes, tally: Tally, senders: int) -> None:
        super().__init__(index, name, tally, senders)
        self.ws: picows.WSTransport | None = None
        self._payloads: list[bytes] = []  # the texts of this read's frames so far

    async def connect(self, host: str, port: int) -> None:
        origin = f"http://{host}:{port}"
        headers = {"Origin": origin, "Sec-WebSocket-Protocol": "parley.v1"}
        try:
            await picows.ws_connect(
                lambda: _WebListener(self),
                f"ws://{host}:{port}/ws",
                extra_headers=headers,
                max_frame_size=2**20,
            )
        except (picows.WSError, TimeoutError) as exc:
            raise OSError(f"WebSocket handshake failed: {exc}") from exc

    def opened(self, ws: picows.WSTransport) -> None:
        self.ws = ws
        self.transport = ws.underlying_transport  # what the loader closes and aborts

    def message_prefix(self) -> bytes:
        """Nothing: the text goes into a ``say`` object."""
        return b""

    def send_messages(self, lines: bytes) -> None:
        """Each line as one ``say`` frame."""
        ws = self.ws
        if ws is None:
            return
        for text in lines.split(b"\n")[:-1]:
            ws.send(picows.WSMsgType.TEXT, b'{"type":"say","room":"lobby","text":"%s"}' % text)

    def leave(self) -> None:
        """A close frame (the server closes the TCP connection after it)."""
        if self.ws is not None:
            self.ws.send_close(picows.WSCloseCode.OK, b"bench done")

    def frame(self, frame: picows.WSFrame) -> None:
        """One frame: its text is kept until the last frame of the read, and then the read's
        deliveries are tallied in one loop (a call per frame is all picows allows)."""
        if frame.msg_type is _TEXT:
            self._payloads.append(frame.get_payload_as_bytes())
        if frame.last_in_buffer and self._payloads:
            self._read(time.monotonic_ns())

    def _read(self, now: int) -> None:
        payloads, self._payloads = self._payloads, []
        counts = self.counts
        record = self.tally.latencies.append
        acks_for = self.acks_for
        woken: list[Sender] = []
        received = 0
        for payload in payloads:
            found = read_delivery(payload)
            if found is None:
                self._other(payload, now)
                continue
            sender, sent_at = found
            counts[sender] += 1
            record(now - sent_at)
            received += 1
            if acks_for is not None and sender in acks_for:
                woken.append(acks_for[sender])
        if received:
            self._received(now, received, woken)

    def _other(self, payload: bytes, now: int) -> None:
        """A frame that is not a bench delivery: an answer, or a message nobody expected."""
        message = json.loads(payload)
        kind = message.get("type")
        if kind == "message":
            self.tally.unexpected += 1
            self.tally.note(str(message)[:200])
        else:
            self._control(kind, message, now)

    def _control(self, kind: object, message: dict[str, object], now: int) -> None:
        if kind == "hello" and self.ws is not None:
            name = self.name.decode()
            self.ws.send(picows.WSMsgType.TEXT, b'{"type":"signin","name":"%s"}' % name.encode())
        elif kind == "welcome" and not self.answered:
            self._settle(now, None)
        elif kind == "error" and not self.answered:
            self._settle(now, str(message.get("message")))


class _WebListener(picows.WSListener):
    """Hands `picows`' events to the bench client."""

    def __init__(self, client: WebBenchClient) -> None:
        super().__init__()
        self.client = client

    def on_ws_connected(self, transport: picows.WSTransport) -> None:
        self.client.opened(transport)

    def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
        self.client.frame(frame)

    def on_ws_disconnected(self, transport: picows.WSTransport) -> None:
        self.client.ws = None
        self.client.connection_lost(None)
