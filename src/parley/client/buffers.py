"""The full-screen mode's buffers: one per room and per private conversation, pure.

Each line goes to the buffer of the conversation it belongs to (`Line.where`: ``#dev``,
``#lobby``, ``@bob``), or, if it belongs to none (a server reply, a notice), to the buffer
being looked at. A buffer you are not looking at counts the chat lines that arrive in it
(unread) and those that mention you; switching to it clears both. Buffers are switched by
number (Alt+1..9), in turn (Ctrl+N, Ctrl+P) or by name (``/switch NAME``), and each keeps its
own scroll position (PageUp, PageDown); PageUp at the top asks for an older page of
history (`Buffers.fetch_older`), whose lines go at the top of the buffer
(`parley.client.render.Older`). No prompt_toolkit here: `parley.client.fullscreen`
draws what this module keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from parley.client.catchup import conversation
from parley.client.render import Channel, Line, Older
from parley.protocol.names import name_key
from parley.records import record

LOBBY_KEY = "#lobby"
KEEP = 5000
"""Lines kept per buffer (the oldest go first)."""


class Shown(NamedTuple):
    """A line in a buffer, and when it arrived (the time shown before it)."""

    line: Line
    at: float


@dataclass(slots=True)
class ChatBuffer:
    """One conversation's lines, and what has not been looked at yet."""

    key: str
    """``#dev``, ``#lobby`` or ``@bob`` (`parley.client.catchup.conversation`)."""
    label: str
    """How the room list names it: ``lobby``, ``dev``, ``@bob``."""
    lines: list[Shown] = field(default_factory=list)
    unread: int = 0
    mentions: int = 0
    scroll: int = 0
    """How many lines up from the newest the view ends (0: following the newest)."""
    oldest_id: int | None = None
    """The smallest message id seen in it (from history): older pages are asked before it."""
    fetching: bool = False
    """An older page has been asked for and is not complete yet."""
    exhausted: bool = False
    """The server had no earlier messages: ask no more."""
    older_at: int = 0
    """Where the next line of the older page arriving goes (they come oldest first)."""

    @property
    def room(self) -> str | None:
        """The room's name (``lobby`` for the lobby); None for a private conversation."""
        return None if self.key.startswith("@") else self.label

    @property
    def peer(self) -> str | None:
        """The other person of a private conversation; None for a room."""
        return self.label[1:] if self.key.startswith("@") else None


@record
class Entry:
    """One row of the room list."""

    number: int
    label: str
    unread: int
    mentions: int
    current: bool

    @property
    def text(self) -> str:
        """``2 dev (3, @1)``: its number, name, and unread (and mention) count if any."""
        counts = ""
        if self.unread or self.mentions:
            counts = f" ({self.unread}" + (f", @{self.mentions}" if self.mentions else "") + ")"
        return f"{self.number} {self.label}{counts}"


class Fetch(NamedTuple):
    """An older page to ask for: the buffer's key and the message id to ask before (None:
    the buffer has no message from history yet, so the newest)."""

    key: str
    before: int | None


