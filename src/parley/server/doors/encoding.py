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

    __slots__ = ("_data", "_encode", "_event")

    def __init__(self, encode: Callable[[E], bytes]) -> None:
        self._encode = encode
        self._event: object = None
        self._data = b""

    def __call__(self, event: E) -> bytes:
        if event is not self._event:
            self._data = self._encode(event)
            self._event = event
        return self._data
