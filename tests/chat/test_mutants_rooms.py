"""Room rules that mutation testing found unchecked by the core's tests: the subjects of
answers (what a door names in its reply), kept topics, recent lines for joiners, listing
budgets and the limits of remembered rooms."""

from __future__ import annotations

import pytest

from parley.chat.answers import Done, Outcome, RoomList, TopicView, UserList
from parley.chat.commands import (
    GetTopic,
    Join,
    Leave,
    ListRooms,
    Login,
    Say,
    SetFlag,
    SetRole,
    SetTopic,
    Signup,
    Welcome,
    Who,
)
from parley.chat.events import Presence, TopicChanged
from parley.chat.ports import CoreConfig
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"


def test_leaving_names_the_room_as_it_is_called() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        await world.run(ann, Join("Dev"))
        assert await world.run(ann, Leave("#nowhere")) == Done(Outcome.NOT_MEMBER, "nowhere")
        assert await world.run(ann, Leave("#DEV")) == Done(Outcome.OK, "Dev")
        assert await world.run(ann, Leave("#lobby")) == Done(Outcome.LOBBY_IS_HOME)

    in_world(body)


def test_joining_twice_shows_the_room_as_it_is() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        await world.run(ann, Join("Dev"))
        again = await world.run(ann, Join("dev"))
        assert (again.outcome, again.room, again.already) == (Outcome.ALREADY_MEMBER, "Dev", True)
        assert again.view is not None and again.view.members == ("ann",)

    in_world(body)


def test_a_kept_topic_comes_back_when_the_room_is_made_again() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        await world.run(ann, Join("Dev"))
        assert await world.run(ann, SetTopic("#dev", "ship it")) == Done(Outcome.OK, "Dev")
        record = await world.store.get_room("dev")
        assert record is not None and (record.name, record.topic) == ("Dev", "ship it")
        await world.run(ann, Leave("dev"))
        assert world.core.room("dev") is None
        entered = await world.run(ann, Join("dev"))
        assert entered.view is not None and entered.view.topic == "ship it"

    in_world(body)


def test_topic_answers_name_the_room() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        bob, _ = await world.user("bob")
        await world.run(ann, Join("Dev"))
        await world.run(ann, SetTopic("dev", "ship it"))
        assert await world.run(bob, GetTopic("#DEV")) == TopicView(Outcome.OK, "Dev", "ship it")
        assert await world.run(bob, GetTopic("#nowhere")) == TopicView(
            Outcome.NO_SUCH_ROOM, "nowhere"
        )
        assert await world.run(bob, SetTopic("#nowhere", "x")) == Done(
            Outcome.NO_SUCH_ROOM, "nowhere"
        )
        assert await world.run(bob, SetTopic("dev", "x")) == Done(Outcome.NOT_MEMBER, "Dev")
        assert await world.run(bob, SetTopic("lobby", "x")) == Done(Outcome.LOBBY_IS_HOME, "lobby")
        await world.run(bob, Join("dev"))
        await world.run(ann, SetFlag("dev", "topic-lock"))
        assert await world.run(bob, SetTopic("dev", "x")) == Done(Outcome.NOT_OPERATOR, "Dev")
        # A secret room's topic is for its members.
        await world.run(ann, SetFlag("dev", "secret"))
        assert (await world.run(bob, GetTopic("dev"))).topic == "ship it"

    in_world(body)


def test_the_console_sets_any_topic_as_the_server() -> None:
    async def body(world: World) -> None:
        ann, ann_device = await world.user("ann")
        await world.run(ann, Join("Dev"))
        console, _ = world.connect(operator=True)
        assert await world.run(console, SetTopic("dev", "maintenance")) == Done(Outcome.OK, "Dev")
        assert TopicChanged("server", "Dev", "maintenance") in ann_device.events

    in_world(body)


@pytest.mark.parametrize("lines", [0, 1, 2])
def test_a_joiner_gets_as_many_recent_lines_as_configured(lines: int) -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        await world.run(ann, Join("dev"))
        for text in ("one", "two", "three"):
            await world.run(ann, Say((text,), "dev"))
        bob, _ = await world.user("bob")
        entered = await world.run(bob, Join("dev"))
        assert [m.text for m in entered.recent] == ["one", "two", "three"][3 - lines :]

    in_world(body, CoreConfig(history_lines=lines))


