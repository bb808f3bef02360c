"""Room limits: at most so many members (IRC's ``+l``), for joins from every door.

A room operator sets or lifts a limit; every member hears it as a `ModeChanged` (``+l 5``,
``-l``). A join that would go past the limit is refused (`Outcome.ROOM_FULL`) unless the
joiner was invited or is the server's operator: the limit wraps the join use case in the
core's command table, so no door can go around it. A limit lives as long as its room.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from parley.chat.answers import Done, Entered, Outcome
from parley.chat.commands import Join, SetLimit
from parley.chat.events import OPERATOR_NAME, ModeChanged
from parley.chat.model import Room, Session, room_key

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

MAX_LIMIT = 100_000  # the largest limit a room may have

JoinHandler = Callable[[Session, Join], Entered | Coroutine[Any, Any, Entered]]


class RoomLimits:
    """The room-limit use case, and the check it adds to joining."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self._limits: dict[str, tuple[Room, int]] = {}  # room key -> (that room, limit)

    def limit(self, room: Room) -> int:
        """The room's limit (0: none); a limit of a room that went and came back is gone."""
        held = self._limits.get(room.key)
        if held is None:
            return 0
        if held[0] is not room:
            del self._limits[room.key]
            return 0
        return held[1]

    def set_limit(self, session: Session, command: SetLimit) -> Done:
        """Set the room's limit (1 to `MAX_LIMIT`), or lift it with 0; operators only."""
        core = self._core
        room = core.room(command.room)
        if room is None:
            return Done(Outcome.NO_SUCH_ROOM, command.room.removeprefix("#"))
        if not core.moderation.is_operator(session, room):
            return Done(Outcome.NOT_OPERATOR, room.name)
        if room.is_lobby:
            return Done(Outcome.LOBBY_IS_HOME, room.name)
        if not 0 <= command.limit <= MAX_LIMIT:
            return Done(Outcome.UNKNOWN_MODE, room.name, f"a limit is 1 to {MAX_LIMIT}")
        by = session.name or OPERATOR_NAME
        if command.limit:
            self._limits[room.key] = (room, command.limit)
            core.to_room(room, ModeChanged(room.name, by, "+l", str(command.limit)))
        elif self._limits.pop(room.key, None) is not None:
            core.to_room(room, ModeChanged(room.name, by, "-l"))
        return Done(Outcome.OK, room.name)

    def limited(self, join: JoinHandler) -> JoinHandler:
        """`join`, refused once the room is full (invitees and the server operator pass)."""

        def checked(session: Session, command: Join) -> Entered | Coroutine[Any, Any, Entered]:
            room = self._core.rooms.get(room_key(command.room))
            user = session.user
            if room is not None and user is not None and user not in room.members:
                limit = self.limit(room)
                full = limit and len(room.members) >= limit
                if full and user.key not in room.invited and not session.is_operator:
                    return Entered(Outcome.ROOM_FULL, room.name)
            return join(session, command)

        return checked
