"""What only the memory store does: keep history under fixed bounds, whatever clients send."""

from __future__ import annotations

import random

from parley.store import MemoryStore
from tests.store.conftest import run


def test_each_conversation_keeps_its_newest_messages() -> None:
    async def body() -> None:
        store = MemoryStore(history_per_conversation=10)
        await store.open()
        sent = [await store.append("alice", f"m{i}", room="lobby") for i in range(100)]
        history = await store.room_history("lobby", limit=1000)
        assert 10 <= len(history) <= 15
        assert history == sent[-len(history) :]
        assert store.kept_messages == len(history)

    run(body())


def test_a_new_conversation_past_the_limit_drops_the_least_recently_written() -> None:
    async def body() -> None:
        store = MemoryStore(max_conversations=3)
        await store.open()
        await store.append("alice", "first", room="one")
        await store.append("alice", "second", room="two")
        await store.append("alice", "to bob", recipient="bob")
        await store.append("alice", "one again", room="one")  # now "two" is the oldest written
        await store.append("alice", "fourth", room="four")
        assert store.kept_conversations == 3
        assert await store.room_history("two") == []
        assert [m.text for m in await store.room_history("one")] == ["first", "one again"]
        assert [m.text for m in await store.direct_history("alice", "bob")] == ["to bob"]
        assert [m.text for m in await store.room_history("four")] == ["fourth"]

    run(body())


def test_the_total_bound_takes_from_the_least_recently_written_first() -> None:
    async def body() -> None:
        store = MemoryStore(max_messages=10)
        await store.open()
        quiet = [await store.append("alice", f"q{i}", room="quiet") for i in range(6)]
        busy = [await store.append("bob", f"b{i}", room="busy") for i in range(7)]
        assert store.kept_messages == 10
        assert await store.room_history("quiet") == quiet[3:]
        assert await store.room_history("busy") == busy
        more = [await store.append("bob", f"c{i}", room="busy") for i in range(5)]
        assert await store.room_history("quiet") == []
        assert await store.room_history("busy") == (busy + more)[-10:]
        assert store.kept_conversations == 1

    run(body())


def test_bounds_never_drop_what_waits_for_delivery() -> None:
    async def body() -> None:
        store = MemoryStore(history_per_conversation=2, max_conversations=2, max_messages=3)
        await store.open()
        waiting = [
            await store.append("alice", f"w{i}", recipient="bob", offline_for="bob")
            for i in range(5)
        ]
        for i in range(50):
            await store.append(f"user{i}", "chatter", room=f"room{i}")
        assert store.kept_messages <= 3
        assert await store.direct_history("alice", "bob") == []  # history went...
        assert await store.take_offline("bob") == waiting  # ...the queue did not

    run(body())


def test_memory_stays_bounded_under_any_traffic() -> None:
    async def body() -> None:
        store = MemoryStore(history_per_conversation=50, max_conversations=100, max_messages=2000)
        await store.open()
        chance = random.Random(4)
        for i in range(10_000):  # a few busy rooms: the total bound is reached and held
            await store.append("u", f"m{i}", room=f"r{i % 40}")
            assert store.kept_messages <= 2000
        assert store.kept_messages == 2000
        for i in range(20_000):  # then conversations without end
            peer, other = chance.randrange(1000), chance.randrange(1000)
            await store.append(f"q{peer}", f"d{i}", recipient=f"p{other}")
            assert store.kept_messages <= 2000
            assert store.kept_conversations <= 100
        assert store.kept_conversations == 100
        message = await store.append("u", "still counting", room="r0")
        assert message.id == 30_001

    run(body())


def test_defaults_bound_conversations_and_messages() -> None:
    store = MemoryStore()
    assert store.history_per_conversation == 10_000
    assert store.max_conversations == 10_000
    assert store.max_messages == 200_000


def test_pruning_and_deleting_keep_the_count_right() -> None:
    async def body() -> None:
        store = MemoryStore()
        await store.open()
        for i in range(10):
            await store.append("alice", f"m{i}", room="lobby", at=float(i))
            await store.append("alice", f"d{i}", recipient="bob", at=float(i))
        assert store.kept_messages == 20
        assert await store.prune_history(older_than=5.0) == 10
        assert store.kept_messages == 10
        assert await store.delete_direct_history("bob") == 5
        assert (store.kept_messages, store.kept_conversations) == (5, 1)
        assert await store.prune_history(max_bytes=0) == 5
        assert (store.kept_messages, store.kept_conversations) == (0, 0)

    run(body())
