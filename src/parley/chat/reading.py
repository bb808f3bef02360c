"""Read markers: what each user has read of each room and conversation, and what is unread.

A message is unread for a user when it is newer than the user's `last_read` for its room or
conversation and was not sent by them; it is a mention when it holds the user's name as a
word. The counts are the server's, so every device of a user shows the same numbers.

They are counted from what is relayed to the user while it is signed in from a door that
shows them and, at sign-in, from history (`backfill`), which covers what came while it was
away. A room message is counted once for all its readers, not once per reader: it goes into
the room's `Tally` once, and each reader's marker takes what is new for it (not its own, not
read) when its counts are next asked, in one pass (`Marker.catch_up`). A direct message, or a
mention, is noted per reader (`note`, `seen`). Either way a message is counted once per user
(deduplicated by message id, so two tabs count it once). Markers are
kept per name key while the server runs (an account's also while it is offline); a name
without an account loses them when it is released (`forget`).

Everything here is bounded: `MAX_COUNTED` unread messages per target, `MAX_TARGETS`
targets per user, `MAX_USERS` users, `TALLY_KEPT` messages per room tally, `MAX_TALLIES`
rooms. This module knows no store, no socket, no wire format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import compress, repeat
from operator import ne
from typing import TYPE_CHECKING

from parley.chat.answers import UnreadCount, UnreadCounts
from parley.chat.commands import MarkRead, Unread
from parley.chat.names import name_key
from parley.chat.store import StoredMessage

if TYPE_CHECKING:
    from parley.chat.core import ChatCore
    from parley.chat.model import Session

MAX_COUNTED = 999  # unread messages counted per room or conversation ("999+" past that)
MAX_TARGETS = 200  # rooms and conversations with a marker, per user
MAX_USERS = 50_000  # users with markers; the oldest go first
TALLY_KEPT = 4 * MAX_COUNTED  # messages a room's tally keeps at least (readers catch up when
# their counts are said, a few times a second at most, so they are seldom that far behind; one
# that is has more than the cap unread anyway, or was away, and history has it)
MAX_TALLIES = 10_000  # rooms with a tally; the oldest go first


class Tally:
    """The messages relayed to one room's readers, in order: appended once per message for
    all of them, so that counting costs each reader one pass per write, not a call per message.

    Positions are absolute (they survive trimming the oldest entries): `offset` is the
    position of ``ids[0]``.
    """

    __slots__ = ("ids", "key", "offset", "senders")

    def __init__(self, key: str) -> None:
        self.key = key  # the room's `target_key`
        self.ids: list[int] = []
        self.senders: list[str] = []  # the name key of each message's sender
        self.offset = 0

    @property
    def end(self) -> int:
        """The position the next message will have."""
        return self.offset + len(self.ids)

    def append(self, first: int, count: int, sender_key: str) -> int:
        """Messages ``first .. first + count - 1`` from `sender_key`: the position of the first."""
        position = self.offset + len(self.ids)
        if count == 1:
            self.ids.append(first)
            self.senders.append(sender_key)
        else:
            self.ids.extend(range(first, first + count))
            self.senders.extend([sender_key] * count)
        if len(self.ids) > 2 * TALLY_KEPT:
            del self.ids[:TALLY_KEPT], self.senders[:TALLY_KEPT]
            self.offset += TALLY_KEPT
        return position


class Marker:
    """A user's place in one target: what it has read, and the ids it has not."""

    __slots__ = ("last_read", "mentions", "newest", "pending", "position", "tally", "target")

    def __init__(self, target: str, last_read: int = 0) -> None:
        self.target = target
        self.last_read = last_read
        self.newest = last_read  # the newest id noted, counted or read
        self.pending: dict[int, bool] = {}  # unread id -> is a mention
        self.mentions = 0  # of `pending`, kept as they come: a count is asked per write
        self.tally: Tally | None = None  # the room's tally this marker counts from
        self.position = 0  # the tally's position up to which it has counted

    def count(self) -> UnreadCount:
        return UnreadCount(self.target, len(self.pending), self.mentions, self.last_read)

    def figures(self) -> tuple[int, int, int]:
        """What `count` would say (unread, mentions, last read), without making one: a
        door compares it with what it last said at every write."""
        return len(self.pending), self.mentions, self.last_read

    def add(self, message_id: int, mention: bool) -> None:
        self.newest = max(self.newest, message_id)
        if len(self.pending) < MAX_COUNTED and message_id not in self.pending:
            self.pending[message_id] = mention
            self.mentions += mention

    def follow(self, tally: Tally, position: int) -> None:
        """Count `tally` from `position` on (the first message relayed to this user since it
        last followed one), unless it already does."""
        if self.tally is not tally:
            self.tally = tally
            self.position = position

    def catch_up(self, user_key: str) -> None:
        """Count what the tally has had since the last time: unread unless it is `user_key`'s
        own, already read or already counted (a mention noted as it came)."""
        tally = self.tally
        if tally is None or self.position >= tally.end:
            return
        start = max(self.position - tally.offset, 0)
        self.position = tally.end
        pending = self.pending
        room = MAX_COUNTED - len(pending)
        if room <= 0:
            return
        ids, senders = tally.ids[start:], tally.senders[start:]
        if ids[0] > self.newest:
            # Ids only grow along a tally, so none of these is read or counted yet: only the
            # user's own are left out, by passes in C (most catch-ups of a busy room).
            if user_key in senders:
                ids = list(compress(ids, map(ne, senders, repeat(user_key))))
            new = ids
        else:
            last = self.last_read
            new = [
                number
                for number, sender in zip(ids, senders, strict=True)
                if number > last and sender != user_key and number not in pending
            ]
        if new:
            new = new[:room]
            pending.update(dict.fromkeys(new, False))
            self.newest = max(self.newest, new[-1])  # ids grow along the tally

    def read_to(self, message_id: int) -> None:
        self.last_read = max(self.last_read, message_id)
        self.newest = max(self.newest, message_id)
        self.pending = {i: m for i, m in self.pending.items() if i > self.last_read}
        self.mentions = sum(self.pending.values())


