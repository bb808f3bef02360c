"""Who may connect and register: limits per address and in total. Pure bookkeeping.

A connection is counted the moment it is accepted, before a byte is read: a listener takes
a `Ticket` from `accept`, holds it through the first-byte sniff and the TLS handshake (which
are capped on their own: `begin_handshake`), and hands it over to the connection, whose
`admit` then takes the count instead of making a second one. A connection made without a
ticket (the plain port's) is counted by `admit`. Whoever holds the count last gives it back,
exactly once: the ticket if the connection never began, else the connection (`release`).
This module never touches a socket. A limit of 0 means "no limit".
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable

from parley.ratelimit import TokenBucket

MAX_HANDSHAKES = 1000  # TLS handshakes in progress at once, in total
MAX_HANDSHAKES_PER_ADDRESS = 10  # ... and from one IP address


class Admission:
    """Connection, handshake and registration limits.

    Attributes:
        max_connections: open connections in total, handshakes included.
        max_per_address: open connections from one IP address, handshakes included.
        registrations_per_minute: registration attempts from one IP address per minute
            (a burst of that many, refilled evenly over the minute).
        max_handshakes: TLS handshakes in progress at once, in total.
        max_handshakes_per_address: TLS handshakes in progress at once from one address.
    """

    def __init__(
        self,
        max_connections: int,
        max_per_address: int,
        registrations_per_minute: int,
        *,
        max_handshakes: int = MAX_HANDSHAKES,
        max_handshakes_per_address: int = MAX_HANDSHAKES_PER_ADDRESS,
    ) -> None:
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.registrations_per_minute = registrations_per_minute
        self.max_handshakes = max_handshakes
        self.max_handshakes_per_address = max_handshakes_per_address
        self._open: Counter[str] = Counter()
        self._total = 0
        self._handshakes: Counter[str] = Counter()
        self._handshaking = 0
        self._handing: Ticket | None = None  # being handed to its connection right now
        self._registrations: dict[str, TokenBucket] = {}

    def accept(self, host: str) -> Ticket | str:
        """Count a connection from `host` as it is accepted: its ticket, or why it is refused."""
        refusal = self._count(host)
        return refusal if refusal is not None else Ticket(self, host)

    def admit(self, host: str) -> str | None:
        """A connection from `host` begins: return why it is refused, or None.

        A connection that a ticket is being handed to (see `Ticket.hand_over`) takes the
        ticket's count; any other is counted now.
        """
        ticket = self._handing
        if ticket is not None and ticket.host == host:
            self._handing = None
            ticket.taken()
            return None
        return self._count(host)

    def release(self, host: str) -> None:
        """Forget a connection that `admit` (or a ticket) counted."""
        self._total -= 1
        self._open[host] -= 1
        if self._open[host] <= 0:
            del self._open[host]
            bucket = self._registrations.get(host)
            if bucket is not None and bucket.full():
                del self._registrations[host]

    def may_register(self, host: str, now: float) -> bool:
        """Whether `host` may make another registration attempt at time `now`."""
        if not self.registrations_per_minute:
            return True
        bucket = self._registrations.get(host)
        if bucket is None:
            rate = self.registrations_per_minute / 60.0
            bucket = TokenBucket(rate, self.registrations_per_minute, now)
            self._registrations[host] = bucket
        return bucket.allow(now)

    @property
    def total(self) -> int:
        """Connections counted right now, handshakes included."""
        return self._total

    @property
    def handshakes(self) -> int:
        """TLS handshakes in progress right now."""
        return self._handshaking

    def _count(self, host: str) -> str | None:
        if self.max_connections and self._total >= self.max_connections:
            return "server full"
        if self.max_per_address and self._open[host] >= self.max_per_address:
            return "too many connections from your address"
        self._open[host] += 1
        self._total += 1
        return None

    def _begin_handshake(self, host: str) -> str | None:
        if self.max_handshakes and self._handshaking >= self.max_handshakes:
            return "too many TLS handshakes in progress"
        if self.max_handshakes_per_address and (
            self._handshakes[host] >= self.max_handshakes_per_address
        ):
            return "too many TLS handshakes from your address"
        self._handshakes[host] += 1
        self._handshaking += 1
        return None

    def _end_handshake(self, host: str) -> None:
        self._handshaking -= 1
        self._handshakes[host] -= 1
        if self._handshakes[host] <= 0:
            del self._handshakes[host]

    def _start_handing(self, ticket: Ticket) -> None:
        self._handing = ticket

    def _stop_handing(self, ticket: Ticket) -> bool:
        """Whether `ticket` was still waiting to be taken (it is not any more)."""
        if self._handing is ticket:
            self._handing = None
            return True
        return False


class TicketState(enum.Enum):
    """Where a counted connection is: held by its listener, or no longer its business."""

    HELD = "held"  # counted; the listener holds the count (sniffing, handshaking)
    HANDED = "handed"  # the connection holds the count and releases it
    RELEASED = "released"  # given back


class Ticket:
    """One connection counted at accept, before it has said anything.

    Resource handling: the count is given back exactly once. `release` gives it back while
    the listener holds it and does nothing afterwards; after `hand_over` the connection
    holds it (and gives it back through `Admission.release`).
    """

    __slots__ = ("_admission", "_handshaking", "host", "state")

    def __init__(self, admission: Admission, host: str) -> None:
        self._admission = admission
        self._handshaking = False
        self.host = host
        self.state = TicketState.HELD

    @property
    def handshaking(self) -> bool:
        """Whether this connection counts as a TLS handshake in progress."""
        return self._handshaking

    def begin_handshake(self) -> str | None:
        """Count a TLS handshake for this connection: why it is refused, or None."""
        if self.state is not TicketState.HELD or self._handshaking:
            return None
        refusal = self._admission._begin_handshake(self.host)
        self._handshaking = refusal is None
        return refusal

    def hand_over(self, connection_made: Callable[[], object]) -> None:
        """Run `connection_made`; the connection's `Admission.admit` takes this count.

        If the connection does not take it (it saw another host, or failed before asking),
        the count is given back here and the connection's own count, if any, stands alone.
        A ticket already given back hands nothing over: the connection counts itself.
        """
        self._end_handshake()
        if self.state is not TicketState.HELD:
            connection_made()
            return
        admission = self._admission
        admission._start_handing(self)
        try:
            connection_made()
        finally:
            if admission._stop_handing(self):
                self.release()

    def taken(self) -> None:
        """Called by `Admission.admit`: the connection holds the count now."""
        self.state = TicketState.HANDED

    def release(self) -> None:
        """Give the count back unless the connection holds it; safe to call again."""
        self._end_handshake()
        if self.state is TicketState.HELD:
            self.state = TicketState.RELEASED
            self._admission.release(self.host)

    def _end_handshake(self) -> None:
        if self._handshaking:
            self._handshaking = False
            self._admission._end_handshake(self.host)
