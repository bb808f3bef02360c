"""The `HistoryStore` contract: every store (memory, SQLite, any later one) passes it unchanged.

The tests speak only the port's language (`parley.chat.store`), never an implementation's.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from parley.chat.store import HistoryStore, Store, StoredMessage
from tests.store.conftest import StoreFactory, with_store

# Appending ---------------------------------------------------------------------------------


def test_append_returns_the_committed_message(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        before = time.time()
        first = await store.append("Alice", "hello", room="lobby")
        second = await store.append("Bob", "hi Alice", recipient="Alice", at=1234.5)
        assert first.sender == "Alice" and first.text == "hello"
        assert first.room == "lobby" and first.recipient is None
        assert before <= first.at <= time.time()
        assert second.at == 1234.5 and second.recipient == "Alice" and second.room is None
        assert second.id > first.id > 0

    with_store(new_store, body)


@pytest.mark.parametrize(
    ("room", "recipient"), [(None, None), ("lobby", "bob")], ids=["neither", "both"]
)
def test_append_needs_exactly_one_target(
    new_store: StoreFactory, room: str | None, recipient: str | None
) -> None:
    async def body(store: HistoryStore) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            await store.append("alice", "where to?", room=room, recipient=recipient)

    with_store(new_store, body)


def test_concurrent_appends_get_increasing_ids_in_order(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        sent = await asyncio.gather(
            *(store.append("alice", f"m{i}", room="lobby") for i in range(300))
        )
        ids = [message.id for message in sent]
        assert ids == sorted(ids) and len(set(ids)) == 300
        history = await store.room_history("lobby", limit=1000)
        assert [message.text for message in history] == [f"m{i}" for i in range(300)]
        assert history == sent

    with_store(new_store, body)


def test_append_batch_keeps_all_in_order(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        first = store.reserve_ids(3)
        batch = [
            StoredMessage(first, 1.0, "alice", "one", room="lobby"),
            StoredMessage(first + 1, 2.0, "bob", "two", room="dev"),
            StoredMessage(first + 2, 3.0, "alice", "psst", recipient="bob"),
        ]
        await store.append_batch(batch)
        assert await store.room_history("lobby") == batch[:1]  # as relayed: id, time, text
        assert await store.room_history("dev") == batch[1:2]
        assert await store.direct_history("alice", "bob") == batch[2:]

    with_store(new_store, body)


def test_text_of_any_script_round_trips(new_store: StoreFactory) -> None:
    texts = ["привет", "日本語のテキスト", "emoji 🎉👍", "tab\there", "x" * 10_000, ""]

    async def body(store: HistoryStore) -> None:
        for text in texts:
            await store.append("Ünïcødé", text, room="lobby")
        history = await store.room_history("lobby")
        assert [m.text for m in history] == texts
        assert {m.sender for m in history} == {"Ünïcødé"}

    with_store(new_store, body)


# Reading -----------------------------------------------------------------------------------


def test_room_history_pages_backwards_oldest_first(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        sent = [await store.append("alice", f"m{i}", room="team") for i in range(10)]
        await store.append("alice", "elsewhere", room="other")
        assert await store.room_history("team", limit=3) == sent[7:]
        assert await store.room_history("team", before_id=sent[7].id, limit=3) == sent[4:7]
        assert await store.room_history("team", before_id=sent[2].id, limit=5) == sent[:2]
        assert await store.room_history("team") == sent
        assert await store.room_history("team", limit=0) == []
        assert await store.room_history("nowhere") == []
        assert [m.text for m in await store.room_history("other")] == ["elsewhere"]

    with_store(new_store, body)


def test_direct_history_holds_both_directions_of_one_pair(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        one = await store.append("Alice", "hi bob", recipient="Bob")
        two = await store.append("BOB", "hi alice", recipient="alice")
        await store.append("Alice", "hi carol", recipient="Carol")
        await store.append("Alice", "in a room", room="bob")
        three = await store.append("alice", "bye", recipient="Bob")
        assert await store.direct_history("alice", "bob") == [one, two, three]
        assert await store.direct_history("bob", "alice", limit=2) == [two, three]
        assert await store.direct_history("bob", "alice", before_id=three.id, limit=1) == [two]
        assert [m.text for m in await store.direct_history("carol", "alice")] == ["hi carol"]
        assert await store.direct_history("bob", "carol") == []

    with_store(new_store, body)


def test_direct_history_since_leaves_out_what_came_before(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        earlier = [
            await store.append("Alice", f"to the first bob {i}", recipient="bob", at=100.0 + i)
            for i in range(3)
        ]
        later = [
            await store.append("bob", f"from the second bob {i}", recipient="Alice", at=200.0 + i)
            for i in range(4)
        ]
        assert await store.direct_history("bob", "alice") == earlier + later
        assert await store.direct_history("bob", "alice", since=200.0) == later
        assert await store.direct_history("bob", "alice", since=150.0, limit=2) == later[2:]
        assert await store.direct_history("bob", "alice", since=102.0) == earlier[2:] + later
        paged = await store.direct_history(
            "bob", "alice", since=200.0, before_id=later[2].id, limit=10
        )
        assert paged == later[:2]
        assert await store.direct_history("bob", "alice", since=200.0, limit=0) == []
        assert await store.direct_history("bob", "alice", since=1e12) == []

    with_store(new_store, body)


def test_direct_history_since_follows_time_not_ids(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        late = await store.append("alice", "written first, dated later", recipient="bob", at=300.0)
        await store.append("alice", "written second, dated earlier", recipient="bob", at=100.0)
        new = await store.append("alice", "written third", recipient="bob", at=301.0)
        assert await store.direct_history("alice", "bob", since=200.0) == [late, new]
        assert await store.direct_history("alice", "bob", since=200.0, limit=1) == [new]

    with_store(new_store, body)


# Deleting a user's direct history ----------------------------------------------------------


def test_delete_direct_history_deletes_every_conversation_of_the_user(
    new_store: StoreFactory,
) -> None:
    async def body(store: HistoryStore) -> None:
        await store.append("Ann", "to bob", recipient="bob")  # ann is the lower key
        await store.append("bob", "to ann", recipient="ANN")
        await store.append("aaron", "to ann", recipient="ann")  # ann is the higher key
        await store.append("ann", "to herself", recipient="ann")
        await store.append("ann", "in a room", room="lobby")
        kept = [
            await store.append("anna", "to bob", recipient="bob"),  # a longer name, same start
            await store.append("an", "to zed", recipient="zed"),  # a shorter one
            await store.append("aaron", "to anna", recipient="anna"),  # higher, same start
            await store.append("bob", "to zed", recipient="zed"),
            await store.append("xann", "to bob", recipient="bob"),  # ends like ann
        ]
        assert await store.delete_direct_history("ann") == 4
        for other in ("bob", "aaron", "ann"):
            assert await store.direct_history("ann", other) == []
        assert [m.text for m in await store.room_history("lobby")] == ["in a room"]
        assert await store.direct_history("anna", "bob") == [kept[0]]
        assert await store.direct_history("an", "zed") == [kept[1]]
        assert await store.direct_history("aaron", "anna") == [kept[2]]
        assert await store.direct_history("bob", "zed") == [kept[3]]
        assert await store.direct_history("xann", "bob") == [kept[4]]
        assert await store.delete_direct_history("ann") == 0
        assert await store.delete_direct_history("nobody") == 0

    with_store(new_store, body)


def test_a_new_holder_of_the_name_starts_with_no_direct_history(
    new_store: StoreFactory,
) -> None:
    async def body(store: HistoryStore) -> None:
        await store.append("alice", "secret", recipient="Bob")
        await store.delete_direct_history("bob")
        fresh = await store.append("alice", "hello, new bob", recipient="Bob")
        assert await store.direct_history("bob", "alice") == [fresh]
        assert fresh.id > 1  # ids are never reused

    with_store(new_store, body)


def test_delete_direct_history_empties_the_users_offline_queue(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.append("alice", "waiting for bob", recipient="bob", offline_for="bob")
        for_carol = await store.append("bob", "waiting for carol", recipient="carol")
        await store.queue_offline("carol", for_carol)
        assert await store.delete_direct_history("bob") == 2
        assert await store.offline_count("bob") == 0
        assert await store.take_offline("bob") == []
        # What bob sent still waits for carol: it is her mail.
        assert await store.take_offline("carol") == [for_carol]

    with_store(new_store, body)


def test_delete_direct_history_sees_messages_written_just_before(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        # "zzz" is the higher key of each pair; the writes are queued before the deletion.
        writes = [store.append(f"user{i}", "hi", recipient="zzz") for i in range(50)]
        deleting = store.delete_direct_history("zzz")
        *sent, deleted = await asyncio.gather(*writes, deleting)
        assert deleted == len(sent) == 50
        for i in range(50):
            assert await store.direct_history(f"user{i}", "zzz") == []

    with_store(new_store, body)


# Retention ---------------------------------------------------------------------------------


def test_prune_by_age_deletes_only_older_messages(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        await store.append("alice", "old room", room="lobby", at=100.0)
        await store.append("alice", "old direct", recipient="bob", at=150.0)
        edge = await store.append("alice", "exactly at the limit", room="lobby", at=200.0)
        new_direct = await store.append("bob", "new direct", recipient="alice", at=300.0)
        new_room = await store.append("bob", "new room", room="dev", at=250.0)
        assert await store.prune_history(older_than=200.0) == 2
        assert await store.room_history("lobby") == [edge]
        assert await store.room_history("dev") == [new_room]
        assert await store.direct_history("alice", "bob") == [new_direct]
        assert await store.prune_history(older_than=200.0) == 0

    with_store(new_store, body)


def test_prune_by_size_deletes_the_oldest_first(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        sent: list[StoredMessage] = []
        for i in range(10):  # 100 + 1 characters each, spread over three conversations
            if i % 3 == 0:
                sent.append(await store.append("a", f"{i}" * 100, room="lobby"))
            elif i % 3 == 1:
                sent.append(await store.append("a", f"{i}" * 100, recipient="b"))
            else:
                sent.append(await store.append("b", f"{i}" * 100, room="dev"))
        assert await store.prune_history(max_bytes=550) == 5  # five of 101 fit in 550
        survivors = (
            await store.room_history("lobby")
            + await store.room_history("dev")
            + await store.direct_history("a", "b")
        )
        assert sorted(survivors, key=lambda m: m.id) == sent[5:]
        assert await store.prune_history(max_bytes=550) == 0
        assert await store.prune_history(max_bytes=10_000) == 0
        assert await store.prune_history(max_bytes=0) == 5

    with_store(new_store, body)


def test_prune_by_age_and_size_together(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        await store.append("a", "x" * 99, room="lobby", at=10.0)
        kept = [await store.append("a", "y" * 99, room="lobby", at=20.0 + i) for i in range(4)]
        assert await store.prune_history(older_than=15.0, max_bytes=250) == 3
        assert await store.room_history("lobby") == kept[2:]
        assert await store.prune_history() == 0  # neither bound: nothing to do

    with_store(new_store, body)


def test_prune_never_deletes_what_waits_for_delivery(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        waiting = await store.append("alice", "read me", recipient="bob", at=1.0, offline_for="bob")
        queued = await store.append("carol", "me too", recipient="bob", at=2.0)
        await store.queue_offline("bob", queued)
        await store.append("alice", "chatter", room="lobby", at=3.0)
        assert await store.prune_history(older_than=1e12) == 3
        assert await store.prune_history(max_bytes=0) == 0
        assert await store.offline_count("bob") == 2
        assert await store.offline_keys() == {"bob"}
        assert await store.take_offline("bob") == [waiting, queued]

    with_store(new_store, body)


def test_ids_keep_increasing_after_everything_was_pruned(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        last = [await store.append("a", f"m{i}", room="lobby") for i in range(5)][-1]
        await store.prune_history(max_bytes=0)
        assert await store.room_history("lobby") == []
        after = await store.append("a", "after", room="lobby")
        assert after.id > last.id

    with_store(new_store, body)


def test_reserved_ids_are_fresh_and_are_the_ids_history_returns(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        before = await store.append("alice", "first", room="dev")
        reserved = store.reserve_ids(2)
        assert reserved > before.id
        after = await store.append("alice", "later", room="dev")
        assert after.id == reserved + 2  # reserved ids are never given again
        # Kept out of order (reserved earlier, written later): history is still in id order.
        await store.append_batch(
            [
                StoredMessage(reserved + 1, 5.0, "bob", "two", room="dev"),
                StoredMessage(reserved, 4.0, "bob", "one", room="dev"),
            ]
        )
        history = await store.room_history("dev")
        assert [m.text for m in history] == ["first", "one", "two", "later"]
        assert [m.id for m in history] == [before.id, reserved, reserved + 1, after.id]

    with_store(new_store, body)


def test_after_id_pages_forward_oldest_first(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        sent = [await store.append("alice", f"m{i}", room="dev") for i in range(10)]
        pair = [await store.append("alice", f"d{i}", recipient="bob") for i in range(4)]
        after = await store.room_history("dev", after_id=sent[3].id, limit=3)
        assert after == sent[4:7]
        assert await store.room_history("dev", after_id=sent[9].id) == []
        window = await store.room_history("dev", after_id=sent[1].id, before_id=sent[4].id)
        assert window == sent[2:4]
        direct = await store.direct_history("bob", "alice", after_id=pair[0].id, limit=2)
        assert direct == pair[1:3]

    with_store(new_store, body)
