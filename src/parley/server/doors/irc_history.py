"""``CHATHISTORY`` (IRCv3 draft/chathistory) for the IRC door, served from the store.

The ids are the core's message ids (``msgid`` tags), the same ones every other door's history
shows, so a client may page with references it got from any door. A ``msgid=`` reference
goes to the store as it is; a ``timestamp=`` one is resolved within the newest page the core
hands out (`CoreConfig.max_history_page` messages), which is as far back as a timestamp
reaches. Replies come in a ``chathistory`` batch; errors are standard replies (``FAIL``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from parley.chat import commands as core
from parley.chat.answers import HistoryPage
from parley.chat.store import StoredMessage
from parley.protocol import irc
from parley.server.doors.irc_caps import IrcCapabilities
from parley.server.doors.irc_encoding import channel, stored_message

MAX_LIMIT = 100  # messages in one answer (ISUPPORT CHATHISTORY)

Reference = tuple[str, float]  # ("msgid", id) or ("timestamp", unix seconds)


def parse_reference(text: str) -> Reference | None:
    """``msgid=<id>`` or ``timestamp=<server-time>`` as a reference, or None."""
    kind, _, value = text.partition("=")
    if kind == "msgid" and value.isdigit():
        return ("msgid", float(int(value)))
    if kind == "timestamp":
        moment = irc.parse_time(value)
        return None if moment is None else ("timestamp", moment)
    return None


def _key(message: StoredMessage, kind: str) -> float:
    return float(message.id) if kind == "msgid" else message.at


class IrcHistory(IrcCapabilities):
    """The ``CHATHISTORY`` command."""

    __slots__ = ()

    def _chathistory(self, params: tuple[str, ...]) -> None:
        sub = params[0].upper()
        if sub == "TARGETS":
            self._history_targets(params[1:])
            return
        handler = _SUBCOMMANDS.get(sub)
        if handler is None:
            self._fail("CHATHISTORY", "INVALID_PARAMS", sub, "Unknown subcommand")
            return
        fewest = 5 if sub == "BETWEEN" else 4
        limit = params[fewest - 1] if len(params) >= fewest else ""
        if not limit.isdigit():
            self._fail("CHATHISTORY", "INVALID_PARAMS", sub, "Not enough or bad parameters")
            return
        target = params[1]
        refs = []
        for text in params[2 : fewest - 1]:
            ref = parse_reference(text)
            if ref is None and not (sub == "LATEST" and text == "*"):
                self._fail("CHATHISTORY", "INVALID_PARAMS", sub, text, "Bad message reference")
                return
            refs.append(ref)
        count = max(1, min(int(limit) or MAX_LIMIT, MAX_LIMIT))
        self._run(handler(self, target, refs, count))

    def _core_target(self, target: str) -> str:
        return target if target.startswith("#") else "@" + target

    async def _page(self, target: str, **kwargs: int | None) -> HistoryPage:
        return await self._link.core.run(
            self._link.session, core.History(self._core_target(target), **kwargs)
        )

    async def _window(self, target: str) -> HistoryPage:
        """The newest page the core gives: what timestamps are resolved in."""
        return await self._page(target, count=self._link.core.config.max_history_page)

    def _answer(self, target: str, page: HistoryPage, chosen: list[StoredMessage]) -> None:
        if not page.ok:
            self._fail("CHATHISTORY", "INVALID_TARGET", "*", target, "No such conversation")
            return
        shown = channel(target) if target.startswith("#") else target
        start, end, ref = self.batch_lines("chathistory", shown)
        lines = b"".join(irc.encode(stored_message(message, self)) for message in chosen)
        if "batch" in self._caps:
            self._out(start + irc.add_tags(lines, f"batch={ref}") + end)
        else:
            self._out(lines)

    async def _latest(self, target: str, refs: list[Reference | None], count: int) -> None:
        ref = refs[0]
        if ref is None:
            page = await self._page(target, count=count)
            self._answer(target, page, list(page.messages))
        elif ref[0] == "msgid":
            most = self._link.core.config.max_history_page
            page = await self._page(target, count=most, after=int(ref[1]))
            self._answer(target, page, list(page.messages[-count:]))
        else:
            page = await self._window(target)
            chosen = [m for m in page.messages if m.at > ref[1]]
            self._answer(target, page, chosen[-count:])

    async def _before(self, target: str, refs: list[Reference | None], count: int) -> None:
        ref = refs[0]
        assert ref is not None
        if ref[0] == "msgid":
            page = await self._page(target, count=count, before=int(ref[1]))
            self._answer(target, page, list(page.messages))
        else:
            page = await self._window(target)
            self._answer(target, page, [m for m in page.messages if m.at < ref[1]][-count:])

    async def _after(self, target: str, refs: list[Reference | None], count: int) -> None:
        ref = refs[0]
        assert ref is not None
        if ref[0] == "msgid":
            page = await self._page(target, count=count, after=int(ref[1]))
            self._answer(target, page, list(page.messages))
        else:
            page = await self._window(target)
            self._answer(target, page, [m for m in page.messages if m.at > ref[1]][:count])

    async def _around(self, target: str, refs: list[Reference | None], count: int) -> None:
        ref = refs[0]
        assert ref is not None
        if ref[0] == "msgid":
            older = await self._page(target, count=(count + 1) // 2, before=int(ref[1]) + 1)
            newer = await self._page(target, count=count - len(older.messages), after=int(ref[1]))
            self._answer(target, older, [*older.messages, *newer.messages][:count])
            return
        page = await self._window(target)
        messages = list(page.messages)
        split = next((i for i, m in enumerate(messages) if m.at >= ref[1]), len(messages))
        first = max(0, split - count // 2)
        self._answer(target, page, messages[first : first + count])

    async def _between(self, target: str, refs: list[Reference | None], count: int) -> None:
        first, second = refs[0], refs[1]
        assert first is not None and second is not None
        if first[0] == "msgid" and second[0] == "msgid":
            low, high = sorted((int(first[1]), int(second[1])))
            most = self._link.core.config.max_history_page
            page = await self._page(target, count=most, after=low)
            inside = [m for m in page.messages if m.id < high]
        else:
            page = await self._window(target)
            low_at, high_at = sorted((self._moment(page, first), self._moment(page, second)))
            inside = [m for m in page.messages if low_at < m.at < high_at]
        forward = first[1] <= second[1] if first[0] == second[0] else True
        self._answer(target, page, inside[:count] if forward else inside[-count:])

    def _moment(self, page: HistoryPage, ref: Reference) -> float:
        """A reference as a time (a msgid's message's time, if it is in the page)."""
        if ref[0] == "timestamp":
            return ref[1]
        found = [m.at for m in page.messages if m.id == int(ref[1])]
        return found[0] if found else 0.0

    def _history_targets(self, params: tuple[str, ...]) -> None:
        """``CHATHISTORY TARGETS <ts> <ts> <limit>``: the user's channels with messages then."""
        refs = [parse_reference(text) for text in params[:2]]
        if len(params) < 3 or not params[2].isdigit() or None in refs:
            self._fail("CHATHISTORY", "INVALID_PARAMS", "TARGETS", "Bad parameters")
            return
        moments = sorted(ref[1] for ref in refs if ref is not None)
        self._run(self._targets_job(moments[0], moments[1], max(1, int(params[2]))))

    async def _targets_job(self, low: float, high: float, count: int) -> None:
        user = self._link.session.user
        found: list[tuple[float, str]] = []
        for room in list(user.rooms) if user is not None else []:
            page = await self._page("#" + room.name, count=1)
            if page.ok and page.messages and low <= page.messages[-1].at <= high:
                found.append((page.messages[-1].at, channel(room.name)))
        start, end, ref = self.batch_lines("draft/chathistory-targets")
        lines = b"".join(
            irc.encode(
                irc.Message("CHATHISTORY", ("TARGETS", name, irc.format_time(at)), self._server)
            )
            for at, name in sorted(found)[:count]
        )
        if "batch" in self._caps:
            self._out(start + irc.add_tags(lines, f"batch={ref}") + end)
        else:
            self._out(lines)


_Job = Callable[[IrcHistory, str, list[Reference | None], int], Coroutine[Any, Any, None]]
_SUBCOMMANDS: dict[str, _Job] = {
    "LATEST": IrcHistory._latest,
    "BEFORE": IrcHistory._before,
    "AFTER": IrcHistory._after,
    "AROUND": IrcHistory._around,
    "BETWEEN": IrcHistory._between,
}
