"""Moderation rules that mutation testing found unchecked by the core's tests.

Each answer's subject is what a door puts in its reply (``404 No such room: dev``), so the
tests check it as well as the outcome: the room without its ``#``, a user as registered.
"""

from __future__ import annotations

from parley.chat.answers import Done, Outcome
from parley.chat.commands import (
    Invite,
    Join,
    Kick,
    ListRooms,
    MemberRole,
    RoomFlag,
    SetFlag,
    SetRole,
)
from parley.chat.events import Invited, Kicked, ModeChanged
from parley.chat.model import Session
from parley.chat.moderation import mode_command
from tests.chat.conftest import Device, World, in_world


async def _room_with(world: World, *names: str) -> list[tuple[Session, Device]]:
    """The first name creates `Dev` (its operator); the others join it."""
    users = [await world.user(name) for name in names]
    for session, _ in users:
        assert (await world.run(session, Join("Dev"))).ok
    return users


def test_refusals_name_the_room_as_it_is_called() -> None:
    async def body(world: World) -> None:
        (ann, _), (bob, _) = await _room_with(world, "ann", "bob")
        for command in (
            Kick("#nowhere", "bob"),
            SetRole("#nowhere", "bob", "voice"),
            SetFlag("#nowhere", "moderated"),
            Invite("#nowhere", "bob"),
        ):
            assert await world.run(ann, command) == Done(Outcome.NO_SUCH_ROOM, "nowhere")
        for command in (Kick("#DEV", "ann"), SetRole("dev", "ann", "ban"), SetFlag("dev", "key")):
            assert await world.run(bob, command) == Done(Outcome.NOT_OPERATOR, "Dev")

    in_world(body)


def test_the_lobby_has_no_operators_voices_bans_kicks_or_flags_but_moderation() -> None:
    async def body(world: World) -> None:
        _, bob_device = await world.user("bob")
        console, _ = world.connect(operator=True)
        lobby_is_home = Done(Outcome.LOBBY_IS_HOME, "lobby")
        roles: tuple[MemberRole, ...] = ("operator", "voice", "ban")
        for role in roles:
            assert await world.run(console, SetRole("lobby", "bob", role)) == lobby_is_home
        flags: tuple[RoomFlag, ...] = ("topic-lock", "invite-only", "key", "secret")
        for flag in flags:
            assert await world.run(console, SetFlag("lobby", flag, key="k")) == lobby_is_home
        assert await world.run(console, Kick("lobby", "bob")) == lobby_is_home
        assert await world.run(console, Invite("lobby", "bob")) == Done(
            Outcome.NO_SUCH_ROOM, "lobby"
        )
        assert await world.run(console, SetFlag("lobby", "moderated")) == Done(Outcome.OK, "lobby")
        assert ModeChanged("lobby", "server", "+m", "") in bob_device.events

    in_world(body)


def test_roles_given_and_taken_are_announced_under_the_registered_name() -> None:
    async def body(world: World) -> None:
        (ann, ann_device), _ = await _room_with(world, "ann", "Bob")
        assert await world.run(ann, SetRole("dev", "BOB", "voice")) == Done(Outcome.OK, "Bob")
        assert ModeChanged("Dev", "ann", "+v", "Bob") in ann_device.events
        assert await world.run(ann, SetRole("dev", "bob", "operator", on=False)) == Done(
            Outcome.OK, "Bob"
        )
        assert ModeChanged("Dev", "ann", "-o", "Bob") in ann_device.events
        # Bans and mutes may name someone offline: the name is shown as it was written.
        assert await world.run(ann, SetRole("dev", "Zed", "ban")) == Done(Outcome.OK, "Zed")
        assert ModeChanged("Dev", "ann", "+b", "Zed") in ann_device.events

    in_world(body)


def test_operator_and_voice_need_a_member_bans_and_mutes_do_not() -> None:
    async def body(world: World) -> None:
        ((ann, _),) = await _room_with(world, "ann")
        await world.user("cid")  # online, not in the room
        needs_member: tuple[MemberRole, ...] = ("operator", "voice")
        for role in needs_member:
            for name in ("cid", "nobody"):
                answer = await world.run(ann, SetRole("dev", name, role))
                assert answer == Done(Outcome.TARGET_NOT_MEMBER, name)
        assert (await world.run(ann, SetRole("dev", "cid", "mute"))).ok
        assert (await world.run(ann, SetRole("dev", "nobody", "ban"))).ok

    in_world(body)


