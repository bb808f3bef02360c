"""Room operators and moderation in the chat core: one set of rules for every door."""

from __future__ import annotations

from parley.chat.answers import Outcome
from parley.chat.commands import Invite, Join, Kick, Say, SetFlag, SetRole, SetTopic
from parley.chat.events import Invited, Kicked, ModeChanged, RoomMessage
from parley.chat.model import Session
from tests.chat.conftest import Device, World, in_world


async def _room_with(world: World, *names: str) -> list[tuple[Session, Device]]:
    """The first name creates `dev` (its operator); the others join it."""
    users = [await world.user(name) for name in names]
    for session, _ in users:
        assert (await world.run(session, Join("dev"))).ok
    return users


def test_the_creator_is_operator_and_others_are_not() -> None:
    async def body(world: World) -> None:
        (ann, _), (bob, _) = await _room_with(world, "ann", "bob")
        assert (await world.run(bob, Kick("dev", "ann"))).outcome is Outcome.NOT_OPERATOR
        assert (await world.run(bob, SetRole("dev", "ann", "ban"))).outcome is Outcome.NOT_OPERATOR
        assert (await world.run(ann, SetRole("dev", "bob", "operator"))).ok
        assert (await world.run(bob, SetFlag("dev", "moderated"))).ok

    in_world(body)


def test_kick_puts_every_connection_out_and_everyone_is_told() -> None:
    async def body(world: World) -> None:
        (ann, ann_device), (bob, bob_device) = await _room_with(world, "ann", "bob")
        assert (await world.run(ann, Kick("dev", "BOB", "spam"))).ok
        kicked = Kicked("dev", "bob", "ann", "spam")
        assert kicked in ann_device.events and kicked in bob_device.events
        assert world.core.room("dev") is not None
        assert (await world.run(bob, Say(("back!",), "dev"))).outcome is Outcome.NOT_MEMBER
        assert (await world.run(ann, Kick("dev", "bob"))).outcome is Outcome.TARGET_NOT_MEMBER
        assert (await world.run(ann, Kick("lobby", "bob"))).outcome is Outcome.NOT_OPERATOR
        console, _ = world.connect(operator=True)
        assert (await world.run(console, Kick("lobby", "bob"))).outcome is Outcome.LOBBY_IS_HOME

    in_world(body)


def test_banned_users_cannot_join_or_speak_until_unbanned_or_invited() -> None:
    async def body(world: World) -> None:
        (ann, ann_device), (bob, _) = await _room_with(world, "ann", "bob")
        assert (await world.run(ann, SetRole("dev", "bob", "ban"))).ok
        assert ModeChanged("dev", "ann", "+b", "bob") in ann_device.events
        assert (await world.run(bob, Say(("hi",), "dev"))).outcome is Outcome.MUTED
        await world.run(ann, Kick("dev", "bob"))
        assert (await world.run(bob, Join("dev"))).outcome is Outcome.BANNED
        assert (await world.run(ann, Invite("dev", "bob"))).ok
        assert (await world.run(bob, Join("dev"))).ok
        await world.run(ann, SetRole("dev", "bob", "ban", on=False))
        assert (await world.run(bob, Say(("thanks",), "dev"))).ok

    in_world(body)


def test_muted_and_moderated() -> None:
    async def body(world: World) -> None:
        users = await _room_with(world, "ann", "bob", "cid")
        (ann, ann_device), (bob, _), (cid, _) = users
        assert (await world.run(ann, SetRole("dev", "bob", "mute"))).ok
        assert (await world.run(bob, Say(("x",), "dev"))).outcome is Outcome.MUTED
        assert RoomMessage("bob", ("x",), "dev") not in ann_device.said
        assert (await world.run(cid, Say(("y",), "dev"))).ok
        assert (await world.run(ann, SetFlag("dev", "moderated"))).ok
        assert (await world.run(cid, Say(("z",), "dev"))).outcome is Outcome.MUTED
        assert (await world.run(ann, SetRole("dev", "cid", "voice"))).ok
        assert (await world.run(cid, Say(("z",), "dev"))).ok
        assert (await world.run(ann, Say(("ops speak",), "dev"))).ok

    in_world(body)


def test_invite_only_and_keyed_rooms() -> None:
    async def body(world: World) -> None:
        ((ann, _),) = await _room_with(world, "ann")
        bob, bob_device = await world.user("bob")
        assert (await world.run(ann, SetFlag("dev", "key", key=""))).outcome is Outcome.BAD_KEY
        assert (await world.run(ann, SetFlag("dev", "key", key="s3cret"))).ok
        assert (await world.run(bob, Join("dev", "guess"))).outcome is Outcome.BAD_KEY
        assert (await world.run(bob, Join("dev", "s3cret"))).ok
        await world.run(ann, Kick("dev", "bob"))
        await world.run(ann, SetFlag("dev", "invite-only"))
        assert (await world.run(bob, Join("dev", "s3cret"))).outcome is Outcome.INVITE_ONLY
        assert (await world.run(ann, Invite("dev", "bob"))).ok
        assert Invited("dev", "ann", "bob") in bob_device.events
        assert (await world.run(bob, Join("dev"))).ok
        assert (await world.run(bob, Join("dev"))).outcome is Outcome.ALREADY_MEMBER

    in_world(body)


def test_topic_lock() -> None:
    async def body(world: World) -> None:
        (ann, _), (bob, _) = await _room_with(world, "ann", "bob")
        assert (await world.run(bob, SetTopic("dev", "anyone may"))).ok
        await world.run(ann, SetFlag("dev", "topic-lock"))
        assert (await world.run(bob, SetTopic("dev", "no"))).outcome is Outcome.NOT_OPERATOR
        assert (await world.run(ann, SetTopic("dev", "ops only"))).ok

    in_world(body)


def test_the_server_operator_may_do_everything_everywhere() -> None:
    async def body(world: World) -> None:
        _, (bob, _) = await _room_with(world, "ann", "bob")
        console, _ = world.connect(operator=True)
        assert (await world.run(console, Kick("dev", "ann", "by the operator"))).ok
        assert (await world.run(console, SetRole("lobby", "bob", "mute"))).ok
        assert (await world.run(bob, Say(("hi",), "lobby"))).outcome is Outcome.MUTED
        assert (await world.run(console, SetFlag("dev", "secret"))).ok

    in_world(body)
