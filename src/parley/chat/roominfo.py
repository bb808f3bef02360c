"""When a room was made, and who set its topic when: what IRC shows as ``329`` and ``333``.

Both are noted by wrapping the join and set-topic use cases in the core's command table, so
they hold whatever door the change came from. They are live facts of a room (never stored):
a room that went and came back starts afresh, and a room rejoined from the store after a
restart has no known creation time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from parley.chat.answers import Done, Entered
from parley.chat.commands import Join, SetTopic
from parley.chat.model import Room, Session, room_key
from parley.records import record

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

A = TypeVar("A", Entered, Done)
C = TypeVar("C", Join, SetTopic)
Handler = Callable[[Session, C], A | Coroutine[Any, Any, A]]


@record
class TopicSetting:
    """Who set a room's topic, and when (unix seconds)."""

    by: str
    at: float


class RoomInfo:
    """Creation times and topic settings of the rooms online, noted as they happen."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self._created: dict[str, tuple[Room, float]] = {}
        self._topics: dict[str, tuple[Room, TopicSetting]] = {}

    def created_at(self, room: Room) -> float | None:
        """When `room` was made, if it was made while the server ran."""
        held = self._created.get(room.key)
        return held[1] if held is not None and held[0] is room else None

    def topic_setting(self, room: Room) -> TopicSetting | None:
        """Who set the current topic of `room`, and when (None: not known, or no topic)."""
        held = self._topics.get(room.key)
        return held[1] if held is not None and held[0] is room and room.topic else None

    def noting_creation(self, join: Handler[Join, Entered]) -> Handler[Join, Entered]:
        """`join`, noting the time when it made the room."""

        def noted(session: Session, command: Join) -> Entered | Coroutine[Any, Any, Entered]:
            before = self._core.rooms.get(room_key(command.room))
            return self._after(join(session, command), lambda: self._made(command, before))

        return noted

    def noting_topic(self, set_topic: Handler[SetTopic, Done]) -> Handler[SetTopic, Done]:
        """`set_topic`, noting who set the topic and when."""

        def noted(session: Session, command: SetTopic) -> Done | Coroutine[Any, Any, Done]:
            at, by = time.time(), session.name or "server"

            def note() -> None:
                room = self._core.room(command.room)
                if room is not None and room.topic == command.topic:
                    self._topics[room.key] = (room, TopicSetting(by, at))
                    self._prune(self._topics)

            return self._after(set_topic(session, command), note)

        return noted

    def _made(self, command: Join, before: Room | None) -> None:
        room = self._core.rooms.get(room_key(command.room))
        if room is not None and room is not before and self.created_at(room) is None:
            self._created[room.key] = (room, time.time())
            self._prune(self._created)

    def _after(
        self, result: A | Coroutine[Any, Any, A], note: Callable[[], None]
    ) -> A | Coroutine[Any, Any, A]:
        """`result` (an answer, or a coroutine of one), with `note` run once it is there."""
        if isinstance(result, Coroutine):
            return self._awaited(result, note)
        note()
        return result

    async def _awaited(self, pending: Coroutine[Any, Any, A], note: Callable[[], None]) -> A:
        answer = await pending
        note()
        return answer

    def _prune(self, table: dict[str, tuple[Room, Any]]) -> None:
        """Forget rooms that are gone, once the table holds twice as many as there are."""
        rooms = self._core.rooms
        if len(table) > 2 * len(rooms) + 16:
            for key in [key for key, (room, _) in table.items() if rooms.get(key) is not room]:
                del table[key]
