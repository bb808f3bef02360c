"""Turning SIGINT and SIGTERM into a polite stop instead of a traceback.

`StopSignals` routes both signals to one `asyncio.Event`; `until_stopped` runs a coroutine
until it finishes or the event is set, whichever comes first. The client can then say
``DISCONNECT`` before it exits, whatever it was doing when the signal came.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequestedError(Exception):
    """The user asked to stop (a signal) while something was still going on."""


class StopSignals:
    """While active, SIGINT and SIGTERM set `event` instead of killing the process."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self._installed: list[signal.Signals] = []

    def __enter__(self) -> StopSignals:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            # Not available on Windows: the default behaviour (KeyboardInterrupt) stays.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self.event.set)
                self._installed.append(signum)
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._installed:
            loop.remove_signal_handler(signum)
        self._installed.clear()


async def until_stopped(coroutine: Coroutine[Any, Any, T], stop: asyncio.Event) -> T:
    """Await `coroutine`, or cancel it and raise `StopRequestedError` as soon as `stop` is set."""
    work = asyncio.ensure_future(coroutine)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
    if work.cancelled():
        raise StopRequestedError
    return work.result()
