"""The bus contract, and two chat cores that share users through it and one directory."""

from __future__ import annotations

import asyncio

from parley.chat.answers import Outcome
from parley.chat.bus import LocalBus, MemoryNetwork, Routed
from parley.chat.commands import Register, Say, SendDirect
from parley.chat.directory import MemoryDirectory
from parley.chat.events import DirectMessage, RoomMessage
from parley.chat.ports import Ports
from parley.server.keeper import Keeper
from parley.store import MemoryStore
from tests.chat.conftest import World

EVENT = RoomMessage("alice", ("hi",))


def test_a_node_hears_the_others_never_itself() -> None:
    network = MemoryNetwork()
    a, b, c = network.bus("a"), network.bus("b"), network.bus("c")
    heard: dict[str, list[Routed]] = {"a": [], "b": [], "c": []}
    for name, bus in (("a", a), ("b", b), ("c", c)):
        bus.subscribe(heard[name].append)
    routed = Routed("room", "lobby", EVENT, "a")
    a.publish(routed)
    assert heard == {"a": [], "b": [routed], "c": [routed]}


def test_the_local_bus_carries_nothing() -> None:
    bus = LocalBus()
    heard: list[Routed] = []
    bus.subscribe(heard.append)
    bus.publish(Routed("everyone", "", EVENT, "local"))
    assert heard == []


def test_two_nodes_share_names_rooms_and_direct_messages() -> None:
    async def main() -> None:
        network, directory, store = MemoryNetwork(), MemoryDirectory(), MemoryStore()
        await store.open()
        worlds = []
        for node in ("a", "b"):
            ports = Ports(store, Keeper(store), directory, network.bus(node), node)
            worlds.append(await World(ports=ports).start())
        one, two = worlds
        alice, _ = await one.user("alice")
        bob, bob_device = await two.user("bob")
        taken, _ = two.connect()
        assert (await two.run(taken, Register("alice"))).outcome is Outcome.NAME_TAKEN
        await one.run(alice, Say(("hello from node a",)))
        assert RoomMessage("alice", ("hello from node a",)) in bob_device.said
        assert (await one.run(alice, SendDirect("bob", "psst"))).ok
        assert DirectMessage("alice", "bob", "psst") in bob_device.said
        two.core.close_session(bob)
        # Names seen without an account are remembered per node (accounts are shared).
        assert (await one.run(alice, SendDirect("bob", "later"))).outcome is Outcome.NO_SUCH_USER

    asyncio.run(main())
