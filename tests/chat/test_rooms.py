"""Rooms in the chat core: join, leave, topics, listings, remembered rooms."""

from __future__ import annotations

from parley.chat.answers import Outcome
from parley.chat.commands import (
    GetTopic,
    Join,
    Leave,
    ListRooms,
    Login,
    SetFlag,
    SetTopic,
    Signup,
    Welcome,
    Who,
)
from parley.chat.events import Presence, TopicChanged
from parley.chat.ports import CoreConfig
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"


def test_join_creates_announces_and_leave_removes_an_empty_room() -> None:
    async def body(world: World) -> None:
        ann, ann_device = await world.user("ann")
        bob, bob_device = await world.user("bob")
        entered = await world.run(ann, Join("#Dev"))
        assert entered.ok and entered.room == "Dev" and entered.view is not None
        assert entered.view.members == ("ann",)
        assert (await world.run(ann, Join("dev"))).outcome is Outcome.ALREADY_MEMBER
        assert (await world.run(bob, Join("DEV"))).ok
        assert Presence("bob", "Dev", "joined") in ann_device.events
        assert Presence("bob", "Dev", "joined") in bob_device.events  # the joiner too
        assert (await world.run(ann, Leave("dev"))).ok
        assert Presence("ann", "Dev", "left") in bob_device.events
        assert (await world.run(ann, Leave("dev"))).outcome is Outcome.NOT_MEMBER
        assert (await world.run(ann, Leave("lobby"))).outcome is Outcome.LOBBY_IS_HOME
        await world.run(bob, Leave("dev"))
        assert world.core.room("dev") is None
        assert (await world.run(ann, Join("bad/name"))).outcome is Outcome.INVALID_ROOM

    in_world(body)


def test_a_user_is_in_a_bounded_number_of_rooms() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        outcomes = [(await world.run(ann, Join(f"r{i}"))).outcome for i in range(3)]
        assert outcomes == [Outcome.OK, Outcome.OK, Outcome.TOO_MANY_ROOMS]  # the lobby aside

    in_world(body, CoreConfig(rooms_per_user=2))


def test_topics_are_announced_kept_and_shown_to_joiners() -> None:
    async def body(world: World) -> None:
        ann, ann_device = await world.user("ann")
        await world.run(ann, Join("dev"))
        assert (await world.run(ann, SetTopic("dev", "ship it"))).ok
        assert TopicChanged("ann", "dev", "ship it") in ann_device.events
        assert (await world.store.get_room("dev")) is not None
        bob, _ = await world.user("bob")
        assert (await world.run(bob, SetTopic("dev", "no"))).outcome is Outcome.NOT_MEMBER
        entered = await world.run(bob, Join("dev"))
        assert entered.view is not None and entered.view.topic == "ship it"
        assert (await world.run(bob, GetTopic("#DEV"))).topic == "ship it"
        assert (await world.run(bob, GetTopic("nowhere"))).outcome is Outcome.NO_SUCH_ROOM
        assert (await world.run(bob, SetTopic("lobby", "x"))).outcome is Outcome.LOBBY_IS_HOME

    in_world(body)


def test_listings_hide_secret_rooms_from_outsiders() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        bob, _ = await world.user("bob")
        await world.run(ann, Join("hidden"))
        await world.run(ann, SetFlag("hidden", "secret"))
        assert [r.name for r in (await world.run(ann, ListRooms())).rooms] == ["lobby", "hidden"]
        assert [r.name for r in (await world.run(bob, ListRooms())).rooms] == ["lobby"]
        assert (await world.run(bob, GetTopic("hidden"))).outcome is Outcome.NO_SUCH_ROOM
        assert (await world.run(bob, Who())).names == ("ann", "bob")

    in_world(body)


def test_an_account_comes_back_to_its_rooms() -> None:
    async def body(world: World) -> None:
        first, _ = world.connect()
        await world.run(first, Signup("ann", PASSWORD))
        await world.run(first, Join("dev"))
        await world.run(first, SetTopic("dev", "remembered"))
        world.core.close_session(first)
        assert world.core.room("dev") is None
        again, device = world.connect()
        answer = await world.run(again, Login("ann", PASSWORD))
        assert answer.detail == "welcome"
        welcome = await world.run(again, Welcome())
        assert [(r.name, r.topic) for r in welcome.rejoined] == [("dev", "remembered")]
        assert Presence("ann", "dev", "joined") in device.events
        await world.run(again, Leave("dev"))
        world.core.close_session(again)
        third, _ = world.connect()
        await world.run(third, Login("ann", PASSWORD))
        assert (await world.run(third, Welcome())).rejoined == ()

    in_world(body)
