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
from collections.abc import Iterator
from typing import Protocol

from parley.chat.store import NewMessage, Store, StoredMessage

log = logging.getLogger("parley.server")


class Sender(Protocol):
    """The connection a kept message came from."""

    def keeping(self) -> None:
        """One of its messages is on its way to the store (for back-pressure)."""

    def kept(self, message: StoredMessage | None) -> None:
        """One of its messages is committed (None: it could not be kept)."""


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
        self._messages: list[NewMessage] = []
        self._senders: list[Sender | None] = []  # None: a skipped message's place
        self._skipped: list[Sender] = []
        self._pending: list[asyncio.Future[list[StoredMessage]]] = []  # in commit order

    def keep(self, sender: Sender, message: NewMessage) -> None:
        """Queue `message` for the next batch (the chat core's keeper port)."""
        sender.keeping()
        if not self._senders:
            self._schedule()
        self._messages.append(message)
        self._senders.append(sender)

    def skip(self, sender: Sender) -> None:
        """A message of `sender` that will not be kept (its quota is used up): the sender
        hears `kept(None)` for it in its place, after what it sent before is committed."""
        sender.keeping()
        if not self._senders:
            self._schedule()
        self._senders.append(None)
        self._skipped.append(sender)

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
        if not self._senders:
            return
        messages, senders, skipped = self._messages, self._senders, iter(self._skipped)
        self._messages, self._senders, self._skipped = [], [], []
        if messages:
            future = self._store.append_batch(messages)
        else:  # only skipped ones: told once the batches before them are committed
            future = asyncio.get_running_loop().create_future()
            after = self._pending[-1] if self._pending else None
            if after is None:
                future.set_result([])
            else:
                after.add_done_callback(lambda _: _resolve(future))
        self._pending.append(future)
        future.add_done_callback(lambda done: self._committed(done, senders, skipped))

    def _committed(
        self,
        future: asyncio.Future[list[StoredMessage]],
        senders: list[Sender | None],
        skipped: Iterator[Sender],
    ) -> None:
        self._pending.remove(future)
        failed = future.cancelled() or future.exception() is not None
        if failed and not future.cancelled():
            log.error("could not keep %d messages: %s", len(senders), future.exception())
        kept = iter(() if failed else future.result())
        for sender in senders:
            if sender is None:
                next(skipped).kept(None)
            else:
                sender.kept(None if failed else next(kept))

    async def drain(self) -> None:
        """Write what is collected and wait until every batch is committed."""
        self.flush()
        if self._pending:
            await asyncio.wait(list(self._pending))


def _resolve(future: asyncio.Future[list[StoredMessage]]) -> None:
    if not future.done():
        future.set_result([])
