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
        self._senders: list[Sender] = []
        self._pending: set[asyncio.Future[list[StoredMessage]]] = set()

    def keep(self, sender: Sender, message: NewMessage) -> None:
        """Queue `message` for the next batch (the chat core's keeper port)."""
        sender.keeping()
        if not self._messages:
            loop = asyncio.get_running_loop()
            if self._delay > 0:
                self._timer = loop.call_later(self._delay, self.flush)
            else:
                loop.call_soon(self.flush)
        self._messages.append(message)
        self._senders.append(sender)

    def flush(self) -> None:
        """Send the collected messages to the store as one batch."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._messages:
            return
        messages, senders = self._messages, self._senders
        self._messages, self._senders = [], []
        future = self._store.append_batch(messages)
        self._pending.add(future)
        future.add_done_callback(lambda done: self._committed(done, senders))

    def _committed(
        self, future: asyncio.Future[list[StoredMessage]], senders: list[Sender]
    ) -> None:
        self._pending.discard(future)
        if future.cancelled() or future.exception() is not None:
            if not future.cancelled():
                log.error("could not keep %d messages: %s", len(senders), future.exception())
            for sender in senders:
                sender.kept(None)
            return
        for sender, message in zip(senders, future.result(), strict=True):
            sender.kept(message)

    async def drain(self) -> None:
        """Write what is collected and wait until every batch is committed."""
        self.flush()
        if self._pending:
            await asyncio.wait(list(self._pending))
