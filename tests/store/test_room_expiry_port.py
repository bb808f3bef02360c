"""The room-expiry contract (`RoomStore.expire_rooms`): every store passes it unchanged.

Rooms nobody uses go, with their topics and memberships (security review, finding 7): a
room saved before the cut-off with no message since is deleted, unless the caller keeps it
(members online, the lobby). The tests speak only the port's language and move time by
choosing the cut-off and the messages' times, never by sleeping.
"""

from __future__ import annotations

import time

from parley.chat.store import RoomRecord, Store
from tests.store.conftest import StoreFactory, with_store

DAY = 86400.0


def test_rooms_saved_before_the_cut_off_and_silent_since_are_deleted(
    new_store: StoreFactory,
) -> None:
    async def body(store: Store) -> None:
        await store.save_room("quiet", "Quiet", "nobody reads this")
        await store.save_room("busy", "Busy")
        await store.save_room("online", "Online", "someone is here")
        await store.append("ann", "still here", room="Busy", at=time.time() + 2 * DAY)
        later = time.time() + DAY  # what "now minus --room-days" will be, one day on
        assert await store.expire_rooms(later, keep=["online"]) == ["quiet"]
        assert await store.get_room("quiet") is None
        assert await store.get_room("busy") == RoomRecord("busy", "Busy", "")
        assert await store.get_room("online") == RoomRecord("online", "Online", "someone is here")
        assert await store.expire_rooms(later, keep=["online"]) == []  # nothing more to do

    with_store(new_store, body)


def test_a_room_used_since_the_cut_off_stays(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.save_room("team", "Team")
        assert await store.expire_rooms(time.time() - DAY) == []  # saved after the cut-off
        await store.save_room("team", "Team", "a new topic")  # saving counts as use
        assert await store.expire_rooms(time.time() - 1) == []
        assert [r.key for r in await store.rooms()] == ["team"]

    with_store(new_store, body)


def test_an_old_message_does_not_keep_a_room(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.save_room("dev", "Dev")
        await store.append("ann", "long ago", room="dev", at=time.time() - DAY)
        assert await store.expire_rooms(time.time() + 1) == ["dev"]
        assert await store.rooms() == []

    with_store(new_store, body)


def test_an_expired_room_takes_its_memberships_but_not_its_history(
    new_store: StoreFactory,
) -> None:
    """An account that remembered the room does not come back to it after a restart; what was
    said there stays for history retention to age out (`prune_history`)."""

    async def body(store: Store) -> None:
        await store.create_account("ann", "Ann", "hash")
        await store.save_room("dev", "Dev")
        await store.save_room("ops", "Ops")
        await store.add_membership("ann", "dev")
        await store.add_membership("ann", "ops")
        await store.append("ann", "said in dev", room="dev", at=time.time() - DAY)
        assert await store.expire_rooms(time.time() + 1, keep=["ops"]) == ["dev"]
        assert await store.memberships("ann") == ["ops"]
        assert [m.text for m in await store.room_history("dev")] == ["said in dev"]
        await store.save_room("dev", "Dev")  # made again: a new room, with no members
        assert await store.memberships("ann") == ["ops"]

    with_store(new_store, body)


def test_expiry_survives_a_restart(new_store: StoreFactory) -> None:
    """What decides expiry is kept with the room: a durable store, reopened, expires the rooms
    it kept (the memory store keeps none across a restart)."""

    async def first(store: Store) -> None:
        await store.save_room("dev", "Dev", "the topic")

    async def second(store: Store) -> tuple[list[str], list[str]]:
        kept = [record.key for record in await store.rooms()]
        return kept, await store.expire_rooms(time.time() + 1)

    with_store(new_store, first)
    kept, expired = with_store(new_store, second)
    assert expired == kept
