"""Searching what was said: the words of a query in the rooms and conversations a user may read.

The rules are history's: a room's messages to its members, a direct conversation to the two
who had it (for a name without an account, only from the time this holder took the name).
A search with no room or conversation named looks through every room the user is in and all
of their direct conversations. The store does the matching (SQLite's FTS5, or a scan of the
bounded memory store); each search costs a listing from the user's budget, like ``ROOMS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.chat.answers import HistoryPage, Outcome
from parley.chat.commands import Search
from parley.chat.model import room_key
from parley.chat.names import name_key
from parley.chat.store import direct_pair, room_conversation, search_terms

if TYPE_CHECKING:
    from parley.chat.core import ChatCore
    from parley.chat.model import Session

EVERYWHERE = "*"  # the target of a search that named no room or conversation


class Searching:
    """The search use case."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core

    async def search(self, session: Session, command: Search) -> HistoryPage:
        """The newest matches (oldest first) of `command.text` where the asker may read."""
        core = self._core
        user = session.user
        assert user is not None
        target = command.target or EVERYWHERE
        terms = search_terms(command.text)
        if not terms:
            return HistoryPage(Outcome.NOTHING_TO_SEARCH, target)
        if not core.room_cases.may_list(session):
            return HistoryPage(Outcome.TOO_MANY_LISTINGS, target)
        rooms, direct_of = [], None
        conversations: list[str] = []
        if target == EVERYWHERE:
            rooms = [room.name for room in user.rooms]
            direct_of = user.key
        elif target.startswith("@"):
            conversations = [direct_pair(user.key, name_key(target[1:]))]
        else:
            room = core.rooms.get(room_key(target))
            if room is None or user not in room.members:
                return HistoryPage(Outcome.NOT_MEMBER, target.removeprefix("#"))
            rooms, target = [room.name], "#" + room.name
        conversations += [room_conversation(name) for name in rooms]
        limit = min(command.count or core.config.history_lines or 20, core.config.max_history_page)
        await core.ports.keeper.drain()
        found = await core.ports.store.search_history(
            terms,
            conversations=conversations,
            direct_of=direct_of,
            direct_since=user.since,
            before_id=command.before,
            limit=limit,
        )
        if target.startswith("@"):  # a name's earlier holder's conversations are not its own
            found = [message for message in found if message.at >= user.since]
        return HistoryPage(Outcome.OK, target, tuple(found))