def test_every_flag_is_announced_on_and_off() -> None:
    async def body(world: World) -> None:
        ((ann, device),) = await _room_with(world, "ann")
        letters: dict[RoomFlag, str] = {
            "moderated": "m",
            "topic-lock": "t",
            "invite-only": "i",
            "secret": "s",
        }
        for flag, letter in letters.items():
            assert await world.run(ann, SetFlag("dev", flag)) == Done(Outcome.OK, "Dev")
            assert await world.run(ann, SetFlag("dev", flag, on=False)) == Done(Outcome.OK, "Dev")
            changes = [e.change for e in device.of(ModeChanged)][-2:]
            assert changes == [f"+{letter}", f"-{letter}"]
        assert await world.run(ann, SetFlag("dev", "key", key="")) == Done(Outcome.BAD_KEY, "Dev")
        assert await world.run(ann, SetFlag("dev", "colour")) == Done(  # type: ignore[arg-type]
            Outcome.UNKNOWN_MODE, "colour"
        )

    in_world(body)


def test_flags_turned_off_stop_applying() -> None:
    async def body(world: World) -> None:
        ((ann, _),) = await _room_with(world, "ann")
        bob, _ = await world.user("bob")
        await world.run(ann, SetFlag("dev", "secret"))
        await world.run(ann, SetFlag("dev", "secret", on=False))
        assert [r.name for r in (await world.run(bob, ListRooms())).rooms] == ["lobby", "Dev"]
        await world.run(ann, SetFlag("dev", "key", key="s3cret"))
        await world.run(ann, SetFlag("dev", "key", on=False))
        assert (await world.run(bob, Join("dev"))).ok

    in_world(body)


def test_kicks_name_the_user_as_registered_and_the_console_as_server() -> None:
    async def body(world: World) -> None:
        (ann, ann_device), _ = await _room_with(world, "ann", "Bob")
        assert await world.run(ann, Kick("dev", "BOB")) == Done(Outcome.OK, "Bob")
        assert await world.run(ann, Kick("dev", "BOB")) == Done(Outcome.TARGET_NOT_MEMBER, "BOB")
        assert await world.run(ann, Kick("dev", "nobody")) == Done(
            Outcome.TARGET_NOT_MEMBER, "nobody"
        )
        cid, _ = await world.user("cid")
        await world.run(cid, Join("dev"))
        console, _ = world.connect(operator=True)
        assert (await world.run(console, Kick("dev", "cid", "off"))).ok
        assert Kicked("Dev", "cid", "server", "off") in ann_device.events

    in_world(body)


def test_invitations_come_from_members_and_only_operators_of_invite_only_rooms() -> None:
    async def body(world: World) -> None:
        (ann, _), (bob, _) = await _room_with(world, "ann", "bob")
        cid, cid_device = await world.user("Cid")
        assert await world.run(cid, Invite("dev", "ann")) == Done(Outcome.NOT_MEMBER, "Dev")
        assert await world.run(bob, Invite("dev", "nobody")) == Done(Outcome.NO_SUCH_USER, "nobody")
        assert await world.run(bob, Invite("dev", "ANN")) == Done(
            Outcome.TARGET_ALREADY_MEMBER, "ann"
        )
        assert await world.run(bob, Invite("dev", "cid")) == Done(Outcome.OK, "Cid")
        assert Invited("Dev", "bob", "Cid") in cid_device.events
        await world.run(ann, SetFlag("dev", "invite-only"))
        assert await world.run(bob, Invite("dev", "cid")) == Done(Outcome.NOT_OPERATOR, "Dev")
        assert await world.run(ann, Invite("dev", "cid")) == Done(Outcome.OK, "Cid")
        console, _ = world.connect(operator=True)
        assert await world.run(console, Invite("dev", "cid")) == Done(Outcome.OK, "Cid")
        assert Invited("Dev", "server", "Cid") in cid_device.events

    in_world(body)


def test_mode_letters_read_as_roles_and_flags() -> None:
    assert mode_command("dev", "+o", "bob") == SetRole("dev", "bob", "operator", True)
    assert mode_command("dev", "-v", "bob") == SetRole("dev", "bob", "voice", False)
    assert mode_command("dev", "+b", "bob") == SetRole("dev", "bob", "ban", True)
    assert mode_command("dev", "-q", "bob") == SetRole("dev", "bob", "mute", False)
    assert mode_command("dev", "+m") == SetFlag("dev", "moderated", True, "")
    assert mode_command("dev", "-t") == SetFlag("dev", "topic-lock", False, "")
    assert mode_command("dev", "+i") == SetFlag("dev", "invite-only", True, "")
    assert mode_command("dev", "+s") == SetFlag("dev", "secret", True, "")
    assert mode_command("dev", "+k", "s3cret") == SetFlag("dev", "key", True, "s3cret")
    assert mode_command("dev", "-k") == SetFlag("dev", "key", False, "")


def test_mode_changes_that_are_not_commands() -> None:
    for change, argument in [
        ("+o", ""),  # a role needs the user's name
        ("+x", "bob"),  # no such letter
        ("*m", ""),
        ("m", ""),
        ("+mm", ""),
        ("", ""),
    ]:
        assert mode_command("dev", change, argument) is None, change
