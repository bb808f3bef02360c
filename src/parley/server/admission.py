"""Who may connect and register: limits per address and in total. Pure bookkeeping.

The connection layer asks `admit` when a connection arrives, `release` when it goes, and
`may_register` before a registration; this module never touches a socket. A limit of 0
means "no limit".
"""

from __future__ import annotations

from collections import Counter

from parley.ratelimit import TokenBucket


class Admission:
    """Connection and registration limits.

    Attributes:
        max_connections: open connections in total.
        max_per_address: open connections from one IP address.
        registrations_per_minute: registration attempts from one IP address per minute
            (a burst of that many, refilled evenly over the minute).
    """

    def __init__(
        self, max_connections: int, max_per_address: int, registrations_per_minute: int
    ) -> None:
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.registrations_per_minute = registrations_per_minute
        self._open: Counter[str] = Counter()
        self._total = 0
        self._registrations: dict[str, TokenBucket] = {}

    def admit(self, host: str) -> str | None:
        """Count a new connection from `host`; return why it is refused, or None."""
        if self.max_connections and self._total >= self.max_connections:
            return "server full"
        if self.max_per_address and self._open[host] >= self.max_per_address:
            return "too many connections from your address"
        self._open[host] += 1
        self._total += 1
        return None

    def release(self, host: str) -> None:
        """Forget a connection that `admit` counted."""
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
        """Connections counted right now."""
        return self._total
