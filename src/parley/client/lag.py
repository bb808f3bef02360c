"""The lag to the server, as the full-screen mode's status line shows it (``lag 3 ms``).

Every `INTERVAL` seconds (and once after signing in) the full-screen client sends
``PING <token> CHAT/1.0``; the server answers ``290 Pong <token>`` once it has handled
everything sent before, and the time between the two is the lag. Pure: the clock is given.
The line mode never sends a ``PING``, so it never measures anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable

INTERVAL = 30.0
"""Seconds between two measurements."""
PREFIX = "lag-"
"""What the tokens of our pings start with (any other ``290`` is not ours)."""
KEEP = 4
"""Pings awaiting their pong that are remembered (an older one is forgotten)."""


class LagMeter:
    """The pings sent and not yet answered, and the last round trip measured."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sent: dict[str, float] = {}
        self._count = 0
        self.lag: float | None = None
        """Seconds the last answered ping took; None before any answer."""

    def ping(self) -> str:
        """A new token to send in ``PING <token>``, its time remembered."""
        self._count += 1
        token = f"{PREFIX}{self._count}"
        self._sent[token] = self._clock()
        while len(self._sent) > KEEP:
            del self._sent[next(iter(self._sent))]
        return token

    def pong(self, text: str) -> bool:
        """``Pong <token>`` (a ``290``'s text): whether it answers one of our pings (then
        the lag is measured, and the pings sent before it are forgotten)."""
        token = text.removeprefix("Pong").strip()
        sent = self._sent.get(token)
        if sent is None:
            return False
        self.lag = max(0.0, self._clock() - sent)
        for earlier in list(self._sent):
            del self._sent[earlier]
            if earlier == token:
                break
        return True

    @property
    def text(self) -> str:
        """``lag 3 ms`` (``lag 1.2 s`` from a second on); empty before any answer."""
        if self.lag is None:
            return ""
        if self.lag >= 1.0:
            return f"lag {self.lag:.1f} s"
        return f"lag {round(self.lag * 1000)} ms"
