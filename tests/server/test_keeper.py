"""The keeper's order: each sender hears about its messages (kept, or not kept because its
quota is used up) in the order it sent them, whatever the batches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from parley.chat.store import StoredMessage
from parley.server.keeper import Keeper
from parley.store import MemoryStore


class Sender:
    """Records what the keeper tells it."""

    def __init__(self) -> None:
        self.told: list[str | None] = []
        self.waiting = 0

    def keeping(self, count: int) -> None:
        self.waiting += count

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        self.waiting -= len(messages) + lost
        self.told += [message.text for message in messages] + [None] * lost


def _message(store: MemoryStore, text: str) -> StoredMessage:
    return StoredMessage(store.reserve_ids(1), time.time(), "ann", text, room="lobby")


def test_skipped_messages_are_told_in_their_place() -> None:
    async def body() -> None:
        store = MemoryStore()
        await store.open()
        keeper = Keeper(store)
        ann, bob = Sender(), Sender()
        keeper.keep(ann, [_message(store, "one")], skipped=1)
        keeper.keep(ann, [_message(store, "three"), _message(store, "four")])
        keeper.keep(bob, [_message(store, "bob's")])
        keeper.flush()
        keeper.keep(bob, [], skipped=1)  # a batch of skips alone: told after the batch before
        keeper.keep(ann, [], skipped=2)
        await keeper.drain()
        assert ann.told == ["one", None, "three", "four", None, None]
        assert bob.told == ["bob's", None]
        assert ann.waiting == bob.waiting == 0  # back-pressure counts balance
        history = [m.text for m in await store.room_history("lobby")]
        assert history == ["one", "three", "four", "bob's"]

    asyncio.run(body())
