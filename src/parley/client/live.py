"""Live typing: previews of the line being typed, sent as it changes and shown as they come.

Sending: every keystroke offers the current preview; at most `MAX_RATE` previews a second are
sent, and the newest text is always the one sent last (the ones in between are coalesced,
not queued). `Coalescer` is the pure timing rule; `LiveSender` runs it on the event loop (or
on any `Clock`: tests pass one whose time they move by hand) and writes through a
`ChatClient` without waiting, so a preview never delays a message and never overtakes one.

Showing: `TypingBoard` (pure) keeps who is typing what and makes the status lines
(``bob is typing: hel``). A preview goes away when its author's finished message arrives,
when an empty preview says the line was cleared, when its author leaves the room or quits,
or after `EXPIRY` seconds without news (in case the clearing preview was lost).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from parley.client.commands import room_key
from parley.client.wrapping import ending, text_cells
from parley.protocol.chat1 import TypingUpdate, neutralise_controls
from parley.protocol.names import name_key
from parley.records import record

MAX_RATE = 15.0
"""Previews per second at most (the server relays up to 20 a second and drops the rest)."""


@record
class Preview:
    """What others should see: `text` being typed in `room` (None: the lobby)."""

    text: str
    room: str | None = None


class Coalescer:
    """When to send which preview, given when each one was offered.

    `offer` returns the preview to send at once, or None if it must wait; then `due` says
    when to call `take`. Two sends are never closer than `interval` seconds, and whatever
    was offered last is sent (unless `cancel` drops it first).
    """

    def __init__(self, interval: float = 1 / MAX_RATE) -> None:
        self.interval = interval
        self._last_sent_at: float | None = None
        self._pending: Preview | None = None
        self.sent: Preview | None = None
        """The last preview sent (what others see now)."""

    def offer(self, preview: Preview, now: float) -> Preview | None:
        """A new preview: send it now (returned) or hold it until `due`."""
        if preview == self.sent or (self.sent is None and not preview.text):
            self._pending = None  # back to what others already see
            return None
        if preview == self._pending:
            return None
        if self._last_sent_at is None or now - self._last_sent_at >= self.interval:
            self._pending = None
            return self._mark_sent(preview, now)
        self._pending = preview
        return None

    def due(self) -> float | None:
        """When the held preview may be sent; None if nothing is held."""
        if self._pending is None:
            return None
        assert self._last_sent_at is not None
        return self._last_sent_at + self.interval

    def take(self, now: float) -> Preview | None:
        """The held preview, if its time has come (then it counts as sent)."""
        due = self.due()
        if due is None or now < due:
            return None
        preview, self._pending = self._pending, None
        assert preview is not None
        return self._mark_sent(preview, now)

    def cancel(self) -> None:
        """Drop the held preview (the line was sent: the preview is out of date)."""
        self._pending = None

    def finish(self, now: float) -> Preview | None:
        """The line is gone (sent or cleared): an empty preview to send now, if one is needed.

        Sent at once whatever the rate, so that nobody keeps seeing a stale line.
        """
        self._pending = None
        if self.sent is None or not self.sent.text:
            return None
        return self._mark_sent(Preview("", self.sent.room), now)

    def _mark_sent(self, preview: Preview, now: float) -> Preview:
        self._last_sent_at = now
        self.sent = preview
        return preview


class Timer(Protocol):
    """A callback waiting for its time (`asyncio.TimerHandle` is one)."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """A time and timers on it: what `LiveSender` needs of the event loop (which is one)."""

    def time(self) -> float: ...

    def call_at(self, when: float, callback: Callable[[], object], /) -> Timer: ...


class LiveSender:
    """Runs a `Coalescer` on the event loop and hands each preview to `write`.

    `write` must send without awaiting (`ChatClient.request_nowait`), so previews keep their
    place among the messages written by the same connection. `clock` replaces the running
    event loop's time and timers (for tests).
    """

    def __init__(
        self,
        name: str,
        write: Callable[[TypingUpdate], object],
        *,
        interval: float = 1 / MAX_RATE,
        clock: Clock | None = None,
    ) -> None:
        self._name = name
        self._write = write
        self._coalescer = Coalescer(interval)
        self._clock = clock
        self._timer: Timer | None = None

    def offer(self, preview: Preview) -> None:
        """The line being typed is now `preview` (an empty text: nothing is being typed)."""
        clock = self._clock_in_use()
        now = clock.time()
        sent = self._coalescer.sent
        if sent is not None and sent.text and sent.room != preview.room:
            self._coalescer.cancel()  # switched rooms: clear the old room's preview first
            self._send(self._coalescer.finish(now))
        self._send(self._coalescer.offer(preview, now))
        self._schedule(clock)

    def hold(self) -> None:
        """Send nothing more for the line just accepted (its message goes out next)."""
        self._cancel_timer()
        self._coalescer.cancel()

    def finish(self) -> None:
        """The line was sent or dropped: cancel what is held and clear what others see."""
        self._cancel_timer()
        self._send(self._coalescer.finish(self._clock_in_use().time()))

    def close(self) -> None:
        """Stop: nothing more will be sent."""
        self._cancel_timer()
        self._coalescer.cancel()

    def _clock_in_use(self) -> Clock:
        return self._clock if self._clock is not None else asyncio.get_running_loop()

    def _schedule(self, clock: Clock) -> None:
        due = self._coalescer.due()
        if due is None:
            self._cancel_timer()
        elif self._timer is None:
            self._timer = clock.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        clock = self._clock_in_use()
        self._send(self._coalescer.take(clock.time()))
        self._schedule(clock)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _send(self, preview: Preview | None) -> None:
        if preview is not None:
            self._write(TypingUpdate(self._name, preview.text, preview.room))


EXPIRY = 30.0
"""Seconds after which a preview with no news is taken as abandoned."""
MAX_SHOWN = 3
"""People shown at most; the rest are counted."""


@dataclass(slots=True)
class _Typist:
    name: str
    room: str
    text: str
    since: float


class TypingBoard:
    """The previews of what others are typing, by person and room."""

    def __init__(self) -> None:
        self._typists: dict[tuple[str, str], _Typist] = {}

    def update(self, name: str, room: str, text: str, now: float) -> None:
        """`name` is typing `text` in `room` (an empty text: they cleared the line)."""
        key = (name_key(name), room_key(room))
        if not text:
            self._typists.pop(key, None)
        elif key in self._typists:
            typist = self._typists[key]
            typist.text, typist.since = text, now
        else:
            self._typists[key] = _Typist(name, room, text, now)

    def done(self, name: str, room: str) -> None:
        """`name`'s line in `room` is finished (it arrived) or abandoned (they left)."""
        self._typists.pop((name_key(name), room_key(room)), None)

    def gone(self, name: str) -> None:
        """`name` quit: none of their previews stands."""
        key = name_key(name)
        for typist in [k for k in self._typists if k[0] == key]:
            del self._typists[typist]

    def room_closed(self, room: str) -> None:
        """We left `room`: its previews no longer reach us."""
        key = room_key(room)
        for typist in [k for k in self._typists if k[1] == key]:
            del self._typists[typist]

    def clear(self) -> None:
        """Forget every preview (live typing was turned off)."""
        self._typists.clear()

    def lines(self, now: float, current: str, width: int = 80) -> list[str]:
        """``bob is typing: hel``, one line per person (``in ROOM`` if not `current`)."""
        for key in [k for k, t in self._typists.items() if now - t.since >= EXPIRY]:
            del self._typists[key]
        typists = list(self._typists.values())
        lines = []
        for typist in typists[:MAX_SHOWN]:
            where = "" if room_key(typist.room) == room_key(current) else f" in {typist.room}"
            head = neutralise_controls(f"{typist.name} is typing{where}: ")
            space = max(10, width - text_cells(head) - 1)
            # The end, where the typing happens, in cells: one row, never wrapped.
            lines.append(head + ending(neutralise_controls(typist.text), space))
        if len(typists) > MAX_SHOWN:
            lines.append(f"\u2026 and {len(typists) - MAX_SHOWN} more typing")
        return lines

    def expires(self) -> float | None:
        """When the oldest preview will be dropped for lack of news; None if there is none."""
        if not self._typists:
            return None
        return min(t.since for t in self._typists.values()) + EXPIRY
