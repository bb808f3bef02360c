"""A token bucket: a burst of `burst` actions, then `rate` per second.

Pure: the caller passes the current time, so it is tested without sleeping.
"""

from __future__ import annotations


class TokenBucket:
    """Allows `burst` actions at once and `rate` per second after that."""

    __slots__ = ("_stamp", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: float = 0.0) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._stamp = now

    def full(self) -> bool:
        """Whether no tokens have been taken since the bucket last filled (as last seen)."""
        return self._tokens >= self.burst

    def wait(self, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are there, as of the last `allow`."""
        return max(0.0, (cost - self._tokens) / self.rate) if self.rate > 0 else float("inf")

    def allow(self, now: float, cost: float = 1.0) -> bool:
        """Take `cost` tokens if there are enough at time `now`."""
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= cost:
            self._tokens -= cost
            return True
        return False
