"""The plain door line by line, against a fake transport and a real chat core."""

from __future__ import annotations

from parley.server.doors.plain import PlainDoor
from tests.server.doors.conftest import FakeLink, Rig, run


async def _person(rig: Rig, name: str) -> FakeLink:
    link = rig.link(PlainDoor)
    await link.line(name.encode())
    assert link.take()[0].startswith(b"Registration successful. Welcome, " + name.encode())
    return link


def test_name_prompt_then_chat() -> None:
    async def body(rig: Rig) -> None:
        link = rig.link(PlainDoor)
        await link.line(b"bad name!")
        assert link.take() == [
            b"Invalid username 'bad name!': one word of up to 32 letters, digits, _ - .",
            b"Name: ",
        ]
        await link.line(b"server")
        assert link.take()[0] == b"Invalid username 'server': that name is reserved."
        await link.line(b"zoe")
        assert link.take() == [
            b"Registration successful. Welcome, zoe! Nobody else is online.",
            b"Type to chat in the lobby; /help lists the commands.",
        ]
        other = await _person(rig, "max")
        await link.line(b"hello all")
        assert other.take() == [b"zoe: hello all"]
        await other.line(b"hi > zoe")
        assert link.take() == [b"max (private): hi"]

    run(body)


def test_rooms_and_moderation_in_words() -> None:
    async def body(rig: Rig) -> None:
        zoe, max_ = await _person(rig, "zoe"), await _person(rig, "max")
        await zoe.line(b"/join dev")
        assert zoe.take()[0] == b"* zoe joined dev"
        await max_.line(b"/join dev")
        max_.take()
        zoe.take()
        await max_.line(b"/kick zoe")
        assert max_.take() == [b"! You are not an operator of dev."]
        await zoe.line(b"/kick max enough")
        assert zoe.take() == [b"* max was kicked from dev by zoe (enough)"]
        assert max_.take() == [b"* max was kicked from dev by zoe (enough)"]
        await max_.line(b"back in the lobby")  # the kick moved max to the lobby
        assert zoe.take() == [b"max: back in the lobby"]
        await zoe.line(b"/mode +i")
        await max_.line(b"/join dev")
        assert max_.take() == [b"! dev is invite-only: ask an operator for an /invite."]

    run(body)


def test_seed003_mode() -> None:
    async def body(rig: Rig) -> None:
        joe = rig.link(PlainDoor)
        await joe.line(b"server:register joe")
        assert joe.take() == [b"Registration successful. Welcome, joe! Nobody else is online."]
        ann = await _person(rig, "ann")
        await ann.line(b"/msg joe hi joe")
        assert joe.take() == [b"ann: hi joe"]  # seed 003's own format
        await joe.line(b"who")
        assert joe.take() == [b"Online (2): ann, joe"]

    run(body)