def test_listings_have_a_budget_per_session_but_not_for_the_console() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        answers = [await world.run(ann, Who()) for _ in range(6)]
        assert [a.outcome for a in answers] == [Outcome.OK] * 5 + [Outcome.TOO_MANY_LISTINGS]
        assert answers[-1] == UserList((), Outcome.TOO_MANY_LISTINGS)
        assert await world.run(ann, ListRooms()) == RoomList((), outcome=Outcome.TOO_MANY_LISTINGS)
        bob, _ = await world.user("bob")  # a budget of its own
        assert (await world.run(bob, ListRooms())).outcome is Outcome.OK
        console, _ = world.connect(operator=True)
        for _ in range(10):
            assert (await world.run(console, Who())).outcome is Outcome.OK

    in_world(body, CoreConfig(listings_per_minute=6))  # a burst of at least 5


def test_the_listing_burst_is_a_third_of_the_minutes_budget() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        outcomes = [(await world.run(ann, Who())).outcome for _ in range(11)]
        assert outcomes.count(Outcome.OK) == 10

    in_world(body, CoreConfig(listings_per_minute=30))


def test_without_a_listing_budget_anyone_lists_at_will() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        for _ in range(20):
            assert (await world.run(ann, Who())).outcome is Outcome.OK

    in_world(body, CoreConfig(listings_per_minute=0))


def test_a_long_room_listing_says_how_many_were_left_out() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        for room in ("a", "b", "c"):
            await world.run(ann, Join(room))
        listing = await world.run(ann, ListRooms())
        assert ([r.name for r in listing.rooms], listing.more) == (["lobby", "a"], 2)

    in_world(body, CoreConfig(max_rooms_listed=2))


def test_an_existing_room_may_be_joined_up_to_the_limit() -> None:
    async def body(world: World) -> None:
        bob, _ = await world.user("bob")
        for room in ("a", "b", "c"):
            await world.run(bob, Join(room))
        ann, _ = await world.user("ann")
        outcomes = [(await world.run(ann, Join(room))).outcome for room in ("a", "b", "c")]
        assert outcomes == [Outcome.OK, Outcome.OK, Outcome.TOO_MANY_ROOMS]

    in_world(body, CoreConfig(rooms_per_user=2, listings_per_minute=0))


async def _account_in(world: World, name: str, *rooms: str) -> None:
    """`name` signs up, joins `rooms` and goes (they are remembered)."""
    session, _ = world.connect()
    assert (await world.run(session, Signup(name, PASSWORD))).ok
    for room in rooms:
        assert (await world.run(session, Join(room))).ok
    world.core.close_session(session)


def test_a_returning_account_is_announced_in_rooms_that_still_exist() -> None:
    async def body(world: World) -> None:
        await _account_in(world, "ann", "dev")
        bob, bob_device = await world.user("bob")
        await world.run(bob, Join("dev"))
        again, _ = world.connect()
        await world.run(again, Login("ann", PASSWORD))
        welcome = await world.run(again, Welcome())
        assert [(r.name, r.members) for r in welcome.rejoined] == [("dev", ("ann", "bob"))]
        assert Presence("ann", "dev", "joined") in bob_device.events

    in_world(body)


def test_a_returning_account_banned_meanwhile_is_not_put_back() -> None:
    async def body(world: World) -> None:
        bob, _ = await world.user("bob")
        await world.run(bob, Join("dev"))
        await _account_in(world, "ann", "dev")
        await world.run(bob, SetRole("dev", "ann", "ban"))
        again, _ = world.connect()
        await world.run(again, Login("ann", PASSWORD))
        assert (await world.run(again, Welcome())).rejoined == ()

    in_world(body)


def test_remembered_rooms_are_bounded_like_joins() -> None:
    async def body(world: World) -> None:
        await _account_in(world, "ann", "a", "b")
        # Remembered under a larger limit (an earlier configuration, another node).
        await world.store.save_room("c", "c")
        await world.store.add_membership("ann", "c")
        again, _ = world.connect()
        await world.run(again, Login("ann", PASSWORD))
        welcome = await world.run(again, Welcome())
        assert len(welcome.rejoined) == 2

    in_world(body, CoreConfig(rooms_per_user=2))
