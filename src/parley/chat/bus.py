"""The bus port: deliveries that must reach sessions on other server nodes.

The core fans out to its own sessions directly and publishes the same delivery on the bus;
every other node hands it to its local sessions. One node alone uses `LocalBus`, which
carries nothing. `MemoryNetwork` joins several nodes in one process (the contract suite and
multi-node tests use it); a Redis bus will do the same across machines. Every
implementation passes `tests/chat/test_bus.py` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from parley.chat.events import Delivery
from parley.records import record

Scope = Literal["room", "user", "everyone"]


@record
class Routed:
    """A delivery and where it goes: a room key, a user key, or everyone online."""

    scope: Scope
    key: str
    event: Delivery
    origin: str  # the publishing node


Handler = Callable[[Routed], None]


class Bus(Protocol):
    """Publish to the other nodes; hear what they publish."""

    def publish(self, routed: Routed) -> None:
        """Send `routed` to every other node (never back to its origin)."""

    def subscribe(self, handler: Handler) -> None:
        """Call `handler` with each delivery another node publishes."""


class LocalBus:
    """The bus of a single node: nobody else to tell."""

    def publish(self, routed: Routed) -> None:
        """Nothing to do: the node has already delivered to its own sessions."""

    def subscribe(self, handler: Handler) -> None:
        """Nothing will ever arrive."""


class MemoryNetwork:
    """Several nodes in one process, joined by direct calls."""

    def __init__(self) -> None:
        self._nodes: dict[str, list[Handler]] = {}

    def bus(self, node: str) -> MemoryBus:
        """The bus of `node` on this network."""
        self._nodes.setdefault(node, [])
        return MemoryBus(self, node)

    def _publish(self, routed: Routed) -> None:
        for node, handlers in list(self._nodes.items()):
            if node != routed.origin:
                for handler in list(handlers):
                    handler(routed)

    def _subscribe(self, node: str, handler: Handler) -> None:
        self._nodes[node].append(handler)


class MemoryBus:
    """One node's end of a `MemoryNetwork`."""

    def __init__(self, network: MemoryNetwork, node: str) -> None:
        self._network = network
        self.node = node

    def publish(self, routed: Routed) -> None:
        self._network._publish(routed)

    def subscribe(self, handler: Handler) -> None:
        self._network._subscribe(self.node, handler)
