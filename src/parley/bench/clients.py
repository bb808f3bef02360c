"""The client side of one bench connection, and of one sender.

`BenchClient` is an `asyncio.Protocol`: it sends ``REGISTER`` as soon as it is connected,
then counts every relayed message per sender and records its latency; it does as little as
possible per line, because the generator must stay cheaper than the server it measures.
`Sender` is the sending half of a client that talks; see `parley.bench.loadgen` for the flow
control it implements. All clients of one process share one `Tally`. `IrcBenchClient` is the
same client speaking IRC, `parley.bench.web_client.WebBenchClient` through the web door
(`parley.bench.dialects.client_class` picks one by dialect).
"""

from __future__ import annotations

import asyncio
import time
from array import array
from dataclasses import dataclass, field

from parley.bench import wire
from parley.bench.phases import SliceSpec

MAX_SAMPLES = 5


@dataclass(slots=True)
class Tally:
    """Counters the clients of one process share, and the waiter of the phase in progress."""

    registered: int = 0
    refused: int = 0
    received: int = 0
    expected: int = 0
    unexpected: int = 0
    disconnected: int = 0
    left: int = 0
    last_lost_ns: int = 0
    last_reply_ns: int = 0
    last_receive_ns: int = 0
    latencies: array[int] = field(default_factory=lambda: array("q"))
    samples: list[str] = field(default_factory=list)
    waiter: asyncio.Future[None] | None = None

    def note(self, text: str) -> None:
        """Keep `text` as a sample of what went wrong, if there are not enough yet."""
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(text)

    def wake(self) -> None:
        """Let the phase in progress look at the counters again."""
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class BenchClient(asyncio.Protocol):
    """One bench connection: registers, then counts and times every delivery it receives."""

    line_end = b"\n"

    def __init__(self, index: int, name: bytes, tally: Tally, senders: int) -> None:
        self.index = index
        self.name = name
        self.tally = tally
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.registered = False
        self.answered = False
        self.closing = False
        self.counts = [0] * senders
        self.acks_for: dict[int, Sender] | None = None
        self.answer: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(wire.register_line(self.name))

    async def connect(self, host: str, port: int) -> None:
        """Open the connection (registering starts once it is made)."""
        await asyncio.get_running_loop().create_connection(lambda: self, host, port)

    def leave(self) -> None:
        """Say goodbye; the server closes the connection after it."""
        if self.transport is not None:
            self.transport.write(self.goodbye())

    def message_prefix(self) -> bytes:
        """What every message this client sends starts with."""
        return wire.message_prefix(self.name)

    def goodbye(self) -> bytes:
        """What the client says to leave; the server closes the connection after it."""
        return wire.disconnect_line(self.name)

    def send_messages(self, lines: bytes) -> None:
        """Send encoded messages (`wire.encode_messages`) in one write."""
        if self.transport is not None:
            self.transport.write(lines)

    def _received(self, now: int, count: int, woken: list[Sender]) -> None:
        """`count` deliveries came in one read: tally them, let their senders send more."""
        tally = self.tally
        tally.last_receive_ns = now
        tally.received += count
        for pending in set(woken):
            pending.pump()
        if tally.received >= tally.expected:
            tally.wake()

    def _settle(self, now: int, refusal: str | None) -> None:
        """The answer to registering came: `refusal` None means registered."""
        self.answered = True
        self.registered = refusal is None
        tally = self.tally
        if refusal is None:
            tally.registered += 1
        else:
            tally.refused += 1
            tally.note(f"{self.name.decode()}: {refusal}")
        tally.last_reply_ns = now
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.closing:
            self.tally.left += self.registered
            self.tally.last_lost_ns = time.monotonic_ns()
            self.tally.wake()
        else:
            self.tally.disconnected += 1
            self.tally.note(f"{self.name.decode()}: connection lost ({exc or 'closed by server'})")
            self.tally.wake()
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        if self.buffer:
            data = self.buffer + data
        lines = data.split(b"\n")
        self.buffer = lines.pop()
        if not self.answered:
            lines = self._answer(lines, now)
        tally = self.tally
        tally.last_receive_ns = now
        counts = self.counts
        record = tally.latencies.append
        acks_for = self.acks_for
        woken: list[Sender] = []
        bad = 0
        for line in lines:
            try:
                sender = int(line[wire.SENDER])
                counts[sender] += 1
                record(now - int(line[wire.SENT_AT]))
            except (ValueError, IndexError):
                bad += 1
                tally.note(line.decode(errors="replace")[:200])
                continue
            if acks_for is not None and sender in acks_for:
                woken.append(acks_for[sender])
        if bad:
            tally.unexpected += bad
        tally.received += len(lines) - bad
        for pending in set(woken):
            pending.pump()
        if tally.received >= tally.expected:
            tally.wake()

    def _answer(self, lines: list[bytes], now: int) -> list[bytes]:
        """Take the server's answer to REGISTER off the front of `lines`."""
        if not lines:
            return lines
        reply = lines[0].rstrip(b"\r")
        self.answered = True
        self.registered = reply.startswith(b"200 ")
        tally = self.tally
        if self.registered:
            tally.registered += 1
        else:
            tally.refused += 1
            tally.note(f"{self.name.decode()}: {reply.decode(errors='replace')}")
        tally.last_reply_ns = now
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(None)
        return lines[1:]


