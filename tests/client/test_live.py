"""Tests of parley.client.live: the throttle that sends live-typing previews."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, strategies as st

from parley.client.live import MAX_RATE, Coalescer, LiveSender, Preview
from parley.protocol.chat1 import TypingUpdate

STEP = 1 / MAX_RATE


def test_first_preview_goes_at_once_then_at_most_one_per_interval() -> None:
    throttle = Coalescer(0.1)
    assert throttle.offer(Preview("h"), 0.0) == Preview("h")
    assert throttle.offer(Preview("he"), 0.01) is None
    assert throttle.offer(Preview("hel"), 0.02) is None
    assert throttle.due() == 0.1
    assert throttle.take(0.05) is None
    assert throttle.take(0.1) == Preview("hel")  # the newest, "he" was coalesced away
    assert throttle.due() is None
    assert throttle.offer(Preview("hell"), 0.25) == Preview("hell")


def test_nothing_new_is_not_sent_again() -> None:
    throttle = Coalescer(0.1)
    assert throttle.offer(Preview(""), 0.0) is None  # nothing typed, nothing shown yet
    assert throttle.offer(Preview("a"), 0.0) == Preview("a")
    assert throttle.offer(Preview("a"), 1.0) is None
    assert throttle.offer(Preview("ab"), 1.01) == Preview("ab")
    assert throttle.offer(Preview("abc"), 1.02) is None
    assert throttle.offer(Preview("ab"), 1.03) is None  # back to what others see
    assert throttle.due() is None


def test_finish_clears_at_once_and_cancel_drops_the_held_preview() -> None:
    throttle = Coalescer(0.1)
    throttle.offer(Preview("hello", "dev"), 0.0)
    throttle.offer(Preview("hello there", "dev"), 0.01)
    throttle.cancel()
    assert throttle.due() is None
    assert throttle.finish(0.02) == Preview("", "dev")  # not rate limited
    assert throttle.finish(0.03) is None  # already clear


@given(
    st.lists(
        st.tuples(st.floats(0, 0.2), st.text(alphabet="ab", max_size=3)),
        min_size=1,
        max_size=40,
    )
)
def test_sends_are_spaced_and_the_last_text_is_sent_last(steps: list[tuple[float, str]]) -> None:
    throttle = Coalescer(0.1)
    now = 0.0
    sent: list[tuple[float, Preview]] = []

    def run_timers(until: float) -> None:
        while (due := throttle.due()) is not None and due <= until:
            preview = throttle.take(due)
            assert preview is not None
            sent.append((due, preview))

    for gap, text in steps:
        run_timers(now + gap)
        now += gap
        preview = throttle.offer(Preview(text), now)
        if preview is not None:
            sent.append((now, preview))
    run_timers(float("inf"))
    times = [when for when, _ in sent]
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(times))
    last = steps[-1][1]
    if sent:
        assert sent[-1][1] == Preview(last)
    else:
        assert last == ""


class FakeClock:
    """A `Clock` whose time moves only when the test says so, and runs timers in order."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[FakeTimer] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], object], /) -> FakeTimer:
        timer = FakeTimer(when, callback)
        self._timers.append(timer)
        return timer

    @property
    def waiting(self) -> int:
        """Timers set and neither run nor cancelled."""
        return sum(1 for timer in self._timers if not timer.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time on by `seconds`, running every timer due by then, earliest first."""
        until = self.now + seconds
        while due := [t for t in self._timers if not t.cancelled and t.when <= until]:
            timer = min(due, key=lambda t: t.when)
            self._timers.remove(timer)
            self.now = max(self.now, timer.when)
            timer.callback()
        self.now = until


@dataclass(slots=True)
class FakeTimer:
    when: float
    callback: Callable[[], object]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


def test_sender_throttles_and_clears_after_the_line() -> None:
    clock = FakeClock()
    written: list[TypingUpdate] = []
    sender = LiveSender("alice", written.append, interval=0.05, clock=clock)
    for text in ("h", "he", "hel", "hell", "hello"):
        sender.offer(Preview(text))
    assert [u.text for u in written] == ["h"]
    clock.advance(0.049)
    assert [u.text for u in written] == ["h"]  # not before its interval ...
    clock.advance(0.001)
    assert [u.text for u in written] == ["h", "hello"]  # ... then the newest, at once
    clock.advance(0.1)
    sender.offer(Preview("hello!"))  # a while since the last one: sent at once
    sender.offer(Preview("hello!!"))  # held...
    assert clock.waiting == 1
    sender.hold()  # ...and dropped at Enter: it must not follow the message
    assert clock.waiting == 0
    clock.advance(1.0)  # long past any time it could have been sent
    sender.finish()
    sender.close()
    assert written == [
        TypingUpdate("alice", "h"),
        TypingUpdate("alice", "hello"),
        TypingUpdate("alice", "hello!"),
        TypingUpdate("alice", ""),
    ]


def test_switching_rooms_clears_the_old_room_first() -> None:
    clock = FakeClock()
    written: list[TypingUpdate] = []
    sender = LiveSender("alice", written.append, interval=0.05, clock=clock)
    sender.offer(Preview("draft", "dev"))
    sender.offer(Preview("draft", None))
    assert written == [TypingUpdate("alice", "draft", "dev"), TypingUpdate("alice", "", "dev")]
    clock.advance(0.05)  # the new room's preview keeps to the rate
    sender.close()
    assert written == [
        TypingUpdate("alice", "draft", "dev"),
        TypingUpdate("alice", "", "dev"),
        TypingUpdate("alice", "draft", None),
    ]
    assert clock.waiting == 0


def test_the_event_loop_is_the_default_clock() -> None:
    async def main() -> list[TypingUpdate]:
        written: list[TypingUpdate] = []
        second = asyncio.Event()

        def write(update: TypingUpdate) -> None:
            written.append(update)
            if len(written) == 2:
                second.set()

        sender = LiveSender("alice", write, interval=0.01)
        sender.offer(Preview("h"))
        sender.offer(Preview("hello"))
        assert written == [TypingUpdate("alice", "h")]
        await asyncio.wait_for(second.wait(), 5)  # the loop's timer sent the held one
        sender.finish()
        sender.close()
        return written

    assert asyncio.run(main()) == [
        TypingUpdate("alice", "h"),
        TypingUpdate("alice", "hello"),
        TypingUpdate("alice", ""),
    ]


def test_default_rate_is_under_the_servers() -> None:
    assert MAX_RATE <= 15
    assert STEP > 1 / 20
