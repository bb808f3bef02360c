"""Registration, accounts and several connections of one user, in the chat core."""

from __future__ import annotations

from parley.chat.answers import Outcome
from parley.chat.commands import (
    CreateAccount,
    DeleteAccount,
    Join,
    Login,
    NameStatus,
    Register,
    Say,
    SendDirect,
    Signup,
    Who,
)
from parley.chat.events import DirectMessage, Presence, RoomMessage
from parley.chat.ports import CoreConfig
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"


def test_names_are_unique_valid_and_not_reserved() -> None:
    async def body(world: World) -> None:
        await world.user("alice")
        other, _ = world.connect()
        assert (await world.run(other, Register("ALICE"))).outcome is Outcome.NAME_TAKEN
        assert (await world.run(other, Register("bad name"))).outcome is Outcome.INVALID_NAME
        assert (await world.run(other, Register("server"))).outcome is Outcome.RESERVED_NAME
        answer = await world.run(other, Register("bob"))
        assert answer.ok and answer.others_online == 1
        assert (await world.run(other, Register("carol"))).outcome is Outcome.ALREADY_REGISTERED

    in_world(body)


def test_the_name_is_free_again_when_its_only_connection_goes() -> None:
    async def body(world: World) -> None:
        alice, _ = await world.user("alice")
        _, watcher = await world.user("bob")
        world.core.watch_presence(watcher.session)  # type: ignore[arg-type]
        assert world.core.close_session(alice) == "alice"
        assert watcher.of(Presence) == [Presence("alice", "*", "quit")]
        again, _ = world.connect()
        assert (await world.run(again, Register("alice"))).ok

    in_world(body)


def test_a_second_connection_with_the_password_is_the_same_user() -> None:
    async def body(world: World) -> None:
        laptop, laptop_device = world.connect()
        assert (await world.run(laptop, Signup("ann", PASSWORD))).ok
        await world.run(laptop, Join("dev"))
        phone, phone_device = world.connect()
        plain, _ = world.connect()
        assert (await world.run(plain, Register("ann"))).outcome is Outcome.PASSWORD_REQUIRED
        answer = await world.run(phone, Login("ann", PASSWORD))
        assert answer.ok and answer.attached
        assert [room.name for room in answer.rejoined] == ["dev"]
        assert (await world.run(phone, Who())).names == ("ann",)  # presence counts users
        bob, bob_device = await world.user("bob")
        await world.run(bob, Join("dev"))
        await world.run(bob, Say(("hi ann",), "dev"))
        said = RoomMessage("bob", ("hi ann",), "dev")
        assert said in laptop_device.said and said in phone_device.said
        await world.run(phone, Say(("from my phone",), "dev"))
        mine = RoomMessage("ann", ("from my phone",), "dev")
        assert mine in laptop_device.said and mine in bob_device.said
        assert mine not in phone_device.said
        await world.run(bob, SendDirect("ann", "psst"))
        whisper = DirectMessage("bob", "ann", "psst")
        assert whisper in laptop_device.said and whisper in phone_device.said
        # The name stays taken until the last connection leaves.
        assert world.core.close_session(laptop) is None
        other, _ = world.connect()
        assert (await world.run(other, Login("ann", "wrong password!"))).outcome is (
            Outcome.BAD_LOGIN
        )
        assert world.core.user("ann") is not None
        assert world.core.close_session(phone) == "ann"
        assert world.core.user("ann") is None

    in_world(body)


def test_an_account_made_while_online_lets_another_device_attach() -> None:
    async def body(world: World) -> None:
        holder, _ = await world.user("dave")
        other, _ = world.connect()
        assert (await world.run(other, Login("dave", PASSWORD))).outcome is Outcome.BAD_LOGIN
        assert (await world.run(holder, CreateAccount(PASSWORD))).ok
        assert (await world.run(holder, CreateAccount(PASSWORD))).outcome is Outcome.HAS_ACCOUNT
        answer = await world.run(other, Login("dave", PASSWORD))
        assert answer.ok and answer.attached

    in_world(body)


def test_name_status_tells_a_door_what_to_ask_for() -> None:
    async def body(world: World) -> None:
        owner, _ = world.connect()
        await world.run(owner, Signup("fay", PASSWORD))
        asker, _ = world.connect()
        status = await world.run(asker, NameStatus("fay"))
        assert (status.outcome, status.detail) == (Outcome.PASSWORD_REQUIRED, "login")
        assert (await world.run(asker, NameStatus("gus"))).ok

    in_world(body)


def test_require_accounts_asks_for_a_sign_up() -> None:
    async def body(world: World) -> None:
        asker, _ = world.connect()
        status = await world.run(asker, NameStatus("gus"))
        assert (status.outcome, status.detail) == (Outcome.PASSWORD_REQUIRED, "signup")
        assert (await world.run(asker, Register("gus"))).outcome is Outcome.PASSWORD_REQUIRED

    in_world(body, CoreConfig(require_accounts=True))


def test_deleting_an_account_frees_the_name_and_its_conversations() -> None:
    async def body(world: World) -> None:
        carol, _ = world.connect()
        await world.run(carol, Signup("carol", PASSWORD))
        dave, _ = await world.user("dave")
        await world.run(dave, SendDirect("carol", "reset code 998877"))
        await world.keeper.drain()
        assert await world.store.direct_history("carol", "dave")
        assert (await world.run(carol, DeleteAccount("not it at all"))).outcome is (
            Outcome.BAD_LOGIN
        )
        assert (await world.run(carol, DeleteAccount(PASSWORD))).ok
        assert await world.store.direct_history("carol", "dave") == []
        assert (await world.run(carol, DeleteAccount(PASSWORD))).outcome is Outcome.NO_ACCOUNT

    in_world(body)
