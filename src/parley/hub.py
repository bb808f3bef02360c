"""The chat domain: who is registered and who receives what.

The hub takes commands (register, say, unregister) and hands deliveries to peers. It knows
nothing of sockets, asyncio or wire dialects: a peer is anything with a `deliver` method,
and a delivery is a frozen event that each door encodes in its own dialect (once per
dialect, cached on the event, however many peers receive it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from parley.protocol.names import is_reserved, is_valid_name, name_key

OPERATOR_NAME = "server"


@dataclass(frozen=True, slots=True)
class Said:
    """`sender` said `text` to everyone else.

    `wire` caches the encoded bytes per dialect so that a message sent to a thousand peers
    is encoded once, not a thousand times.
    """

    sender: str
    text: str
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


Delivery = Said


class Peer(Protocol):
    """One connection as the hub sees it."""

    def deliver(self, event: Delivery) -> None:
        """Queue `event` for this peer; must not block and must not raise."""


class Registration(Enum):
    """The hub's answer to a registration request."""

    OK = "ok"
    INVALID = "invalid"
    TAKEN = "taken"
    ALREADY = "already"


@dataclass(slots=True)
class _Member:
    name: str
    peer: Peer


class Hub:
    """Registered users and the routing of their messages.

    Error handling: every method is total; a refusal is a return value, never an exception.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, _Member] = {}
        self._by_peer: dict[Peer, _Member] = {}
        self._peers: tuple[Peer, ...] = ()

    def register(self, peer: Peer, name: str) -> Registration:
        """Give `peer` the name `name` if it is valid, free and `peer` has none yet."""
        if peer in self._by_peer:
            return Registration.ALREADY
        if not is_valid_name(name) or is_reserved(name):
            return Registration.INVALID
        key = name_key(name)
        if key in self._by_key:
            return Registration.TAKEN
        member = _Member(name, peer)
        self._by_key[key] = member
        self._by_peer[peer] = member
        self._peers = (*self._peers, peer)
        return Registration.OK

    def unregister(self, peer: Peer) -> str | None:
        """Forget `peer`'s registration; return the name it had, if any."""
        member = self._by_peer.pop(peer, None)
        if member is None:
            return None
        del self._by_key[name_key(member.name)]
        self._peers = tuple(p for p in self._peers if p is not peer)
        return member.name

    def name_of(self, peer: Peer) -> str | None:
        """The name `peer` registered, or None."""
        member = self._by_peer.get(peer)
        return member.name if member else None

    def is_sender(self, peer: Peer, claimed: str) -> bool:
        """Whether `claimed` is the name `peer` registered (compared as names are)."""
        member = self._by_peer.get(peer)
        return member is not None and name_key(claimed) == name_key(member.name)

    def say(self, peer: Peer, text: str) -> int:
        """Deliver `text` from `peer` to every other registered peer; return how many."""
        member = self._by_peer.get(peer)
        if member is None:
            return 0
        return self._fan_out(Said(member.name, text), exclude=peer)

    def announce(self, text: str) -> int:
        """Deliver `text` from the operator to every registered peer."""
        return self._fan_out(Said(OPERATOR_NAME, text), exclude=None)

    def who(self) -> list[str]:
        """Registered names, sorted as people expect (case-insensitively)."""
        return sorted((m.name for m in self._by_key.values()), key=name_key)

    def peers(self) -> Iterator[Peer]:
        """Every registered peer."""
        return iter(self._peers)

    def __len__(self) -> int:
        return len(self._peers)

    def _fan_out(self, event: Delivery, exclude: Peer | None) -> int:
        count = 0
        for peer in self._peers:
            if peer is not exclude:
                peer.deliver(event)
                count += 1
        return count
