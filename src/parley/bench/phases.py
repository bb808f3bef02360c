"""What the coordinator and its generator processes say to each other (through a pipe).

The coordinator sends one `SliceSpec` when it starts a generator process, then `Command`s, one
phase at a time; the process answers each with a `PhaseReport` or, for the send phase, a
`SendReport`. All of them are frozen dataclasses, pickled by `multiprocessing`. Times are
`time.monotonic_ns` values: CLOCK_MONOTONIC is one clock for every process of a Linux
machine, so times from different generator processes can be compared and subtracted.
"""

from __future__ import annotations

from parley.records import record

JOIN = "join"
SEND = "send"
LEAVE = "leave"
CLOSE = "close"


@record
class SliceSpec:
    """What one generator process is asked to do.

    Attributes:
        host: server address.
        port: server port.
        tag: the run's name tag (see `parley.bench.wire`).
        indices: global indices of the connections this process owns.
        members: connections in the whole run, over every process.
        senders: connections ``0 .. senders - 1`` (globally) send.
        messages: messages each sender sends.
        window: most unacknowledged messages per sender, or None for no limit.
        rate: messages per second per sender, or None to send as fast as the window allows.
        padding: extra bytes in every message.
        connect_concurrency: most connection attempts in progress at once.
        dialect: the wire dialect of the clients.
    """

    host: str
    port: int
    tag: str
    indices: range
    members: int
    senders: int
    messages: int
    window: int | None
    rate: float | None
    padding: int = 0
    connect_concurrency: int = 256
    dialect: str = "chat1"  # what the clients speak: "chat1" or "irc" (`parley.bench.wire`)


@record
class Command:
    """A phase to run (`JOIN`, `SEND`, `LEAVE`, or `CLOSE`: leave, then exit), with its
    deadline and, for the send phase, its stall limit."""

    verb: str
    timeout: float
    stall: float = 0.0


@record
class PhaseReport:
    """How a join or close phase went in one process.

    `started_ns` and `finished_ns` are `time.monotonic_ns` values, comparable between
    processes; `done` counts successes (registrations, closes) and `failed` the rest, with
    a few `samples` of why; `opened` counts connections open at the end of the phase.
    """

    verb: str
    done: int
    failed: int
    started_ns: int
    finished_ns: int
    timed_out: bool
    samples: tuple[str, ...] = ()
    opened: int = 0


@record
class SendReport:
    """How the send phase went in one process.

    Attributes:
        expected: deliveries this process's receivers should have had.
        received: deliveries they had (bench messages only).
        lost: expected deliveries that never came, summed per (receiver, sender).
        duplicates: deliveries beyond the expected count, summed the same way.
        unexpected: lines that were not bench messages (with a few `samples`).
        disconnected: connections the server closed during the phase.
        sent: messages this process's senders sent.
        first_send_ns: when the first message left (0 if none did).
        last_receive_ns: when the last delivery arrived (0 if none did).
        latency_us: histogram of delivery latency, microseconds to count.
        max_latency_ns: the largest latency exactly.
        timed_out: the phase ended at its deadline or stall limit rather than complete.
    """

    expected: int
    received: int
    lost: int
    duplicates: int
    unexpected: int
    disconnected: int
    sent: int
    first_send_ns: int
    last_receive_ns: int
    latency_us: dict[int, int]
    max_latency_ns: int
    timed_out: bool
    samples: tuple[str, ...] = ()
