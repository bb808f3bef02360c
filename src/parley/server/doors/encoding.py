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


class EncodeOnce(Generic[E]):
    """The bytes of the last event encoded, reused while the same event is delivered."""

    __slots__ = ("_encode", "data", "event")

    def __init__(self, encode: Callable[[E], bytes]) -> None:
        self._encode = encode
        self.event: object = None
        self.data = b""

    def __call__(self, event: E) -> bytes:
        """The bytes of `event`. On the fan-out path, callers test ``event is cache.event``
        and read ``cache.data`` themselves: one call fewer per receiver."""
        if event is not self.event:
            self.data = self._encode(event)
            self.event = event
        return self.data