REFUSALS = frozenset(
    b"%d" % n for n in (403, 405, 432, 433, 436, 437, 461, 462, 465, 471, 473, 474, 475, 477)
)
"""Numerics that refuse a bench client's NICK, USER or JOIN (a missing MOTD, 422, does not)."""


class IrcBenchClient(BenchClient):
    """A bench connection over IRC: NICK, USER and JOIN of one channel, then PRIVMSGs.

    Registered means the end of the channel's NAMES (366) has come; an error numeric or
    ``ERROR`` before it is a refusal. Of what follows only ``PRIVMSG`` lines are deliveries;
    the rest (joins, numerics, quits) is not counted, and a ``PING`` is answered.
    """

    line_end = b"\r\n"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(wire.irc_register_lines(self.name))

    def message_prefix(self) -> bytes:
        """``PRIVMSG #bench :``."""
        return wire.irc_message_prefix()

    def goodbye(self) -> bytes:
        """``QUIT``."""
        return wire.IRC_QUIT

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        if self.buffer:
            data = self.buffer + data
        lines = data.split(b"\r\n")
        self.buffer = lines.pop()
        tally = self.tally
        counts = self.counts
        record = tally.latencies.append
        acks_for = self.acks_for
        woken: list[Sender] = []
        received = 0
        for line in lines:
            if b" PRIVMSG " not in line:
                self._control(line, now)
                continue
            try:
                sender = int(line[wire.SENDER])
                counts[sender] += 1
                record(now - int(line[wire.SENT_AT]))
            except (ValueError, IndexError):
                tally.unexpected += 1
                tally.note(line.decode(errors="replace")[:200])
                continue
            received += 1
            if acks_for is not None and sender in acks_for:
                woken.append(acks_for[sender])
        if received:
            self._received(now, received, woken)

    def _control(self, line: bytes, now: int) -> None:
        """A line that is not a delivery: PING, and the answer to registering."""
        if line.startswith(b"PING"):
            if self.transport is not None:
                self.transport.write(b"PONG" + line[4:] + b"\r\n")
            return
        if self.answered:
            return
        words = line.split(b" ", 3)
        numeric = words[1] if len(words) > 1 and line.startswith(b":") else b""
        if numeric == b"366":
            self._settle(now, None)
        elif line.startswith(b"ERROR") or numeric in REFUSALS:
            self._settle(now, line.decode(errors="replace"))


class Sender:
    """The sending side of one client: a window on its ack receiver, and an optional rate."""

    def __init__(self, client: BenchClient, spec: SliceSpec, acker: BenchClient) -> None:
        self.client = client
        self.index = client.index
        self.acker = acker
        self.messages = spec.messages
        self.window = spec.window
        self.per_ns = spec.rate / 1e9 if spec.rate else None
        self.prefix = client.message_prefix()
        self.end = client.line_end
        self.padding = b"x" * spec.padding
        self.sent = 0
        self.started_ns = 0
        self.first_send_ns = 0

    def start(self, now: int) -> None:
        """Begin the send phase: the rate's schedule starts at `now`."""
        self.started_ns = now
        self.pump()

    def pump(self) -> None:
        """Send every message the window and the schedule allow right now, in one write."""
        stop = self.messages
        if self.window is not None:
            stop = min(stop, self.acker.counts[self.index] + self.window)
        now = time.monotonic_ns()
        if self.per_ns is not None:
            stop = min(stop, 1 + int((now - self.started_ns) * self.per_ns))
        if stop <= self.sent or self.client.transport is None or not self.started_ns:
            return
        if not self.first_send_ns:
            self.first_send_ns = now
        self.client.send_messages(
            wire.encode_messages(self.prefix, self.sent, stop, self.padding, now, end=self.end)
        )
        self.sent = stop

    @property
    def finished(self) -> bool:
        """Whether every message has been sent."""
        return self.sent >= self.messages