class Buffers:
    """The buffers of one session, in the order they were opened (the lobby first)."""

    def __init__(self) -> None:
        self._buffers: list[ChatBuffer] = [ChatBuffer(LOBBY_KEY, "lobby")]
        self._current = 0

    @property
    def current(self) -> ChatBuffer:
        return self._buffers[self._current]

    @property
    def all(self) -> tuple[ChatBuffer, ...]:
        return tuple(self._buffers)

    def entries(self) -> list[Entry]:
        """The room list, numbered from 1 (the number Alt+number switches to)."""
        return [
            Entry(number, buffer.label, buffer.unread, buffer.mentions, index == self._current)
            for number, (index, buffer) in enumerate(enumerate(self._buffers), start=1)
        ]

    def find(self, key: str) -> ChatBuffer | None:
        return next((b for b in self._buffers if b.key == key), None)

    def open(self, key: str, label: str | None = None) -> ChatBuffer:
        """The buffer for `key`, opened (at the end of the list) if it is not yet."""
        found = self.find(key)
        if found is not None:
            return found
        if label is None:
            label = key if key.startswith("@") else key[1:]
        buffer = ChatBuffer(key, label)
        self._buffers.append(buffer)
        return buffer

    def open_room(self, room: str) -> ChatBuffer:
        return self.open(conversation(room), room)

    def open_peer(self, name: str) -> ChatBuffer:
        return self.open(conversation(peer=name), f"@{name}")

    def sync_rooms(self, rooms: Iterable[str]) -> None:
        """Open a buffer for each room joined (a room left keeps its buffer: switching to
        it joins it again)."""
        for room in rooms:
            self.open_room(room)

    def add(self, line: Line, at: float = 0.0) -> ChatBuffer:
        """Put `line` in its buffer (the current one if it belongs to none), counting it
        as unread (and as a mention) there unless that buffer is the one looked at."""
        if line.where is None:
            buffer = self.current
        elif line.where.startswith("@"):
            buffer = self.find(line.where) or self.open_peer(_peer_name(line))
        else:
            buffer = self.open(line.where)
        if line.message_id is not None:
            oldest = buffer.oldest_id
            buffer.oldest_id = line.message_id if oldest is None else min(oldest, line.message_id)
        if line.older is not None:
            self._older(buffer, line, at)
            return buffer
        buffer.lines.append(Shown(line, at))
        if len(buffer.lines) > KEEP:
            del buffer.lines[: len(buffer.lines) - KEEP]
        if buffer is not self.current:
            if line.channel is Channel.CHAT and not line.dim:
                buffer.unread += 1
                buffer.mentions += line.mention
        elif buffer.scroll:
            buffer.scroll += 1  # the view stays where it was
        return buffer

    def _older(self, buffer: ChatBuffer, line: Line, at: float) -> None:
        """A part of an older page: at the top, in order, never unread; the view stays."""
        if line.older is Older.END:
            buffer.fetching = False
            return
        if line.older is Older.NONE:
            buffer.fetching, buffer.exhausted = False, True
        buffer.lines.insert(min(buffer.older_at, len(buffer.lines)), Shown(line, at))
        buffer.older_at += 1

    def fetch_older(self) -> Fetch | None:
        """What to ask for when scrolling back past the top of the current buffer; None if
        a page is on its way already, or the server said there are no earlier messages."""
        buffer = self.current
        if buffer.fetching or buffer.exhausted:
            return None
        buffer.fetching, buffer.older_at = True, 0
        return Fetch(buffer.key, buffer.oldest_id)

    def fetch_failed(self, key: str, *, exhausted: bool = True) -> None:
        """No older page will come for `key` (the server keeps no history, say)."""
        buffer = self.find(key)
        if buffer is not None:
            buffer.fetching, buffer.exhausted = False, exhausted

    def switch_to(self, buffer: ChatBuffer) -> ChatBuffer:
        """Look at `buffer` from now on: its counts are cleared."""
        self._current = self._buffers.index(buffer)
        buffer.unread = buffer.mentions = 0
        return buffer

    def switch_number(self, number: int) -> ChatBuffer | None:
        """Alt+`number` (from 1); None if there is no such buffer."""
        if not 1 <= number <= len(self._buffers):
            return None
        return self.switch_to(self._buffers[number - 1])

    def switch_by(self, step: int) -> ChatBuffer:
        """The next (1) or previous (-1) buffer, in turn."""
        return self.switch_to(self._buffers[(self._current + step) % len(self._buffers)])

    def switch_name(self, name: str) -> ChatBuffer | None:
        """``/switch NAME``: the room ``NAME`` or ``#NAME``, or the conversation ``@NAME``
        (a name that is only a conversation's finds it too); else the only buffer whose name
        starts so. None if none matches (or more than one does)."""
        name = name.strip()
        if not name:
            return None
        if name.startswith("@"):
            keys = [conversation(peer=name[1:])]
        else:
            keys = [conversation(name.removeprefix("#")), conversation(peer=name)]
        for key in keys:
            found = self.find(key)
            if found is not None:
                return self.switch_to(found)
        prefix = name_key(name.lstrip("#@"))
        matches = [b for b in self._buffers if name_key(b.label.lstrip("@")).startswith(prefix)]
        return self.switch_to(matches[0]) if len(matches) == 1 else None

    def follow_room(self, room: str) -> ChatBuffer | None:
        """The chat state's current room changed (``/join``, ``/leave``): look at it too.

        None if the current buffer is that room's already."""
        key = conversation(room)
        if self.current.key == key:
            return None
        return self.switch_to(self.open(key, room))

    def scroll(self, rows: int, page: int) -> bool:
        """Move the current buffer's view `rows` lines up (negative: down), keeping at
        least `page` lines in view; whether it was already at the top when asked to go up."""
        buffer = self.current
        top = max(0, len(buffer.lines) - page)
        at_top = rows > 0 and buffer.scroll >= top
        buffer.scroll = min(top, max(0, buffer.scroll + rows))
        return at_top

    def visible(self, rows: int) -> list[Shown]:
        """The last `rows` lines of the current buffer up to its scroll position."""
        buffer = self.current
        end = len(buffer.lines) - buffer.scroll
        return buffer.lines[max(0, end - rows) : end]


def _peer_name(line: Line) -> str:
    """The name a private line's buffer is called by: its speaker, as written."""
    assert line.where is not None
    if line.speaker and name_key(line.speaker) == line.where[1:]:
        return line.speaker
    return line.where[1:]
