"""A per-user bound on the history kept: `--history-user-mb` megabytes of a user's messages
a day (security review, finding 7: 50 connections sending direct messages grew the database
by 3.9 MB/s).

It sits in front of the server's keeper, as the chat core's keeper port: every relayed
message passes through `keep` on its way to the store. A message past its sender's quota is
still relayed (that has happened already: the core delivers first and keeps after) but not
kept, and the sender is told once a day, in its door's dialect, through the door's `notify`
(the path every limit uses: CHAT/1.0 ``429 …``, IRC ``NOTICE``, the plain door ``! …``).
Offline messages do not come through here: they must be kept to be delivered, and
`--offline-limit` bounds them.

Sizes are counted as history retention counts them (`--history-max-mb`): text and sender
name, in characters. With `--history-days D`, a user's history holds at most D times the
quota. The counts live in memory only; a restart starts every user's day afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from parley.chat.model import Endpoint
from parley.chat.names import name_key
from parley.chat.store import StoredMessage
from parley.server.keeper import Keeper

DAY = 86400.0


@dataclass(slots=True)
class _Usage:
    started: float  # when this user's day began: their first kept message of it
    size: int  # characters kept since
    told: bool = False  # told that the quota is used up, this day


class HistoryQuota:
    """The keeper port with a daily allowance of kept characters per sender."""

    def __init__(
        self,
        keeper: Keeper,
        megabytes: float,
        *,
        window: float = DAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keeper = keeper
        self.limit = int(megabytes * 1_000_000)
        self._window = window
        self._clock = clock
        self._usage: dict[str, _Usage] = {}

    def keep(self, origin: Endpoint, messages: Sequence[StoredMessage]) -> None:
        """Keep what of one sender's `messages` fits in its day's allowance; tell it, once,
        when the rest does not (counted once per call: the core keeps a read's lines at once).
        """
        if not messages:
            return
        sender = messages[0].sender
        key = name_key(sender)
        now = self._clock()
        usage = self._usage.get(key)
        if usage is None or now - usage.started >= self._window:
            usage = self._usage[key] = _Usage(now, 0)
        size = len(sender) * len(messages) + sum([len(message.text) for message in messages])
        if usage.size + size <= self.limit:
            usage.size += size
            self._keeper.keep(origin, messages)
            return
        fits = 0  # the first messages that fit are kept; from the first that does not, none
        for message in messages:
            size = len(sender) + len(message.text)
            if usage.size + size > self.limit:
                break
            usage.size += size
            fits += 1
        # the sender hears in order that the rest were not kept
        self._keeper.keep(origin, messages[:fits], skipped=len(messages) - fits)
        if not usage.told:
            usage.told = True
            until = time.strftime("%H:%M UTC", time.gmtime(usage.started + self._window))
            _notify(
                origin,
                f"Your history is full for today ({self.limit / 1_000_000:g} MB a day): "
                f"your messages are still delivered but not kept until {until}.",
            )

    async def drain(self) -> None:
        """Everything kept so far is committed."""
        await self._keeper.drain()

    def forget_idle(self) -> int:
        """Drop the counts of users whose day is over (the retention pass calls this)."""
        now = self._clock()
        idle = [key for key, usage in self._usage.items() if now - usage.started >= self._window]
        for key in idle:
            del self._usage[key]
        return len(idle)


def _notify(origin: Endpoint, text: str) -> None:
    """Tell the connection a message came from, in its door's dialect.

    The core's `Endpoint` has no way to speak to the client; the server's connections
    expose their door, whose `notify` is how every limit is told (the console has none).
    """
    door = getattr(origin, "door", None)
    if door is not None:
        door.notify(text)