@lru_cache(maxsize=4096)
def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)


def is_mention(text: str, name: str) -> bool:
    """Whether `text` holds `name` as a word (any case): ``@alice``, ``alice:``, not ``alicex``."""
    return name.casefold() in text.casefold() and _word(name).search(text) is not None


def target_key(target: str) -> str:
    """The identity of a target: ``dev`` and ``#Dev`` are one room, ``@Bob`` and ``@bob`` one
    conversation."""
    if target.startswith("@"):
        return "@" + name_key(target[1:])
    return name_key(target.removeprefix("#"))


class ReadMarkers:
    """Every user's markers on one node."""

    def __init__(self) -> None:
        self._users: dict[str, dict[str, Marker]] = {}  # name key -> target key -> marker
        self._tallies: dict[str, Tally] = {}  # room key -> its tally
        self._spelt: dict[str, Tally] = {}  # room name as written -> its tally (no key to make)

    def tally(self, room: str) -> Tally:
        """The tally of `room`, where a message relayed to it is counted once for everyone."""
        tally = self._spelt.get(room)
        if tally is not None:
            return tally
        key = target_key(room)
        tally = self._tallies.get(key)
        if tally is None:
            if len(self._tallies) >= MAX_TALLIES:
                del self._tallies[next(iter(self._tallies))]
                self._spelt.clear()  # may name the one dropped
            tally = self._tallies[key] = Tally(key)
        if len(self._spelt) >= MAX_TALLIES:
            self._spelt.clear()
        self._spelt[room] = tally
        return tally

    def follow(self, user_key: str, room: str, tally: Tally, position: int) -> Marker:
        """The user was relayed `room`'s messages from `position` of `tally` on: its marker,
        counted up to now."""
        marker = self._marker(user_key, room, tally.key)
        marker.follow(tally, position)
        marker.catch_up(user_key)
        return marker

    def marker(self, user_key: str, target: str) -> Marker:
        """The user's marker in `target` (made, as read up to nothing, if it has none)."""
        return self._marker(user_key, target)

    def _marker(self, user_key: str, target: str, key: str | None = None) -> Marker:
        """The marker, made if need be (`key`: the target's, if the caller has it)."""
        markers = self._users.get(user_key)
        if markers is None:
            if len(self._users) >= MAX_USERS:
                del self._users[next(iter(self._users))]
            markers = self._users[user_key] = {}
        if key is None:
            key = target_key(target)
        marker = markers.get(key)
        if marker is None:
            if len(markers) >= MAX_TARGETS:
                del markers[next(iter(markers))]
            marker = markers[key] = Marker(target)
        return marker

    def last_read(self, user_key: str, target: str) -> int | None:
        """The user's marker in `target`, or None if it has none."""
        marker = self._users.get(user_key, {}).get(target_key(target))
        return None if marker is None else marker.last_read

    def counts(self, user_key: str) -> tuple[UnreadCount, ...]:
        """Every marker of the user, in the order they were made."""
        markers = self._users.get(user_key, {}).values()
        for marker in markers:
            marker.catch_up(user_key)
        return tuple(m.count() for m in markers)

    def targets(self, user_key: str) -> tuple[str, ...]:
        """The targets the user has markers for (as first named)."""
        return tuple(m.target for m in self._users.get(user_key, {}).values())

    def seen(
        self, user_key: str, user_name: str, target: str, *, message_id: int, sender: str, text: str
    ) -> UnreadCount | None:
        """Message `message_id` of `target` reached the user: its counts if it is unread.

        None when it is the user's own message or already read. A message seen again (by a
        second tab) is not counted twice.
        """
        if name_key(sender) == user_key:
            return None
        marker = self.note(user_key, target, message_id, is_mention(text, user_name))
        return None if marker is None else marker.count()

    def note(self, user_key: str, target: str, message_id: int, mention: bool) -> Marker | None:
        """`seen` for a caller that knows the message is not the user's own and whether it is
        a mention (the web door: a direct message, or a room message that mentions the user;
        the others come through the room's `Tally`): the marker, unless already read."""
        marker = self._marker(user_key, target)
        if message_id <= marker.last_read:
            return None
        if message_id > marker.newest:  # else counted already (another tab saw it first)
            marker.add(message_id, mention)
        return marker

    def read(self, user_key: str, target: str, message_id: int) -> UnreadCount:
        """The user has read `target` up to `message_id` (never backwards)."""
        marker = self._marker(user_key, target)
        marker.catch_up(user_key)
        marker.read_to(message_id)
        return marker.count()

    def backfill(
        self, user_key: str, user_name: str, target: str, messages: Iterable[StoredMessage]
    ) -> UnreadCount:
        """Count from history (oldest first) what the user has not read of `target`.

        A target the user has never had a marker for starts as read up to its newest message:
        a first visit shows history, not hundreds of unread messages.
        """
        fresh = self.last_read(user_key, target) is None
        marker = self._marker(user_key, target)
        marker.catch_up(user_key)
        history = list(messages)
        if fresh:
            marker.read_to(history[-1].id if history else 0)
            return marker.count()
        for message in history:
            unread = message.id > marker.last_read and message.id not in marker.pending
            if unread and name_key(message.sender) != user_key:
                marker.add(message.id, is_mention(message.text, user_name))
        return marker.count()

    def forget(self, user_key: str) -> None:
        """Drop the user's markers (a name without an account was released)."""
        self._users.pop(user_key, None)


