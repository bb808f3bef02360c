"""Highlights: lines that say your name or one of your highlight words, and the list of them.

Pure. A word matches as a whole word, whatever its case: ``alice`` is highlighted in
``Alice: lunch?`` and ``ping alice.``, not in ``malice``. `Mentions` keeps the most recent
ones (a bounded list) for ``/mentions``. Only what others say counts: your own lines never
highlight themselves.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable, Iterator

from parley.client.render import Line, stamp
from parley.records import record

MAX_MENTIONS = 100
"""Mentions kept for ``/mentions``; older ones are forgotten."""


class Highlighter:
    """Finds your name and your highlight words in a message."""

    def __init__(self, me: str, words: Iterable[str] = ()) -> None:
        terms = sorted({w.strip().lower() for w in (me, *words) if w.strip()}, key=len)
        alternatives = "|".join(re.escape(term) for term in reversed(terms))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self._empty = not terms

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Where in `text` your name or a highlight word appears (start, end)."""
        if self._empty:
            return ()
        return tuple(match.span() for match in self._pattern.finditer(text))


@record
class Mention:
    """One message that mentioned you."""

    at: float
    """When it arrived (Unix time)."""
    where: str
    """The room, ``lobby``, or ``private`` for a direct message."""
    name: str
    text: str


class Mentions:
    """The last `MAX_MENTIONS` mentions, oldest first."""

    def __init__(self, limit: int = MAX_MENTIONS) -> None:
        self._kept: deque[Mention] = deque(maxlen=limit)

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self) -> Iterator[Mention]:
        return iter(self._kept)

    def add(self, mention: Mention) -> None:
        self._kept.append(mention)

    def lines(self, highlighter: Highlighter, now: float | None = None) -> list[Line]:
        """What ``/mentions`` shows: a heading, then one line per mention with its time."""
        now = time.time() if now is None else now
        if not self._kept:
            return [Line("No mentions yet: lines that say your name are listed here.")]
        lines = [Line(f"Mentions ({len(self._kept)}, newest last):")]
        for mention in self._kept:
            where = {"lobby": "in the lobby", "private": "private"}.get(
                mention.where, f"in {mention.where}"
            )
            head = f"  {stamp(mention.at, now)} {where}, "
            text = f"{head}{mention.name}: {mention.text}"
            body = len(text) - len(mention.text)
            spans = tuple((s + body, e + body) for s, e in highlighter.spans(mention.text))
            lines.append(Line(text, speaker=mention.name, speaker_at=len(head), highlights=spans))
        return lines


def body_offset(line: Line) -> int:
    """Where the message text starts in a message line (after ``name...: ``)."""
    colon = line.text.find(": ", line.stamp_width)
    return colon + 2 if colon >= 0 else len(line.text)
