"""After a reconnection: which stored messages were missed, and which were seen already.

Pure. CHAT/1.0's live lines carry no id (seed 004's ``@alice: text`` is byte-exact), so a
message shown live cannot be matched to its history entry by id. `Transcript` therefore
remembers, per conversation (``#room``, ``#lobby``, ``@peer``), what was shown: the ids of
history entries, and the sender, text and time of each live line (and of what we sent). A
history entry fetched after reconnecting is new unless

- its id was shown already, or
- it is from before we began to follow the conversation (joined the room, connected for the
  lobby), less `SKEW` for the server's clock and ours to differ: not missed, never ours, or
- it is older than the last thing heard from the server before the drop (less `WINDOW`):
  everything older arrived before the drop, or
- it has the sender and text of a line shown within `WINDOW` of its time (each shown line
  matches one entry at most, so a repeated "ok" is shown as often as it was said).

So nothing is lost (an entry after the drop is new unless the very same line was seen) and
nothing is doubled. Memory is bounded: a few hundred lines per conversation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from parley.protocol.names import name_key

WINDOW = 120.0
"""Seconds by which the server's clock and ours may differ, at most."""
SKEW = 10.0
"""Seconds by which they usually differ at most (clocks kept by NTP)."""
PER_CONVERSATION = 500
"""Lines (and ids) remembered per conversation."""


@dataclass(slots=True)
class _Shown:
    name: str
    text: str
    at: float
    matched: bool = False


def conversation(room: str | None = None, peer: str | None = None) -> str:
    """The key of a conversation: ``@bob`` for private talk, ``#dev``, ``#lobby``."""
    if peer is not None:
        return "@" + name_key(peer)
    return "#" + name_key((room or "lobby").removeprefix("#"))


class Transcript:
    """What was shown of each conversation, to tell missed messages from seen ones."""

    def __init__(self) -> None:
        self._lines: dict[str, deque[_Shown]] = {}
        self._ids: dict[str, deque[int]] = {}
        self._since: dict[str, float] = {}
        self.last_contact: float | None = None
        """When the server was last heard from (our clock)."""
        self._cutoff: float | None = None

    def heard(self, at: float) -> None:
        """Something arrived from the server at `at`."""
        self.last_contact = at

    def began(self, where: str, at: float) -> None:
        """We began to follow `where` at `at` (the first time only counts)."""
        self._since.setdefault(where, at)

    def shown(self, where: str, name: str, text: str, at: float) -> None:
        """A live line (or one we sent) was shown at `at`."""
        self.began(where, at)
        lines = self._lines.setdefault(where, deque(maxlen=PER_CONVERSATION))
        lines.append(_Shown(name_key(name), text, at))

    def shown_id(self, where: str, message_id: int) -> None:
        ids = self._ids.setdefault(where, deque(maxlen=PER_CONVERSATION))
        ids.append(message_id)

    @property
    def peers(self) -> list[str]:
        """The keys of the private conversations shown (``@bob``)."""
        return [where for where in self._lines if where.startswith("@")]

    def dropped(self) -> None:
        """The connection dropped: entries older than the last contact are not missed."""
        self._cutoff = self.last_contact

    def is_new(self, where: str, message_id: int, name: str, text: str, at: float) -> bool:
        """Whether the history entry was missed (then it counts as shown from now on)."""
        if message_id in self._ids.get(where, ()):
            return False
        self.shown_id(where, message_id)
        since = self._since.get(where)
        if since is not None and at < since - SKEW:
            return False
        if self._cutoff is not None and at < self._cutoff - WINDOW:
            return False
        key = name_key(name)
        for line in self._lines.get(where, ()):
            same = not line.matched and line.name == key and line.text == text
            if same and abs(line.at - at) <= WINDOW:
                line.matched = True
                return False
        return True