class Reading:
    """The read-marker use cases: the counts at sign-in, and marking a target read."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self.markers = ReadMarkers()

    async def unread(self, session: Session, command: Unread) -> UnreadCounts:
        """Count, from history, what came to the user's rooms and conversations unread."""
        user = session.user
        assert user is not None
        core, markers = self._core, self.markers
        store = core.ports.store
        await core.ports.keeper.drain()
        counts = []
        for room in list(user.rooms):
            last = markers.last_read(user.key, room.name)
            if last is None:
                history = await store.room_history(room.name, limit=1)
            else:
                history = await store.room_history(room.name, after_id=last, limit=MAX_COUNTED)
            counts.append(markers.backfill(user.key, user.name, room.name, history))
        for target in markers.targets(user.key):
            last = markers.last_read(user.key, target)
            if target.startswith("@") and last is not None:
                other = name_key(target[1:])
                history = await store.direct_history(
                    user.key, other, after_id=last, limit=MAX_COUNTED, since=user.since
                )
                counts.append(markers.backfill(user.key, user.name, target, history))
        return UnreadCounts(tuple(counts))

    def mark_read(self, session: Session, command: MarkRead) -> UnreadCounts:
        """Everything of `target` up to `id` is read (for every device of the user)."""
        user = session.user
        assert user is not None
        count = self.markers.read(user.key, command.target, command.id)
        return UnreadCounts((count,))
