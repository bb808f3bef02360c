"""Encode a delivery once per dialect, however many sessions receive it.

The core hands the same event object to every session of a room, one after another, so a
one-entry cache per dialect variant (keyed by the event's identity) turns a thousand
encodings into one. It holds a reference to its last event, so an identity match can never
be a recycled object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

E = TypeVar("E")
V = TypeVar("V")


class OncePerEvent(Generic[E, V]):
    """What `make` gives for the last event, reused while the same event is delivered."""

    __slots__ = ("_make", "data", "event")

    def __init__(self, make: Callable[[E], V], empty: V) -> None:
        self._make = make
        self.event: object = None
        self.data = empty

    def __call__(self, event: E) -> V:
        """The value for `event`. On the fan-out path, callers test ``event is cache.event``
        and read ``cache.data`` themselves: one call fewer per receiver."""
        if event is not self.event:
            self.data = self._make(event)
            self.event = event
        return self.data


class EncodeOnce(OncePerEvent[E, bytes]):
    """The bytes of the last event encoded, reused while the same event is delivered."""

    __slots__ = ()

    def __init__(self, encode: Callable[[E], bytes]) -> None:
        super().__init__(encode, b"")
