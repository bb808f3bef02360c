"""Keeps relayed messages in the store, in batches gathered over a few milliseconds.

A message is relayed first and kept right after: what was relayed within `delay` seconds of
the first message of a batch goes to the store as one batch, one write job and one future,
so the message path pays a list append per message rather than a future and a thread hop.
When the batch is committed each sender's connection hears about its own messages
(acknowledgements, back-pressure).

Error handling: a failed batch is logged; its senders are told nothing was kept (no ack),
and the server carries on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from parley.chat.store import Store, StoredMessage

log = logging.getLogger("parley.server")


class Sender(Protocol):
    """The connection kept messages came from."""

    def keeping(self, count: int) -> None:
        """`count` of its messages are on their way to the store (for back-pressure)."""

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        """`messages` of its own are committed, then `lost` more were not kept."""


class Keeper:
    """Collects messages to keep and writes them in batches."""

    def __init__(self, store: Store, delay: float = 0.0) -> None:
        """Collected messages are written `delay` seconds after the first of a batch.

        A short delay makes fewer, larger batches: each batch wakes the store's writer
        thread, which then competes with the event loop for the GIL, and those hand-overs
        are what shows up as latency spikes under load.
        """
        self._store = store
        self._delay = delay
        self._timer: asyncio.TimerHandle | None = None
        self._messages: list[StoredMessage] = []
        self._runs: list[tuple[Sender, int, int]] = []  # (sender, kept, not kept after them)
        self._pending: list[asyncio.Future[None]] = []  # in commit order

    def keep(self, sender: Sender, messages: Sequence[StoredMessage], *, skipped: int = 0) -> None:
        """Queue one sender's `messages` for the next batch (the chat core's keeper port).

        `skipped` more of its messages, sent after these, are not to be kept (its quota is
        used up): it hears `lost` for them in their place, after what it sent before is
        committed. One call per read of a client, not per message: the sender's counts move
        once per call.
        """
        sender.keeping(len(messages) + skipped)
        if not self._runs:
            self._schedule()
        self._messages += messages
        self._runs.append((sender, len(messages), skipped))

    def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        if self._delay > 0:
            self._timer = loop.call_later(self._delay, self.flush)
        else:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Send the collected messages to the store as one batch."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._runs:
            return
        messages, runs = self._messages, self._runs
        self._messages, self._runs = [], []
        if messages:
            future = self._store.append_batch(messages)
        else:  # only skipped ones: told once the batches before them are committed
            future = asyncio.get_running_loop().create_future()
            after = self._pending[-1] if self._pending else None
            if after is None:
                future.set_result(None)
            else:
                after.add_done_callback(lambda _: _resolve(future))
        self._pending.append(future)
        future.add_done_callback(lambda done: self._committed(done, messages, runs))

    def _committed(
        self,
        future: asyncio.Future[None],
        messages: list[StoredMessage],
        runs: list[tuple[Sender, int, int]],
    ) -> None:
        self._pending.remove(future)
        failed = future.cancelled() or future.exception() is not None
        if failed and not future.cancelled():
            log.error("could not keep %d messages: %s", len(messages), future.exception())
        if len(runs) == 1:  # the usual batch: one client's read
            sender, count, skipped = runs[0]
            if failed:
                sender.kept((), count + skipped)
            else:
                sender.kept(messages, skipped)
            return
        start = 0
        for sender, count, skipped in runs:
            if failed:
                sender.kept((), count + skipped)
            else:
                sender.kept(messages[start : start + count], skipped)
            start += count

    async def drain(self) -> None:
        """Write what is collected and wait until every batch is committed."""
        self.flush()
        if self._pending:
            await asyncio.wait(list(self._pending))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
