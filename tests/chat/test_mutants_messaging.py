"""History paging and padding rules that mutation testing found unchecked by the core's
tests: page sizes, paging back with `before`, the subjects of answers, and the exact width
at which a run of spaces or tabs is folded."""

from __future__ import annotations

import pytest

from parley.chat.answers import HistoryPage, Outcome
from parley.chat.commands import History, Join, Say, SendDirect
from parley.chat.messaging import MAX_PADDING, fold_padding
from parley.chat.ports import CoreConfig
from tests.chat.conftest import World, in_world

TEXTS = [f"line {n}" for n in range(30)]


async def _talk(world: World) -> None:
    """ann says TEXTS in `Dev` and to bob, who is in the room."""
    ann, _ = await world.user("ann")
    bob, _ = await world.user("bob")
    await world.run(ann, Join("Dev"))
    await world.run(bob, Join("dev"))
    for text in TEXTS:
        await world.run(ann, Say((text,), "dev"))
        await world.run(ann, SendDirect("bob", text))


def test_history_pages_have_the_asked_for_size_within_the_bounds() -> None:
    async def body(world: World) -> None:
        await _talk(world)
        bob = world.core.user("bob")
        assert bob is not None
        session = bob.sessions[0]
        for target in ("#DEV", "@ann"):
            default = await world.run(session, History(target))
            assert [m.text for m in default.messages] == TEXTS[-4:]  # history_lines
            three = await world.run(session, History(target, count=3))
            assert [m.text for m in three.messages] == TEXTS[-3:]
            capped = await world.run(session, History(target, count=100))
            assert len(capped.messages) == 6  # max_history_page
            older = await world.run(session, History(target, count=2, before=three.messages[0].id))
            assert [m.text for m in older.messages] == TEXTS[-5:-3]

    in_world(body, CoreConfig(history_lines=4, max_history_page=6))


def test_without_history_lines_a_page_is_twenty_lines() -> None:
    async def body(world: World) -> None:
        await _talk(world)
        bob = world.core.user("bob")
        assert bob is not None
        page = await world.run(bob.sessions[0], History("dev"))
        assert [m.text for m in page.messages] == TEXTS[-20:]

    in_world(body, CoreConfig(history_lines=0))


def test_history_answers_name_what_was_asked_for() -> None:
    async def body(world: World) -> None:
        await _talk(world)
        bob = world.core.user("bob")
        assert bob is not None
        session = bob.sessions[0]
        assert (await world.run(session, History("dev"))).target == "#Dev"
        assert (await world.run(session, History("@ANN"))).target == "@ANN"
        assert await world.run(session, History("#nowhere")) == HistoryPage(
            Outcome.NOT_MEMBER, "nowhere"
        )

    in_world(body)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("a" + " " * MAX_PADDING + "b", "a" + " " * MAX_PADDING + "b"),
        ("a" + " " * (MAX_PADDING + 1) + "b", "a" + " " * MAX_PADDING + "b"),
        ("a\t\tb", "a" + " " * MAX_PADDING + "b"),
        ("a \tb", "a" + " " * MAX_PADDING + "b"),
        ("a  b", "a  b"),
    ],
)
def test_padding_is_folded_at_exactly_its_limit(text: str, folded: str) -> None:
    assert fold_padding(text) == folded
