"""Core queries and the console's announcements, which mutation testing found unchecked
by the core's tests (the server tests used them only through sockets)."""

from __future__ import annotations

from typing import Any

from parley.chat import commands as c
from parley.chat.answers import (
    Answer,
    Done,
    Entered,
    HistoryPage,
    Outcome,
    Registered,
    RoomList,
    TopicView,
    UserList,
)
from parley.chat.commands import Join, Login, SetFlag, Signup
from parley.chat.events import RoomMessage
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"


def test_an_announcement_reaches_every_session_in_the_lobby_from_the_server() -> None:
    async def body(world: World) -> None:
        first, first_device = world.connect()
        await world.run(first, Signup("ann", PASSWORD))
        second, second_device = world.connect()
        await world.run(second, Login("ann", PASSWORD))
        _, bob_device = await world.user("bob")
        assert world.core.announce("going down at noon") == 3
        expected = RoomMessage("server", ("going down at noon",), "lobby")
        for device in (first_device, second_device, bob_device):
            assert [e for e in device.said if isinstance(e, RoomMessage)] == [expected]
            assert device.of(RoomMessage)[0].id == 0  # announcements are not kept

    in_world(body)


def test_room_views_list_the_lobby_first_then_by_name_and_secret_rooms_to_members() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        bob, _ = await world.user("bob")
        for room in ("zeta", "Alpha", "mid"):
            await world.run(ann, Join(room))
        await world.run(ann, SetFlag("mid", "secret"))
        await world.run(bob, Join("zeta"))
        assert [v.name for v in world.core.room_views()] == ["lobby", "Alpha", "zeta"]
        ann_user, bob_user = world.core.user("ann"), world.core.user("bob")
        assert [v.name for v in world.core.room_views(ann_user)] == [
            "lobby",
            "Alpha",
            "mid",
            "zeta",
        ]
        views = {v.name: v for v in world.core.room_views(bob_user)}
        assert list(views) == ["lobby", "Alpha", "zeta"]
        assert views["zeta"].members == ("ann", "bob")

    in_world(body)


def test_sessions_are_every_registered_connection() -> None:
    async def body(world: World) -> None:
        first, _ = world.connect()
        await world.run(first, Signup("ann", PASSWORD))
        second, _ = world.connect()
        await world.run(second, Login("ann", PASSWORD))
        bob, _ = await world.user("bob")
        world.connect()  # not registered: not a session of anyone
        assert set(world.core.sessions()) == {first, second, bob}
        assert len(list(world.core.sessions())) == 3
        assert len(world.core) == 2

    in_world(body)


def test_a_session_not_registered_is_refused_every_use_case_that_needs_a_name() -> None:
    async def body(world: World) -> None:
        stranger, device = world.connect()
        refused: dict[c.Command[Any], Answer] = {
            c.Welcome(): Registered(Outcome.NOT_REGISTERED),
            c.CreateAccount(PASSWORD): Done(Outcome.NOT_REGISTERED),
            c.ChangePassword(PASSWORD, PASSWORD + "!"): Done(Outcome.NOT_REGISTERED),
            c.DeleteAccount(PASSWORD): Done(Outcome.NOT_REGISTERED),
            c.Say(("hi",)): Done(Outcome.NOT_REGISTERED),
            c.SendDirect("ann", "hi"): Done(Outcome.NOT_REGISTERED),
            c.ShowTyping("h"): Done(Outcome.NOT_REGISTERED),
            c.History("#lobby"): HistoryPage(Outcome.NOT_REGISTERED, ""),
            c.Join("dev"): Entered(Outcome.NOT_REGISTERED, ""),
            c.Leave("dev"): Done(Outcome.NOT_REGISTERED),
            c.GetTopic("dev"): TopicView(Outcome.NOT_REGISTERED, ""),
            c.SetTopic("dev", "x"): Done(Outcome.NOT_REGISTERED),
            c.Who(): UserList(()),
            c.ListRooms(): RoomList(()),
            c.SetRole("dev", "ann", "ban"): Done(Outcome.NOT_REGISTERED),
            c.SetFlag("dev", "secret"): Done(Outcome.NOT_REGISTERED),
            c.Kick("dev", "ann"): Done(Outcome.NOT_REGISTERED),
            c.Invite("dev", "ann"): Done(Outcome.NOT_REGISTERED),
        }
        await world.user("ann")
        for command, answer in refused.items():
            assert await world.run(stranger, command) == answer, command
        assert device.events == []
        # Whoever registers first may use them all.
        assert (await world.run(stranger, c.Register("bob"))).ok
        assert (await world.run(stranger, c.Join("dev"))).ok

    in_world(body)
