"""Reconnecting after a dropped connection: how long to wait before each try.

Pure. `Backoff` gives 1, 2, 4, 8, 16, then 30 seconds between tries, each spread by up to a
fifth either way (jitter), so that the clients of a server that restarts do not all come
back in the same instant. The loop that uses it lives in `parley.client.conversation`; who
reconnects and when (a terminal, no ``--no-reconnect``) is decided in `parley.client.app`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
JITTER = 0.2


class Backoff:
    """The delays before the tries of one reconnection (a new `Backoff` for each drop)."""

    def __init__(
        self,
        first: float = FIRST_DELAY,
        cap: float = MAX_DELAY,
        jitter: float = JITTER,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._first, self._cap, self._jitter, self._rand = first, cap, jitter, rand
        self.tries = 0

    def base(self) -> float:
        """The delay before the next try, without jitter."""
        return min(self._cap, self._first * 2.0 ** min(self.tries, 32))

    def next_delay(self) -> float:
        """Seconds to wait before the next try (at most `cap`), and count the try."""
        spread = 1.0 + self._jitter * (2.0 * self._rand() - 1.0)
        delay = min(self._cap, self.base() * spread)
        self.tries += 1
        return delay
