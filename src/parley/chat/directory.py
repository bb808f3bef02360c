"""The directory port: who holds which name, across every node of a deployment.

A node claims a name before a user may have it, and releases it when the user's last
connection leaves. With one node the in-memory directory is all there is; with several nodes
a shared implementation (Redis, later) makes a name taken on one node refused on another.
Every implementation passes `tests/chat/test_directory.py` unchanged.
"""

from __future__ import annotations

from typing import Protocol


class Directory(Protocol):
    """Name claims by node; every method is atomic."""

    def claim(self, key: str, node: str) -> bool:
        """Hold `key` for `node`; True if it now does (a holder claiming again: True)."""
        ...

    def release(self, key: str, node: str) -> None:
        """Give `key` up if `node` holds it (another node's claim is left alone)."""

    def holder(self, key: str) -> str | None:
        """The node holding `key`, or None."""
        ...

    def release_node(self, node: str) -> int:
        """Drop every claim of `node` (it stopped or was lost); how many were dropped."""
        ...


class MemoryDirectory:
    """Claims in a dictionary: one process, any number of nodes in it (tests share one)."""

    def __init__(self) -> None:
        self._holders: dict[str, str] = {}

    def claim(self, key: str, node: str) -> bool:
        holder = self._holders.setdefault(key, node)
        return holder == node

    def release(self, key: str, node: str) -> None:
        if self._holders.get(key) == node:
            del self._holders[key]

    def holder(self, key: str) -> str | None:
        return self._holders.get(key)

    def release_node(self, node: str) -> int:
        mine = [key for key, holder in self._holders.items() if holder == node]
        for key in mine:
            del self._holders[key]
        return len(mine)
