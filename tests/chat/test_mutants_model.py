"""Model rules that mutation testing found unchecked: names are listed as people sort them
(case-insensitively), and a session answers to its name in any spelling of it."""

from __future__ import annotations

from parley.chat.commands import Join, Who
from tests.chat.conftest import World, in_world


def test_members_and_users_are_listed_ignoring_case() -> None:
    async def body(world: World) -> None:
        names = ("bob", "Ann", "carl", "Dee")
        sessions = [(await world.user(name))[0] for name in names]
        for session in sessions:
            await world.run(session, Join("dev"))
        room = world.core.room("dev")
        assert room is not None
        assert room.view() == ("Ann", "bob", "carl", "Dee")
        assert (await world.run(sessions[0], Who())).names == ("Ann", "bob", "carl", "Dee")

    in_world(body)


def test_a_session_answers_to_its_name_in_any_spelling_and_only_once_registered() -> None:
    async def body(world: World) -> None:
        stranger, _ = world.connect()
        assert not stranger.is_named("ann")
        ann, _ = await world.user("Ann")
        assert ann.is_named("Ann")
        assert ann.is_named("ANN")
        assert not ann.is_named("bob")

    in_world(body)
