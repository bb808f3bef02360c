"""Room lines, direct and offline messages and history access, in the chat core."""

from __future__ import annotations

from parley.chat.answers import Outcome
from parley.chat.commands import (
    History,
    Join,
    Login,
    Say,
    SendDirect,
    ShowTyping,
    Signup,
    Welcome,
)
from parley.chat.events import DirectMessage, RoomMessage, Typing
from parley.chat.ports import CoreConfig
from tests.chat.conftest import World, in_world

PASSWORD = "a long password"


def test_a_line_reaches_the_others_and_is_kept_under_any_spelling_of_the_room() -> None:
    async def body(world: World) -> None:
        ann, ann_device = await world.user("ann")
        bob, bob_device = await world.user("bob")
        await world.run(ann, Join("Dev"))
        await world.run(bob, Join("#DEV"))
        assert (await world.run(ann, Say(("one", "two"), "dev"))).ok
        assert RoomMessage("ann", ("one", "two"), "Dev") in bob_device.said
        assert not ann_device.of(RoomMessage)
        page = await world.run(bob, History("#DEV"))
        assert [m.text for m in page.messages] == ["one", "two"]
        assert (await world.run(bob, ShowTyping("thr", "dev"))).ok
        assert Typing("bob", "thr", "Dev") in ann_device.events
        stranger, _ = await world.user("cid")
        assert (await world.run(stranger, History("#dev"))).outcome is Outcome.NOT_MEMBER
        assert (await world.run(stranger, Say(("x",), "dev"))).outcome is Outcome.NOT_MEMBER
        assert (await world.run(stranger, Say(("x",), "nowhere"))).outcome is Outcome.NO_SUCH_ROOM

    in_world(body)


def test_a_later_holder_of_a_name_never_reads_the_earlier_holders_messages() -> None:
    async def body(world: World) -> None:
        carol, _ = await world.user("carol")
        dave, _ = await world.user("dave")
        await world.run(dave, SendDirect("carol", "reset code 998877"))
        world.core.close_session(carol)
        answer = await world.run(dave, SendDirect("carol", "are you there?"))
        assert (answer.outcome, answer.subject) == (Outcome.QUEUED_UNCLAIMED, "carol")
        squatter, device = await world.user("Carol")
        await world.run(squatter, Welcome())
        page = await world.run(squatter, History("@dave"))
        assert page.ok and page.messages == ()
        # Seed 003's offline messages go to the name, whoever holds it (the sender was told).
        assert [e.text for e in device.of(DirectMessage)] == ["are you there?"]

    in_world(body)


def test_an_account_reads_its_own_conversations_and_gets_its_offline_messages() -> None:
    async def body(world: World) -> None:
        erin, _ = world.connect()
        await world.run(erin, Signup("erin", PASSWORD))
        fay, _ = await world.user("fay")
        await world.run(fay, SendDirect("erin", "hi erin"))
        world.core.close_session(erin)
        answer = await world.run(fay, SendDirect("erin", "while you were out"))
        assert answer.outcome is Outcome.QUEUED
        back, device = world.connect()
        assert (await world.run(back, Login("erin", PASSWORD))).detail == "welcome"
        await world.run(back, Welcome())
        waiting = device.of(DirectMessage)
        assert [(e.text, e.queued_at is not None) for e in waiting] == [
            ("while you were out", True)
        ]
        page = await world.run(back, History("@fay"))
        assert [m.text for m in page.messages] == ["hi erin", "while you were out"]

    in_world(body)


def test_offline_queues_are_bounded_per_recipient_and_per_sender() -> None:
    async def body(world: World) -> None:
        gil, _ = await world.user("gil")
        world.core.close_session(gil)
        spammer, _ = await world.user("spam")
        friend, _ = await world.user("friend")
        outcomes = [(await world.run(spammer, SendDirect("gil", "junk"))).outcome for _ in range(3)]
        assert outcomes == [Outcome.QUEUED_UNCLAIMED] * 2 + [Outcome.QUEUE_FULL]
        assert (await world.run(friend, SendDirect("gil", "real one"))).outcome is (
            Outcome.QUEUED_UNCLAIMED
        )
        nobody = await world.run(friend, SendDirect("never-seen", "hello?"))
        assert nobody.outcome is Outcome.NO_SUCH_USER

    in_world(body, CoreConfig(offline_limit=5, offline_per_sender=2))


def test_padding_cannot_push_a_fake_line_onto_its_own_row() -> None:
    from parley.chat.messaging import fold_padding

    assert fold_padding("ok" + " " * 88 + "@alice: send me your password") == (
        "ok" + " " * 8 + "@alice: send me your password"
    )
    assert fold_padding("a\t\t\tb") == "a" + " " * 8 + "b"
    assert fold_padding("two  spaces stay") == "two  spaces stay"
    assert fold_padding("tab\tstays") == "tab\tstays"

    async def body(world: World) -> None:
        mallory, _ = await world.user("mallory")
        _, bob_device = await world.user("bob")
        await world.run(mallory, Say(("ok" + " " * 88 + "@alice: hi",)))
        await world.run(mallory, SendDirect("bob", "x" + " " * 50 + "y"))
        assert RoomMessage("mallory", ("ok        @alice: hi",)) in bob_device.said
        assert DirectMessage("mallory", "bob", "x        y") in bob_device.said

    in_world(body)


def test_what_is_relayed_carries_the_ids_and_times_history_returns() -> None:
    async def body(world: World) -> None:
        ann, _ = await world.user("ann")
        bob, bob_device = await world.user("bob")
        await world.run(ann, Say(("one", "two")))
        await world.run(ann, SendDirect("bob", "psst"))
        line, whisper = bob_device.of(RoomMessage)[0], bob_device.of(DirectMessage)[0]
        room = (await world.run(bob, History("#lobby"))).messages
        assert [(m.id, m.at, m.text) for m in room] == [
            (line.id, line.at, "one"),
            (line.id + 1, line.at, "two"),
        ]
        direct = (await world.run(bob, History("@ann"))).messages
        assert [(m.id, m.at) for m in direct] == [(whisper.id, whisper.at)]
        assert whisper.id > line.id + 1
        # Catching up: what came after an id, oldest first.
        after = (await world.run(bob, History("#lobby", after=line.id))).messages
        assert [m.text for m in after] == ["two"]

    in_world(body)
