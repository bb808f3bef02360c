"""The keeper's order: each sender hears about its messages (kept, or not kept because its
quota is used up) in the order it sent them, whatever the batches."""

from __future__ import annotations

import asyncio
import time

from parley.chat.store import NewMessage, StoredMessage
from parley.server.keeper import Keeper
from parley.store import MemoryStore


class Sender:
    """Records what the keeper tells it."""

    def __init__(self) -> None:
        self.told: list[str | None] = []
        self.waiting = 0

    def keeping(self) -> None:
        self.waiting += 1

    def kept(self, message: StoredMessage | None) -> None:
        self.waiting -= 1
        self.told.append(None if message is None else message.text)


def _message(store: MemoryStore, text: str) -> NewMessage:
    return NewMessage(store.reserve_ids(1), time.time(), "ann", text, room="lobby")


def test_skipped_messages_are_told_in_their_place() -> None:
    async def body() -> None:
        store = MemoryStore()
        await store.open()
        keeper = Keeper(store)
        ann, bob = Sender(), Sender()
        keeper.keep(ann, _message(store, "one"))
        keeper.skip(ann)
        keeper.keep(ann, _message(store, "three"))
        keeper.flush()
        keeper.skip(bob)  # a batch of skips alone: told after the batch before it
        keeper.skip(ann)
        await keeper.drain()
        assert ann.told == ["one", None, "three", None]
        assert bob.told == [None]
        assert ann.waiting == bob.waiting == 0  # back-pressure counts balance
        assert [m.text for m in await store.room_history("lobby")] == ["one", "three"]

    asyncio.run(body())
