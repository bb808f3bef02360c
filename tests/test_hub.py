"""The hub without a network: registration rules and fan-out."""

from __future__ import annotations

from parley.hub import Delivery, Hub, Registration, Said


class Collector:
    """A peer that keeps what it is given."""

    def __init__(self) -> None:
        self.got: list[Delivery] = []

    def deliver(self, event: Delivery) -> None:
        self.got.append(event)


def test_registration_outcomes() -> None:
    hub = Hub()
    a, b, c = Collector(), Collector(), Collector()
    assert hub.register(a, "alice") is Registration.OK
    assert hub.register(b, "ALICE") is Registration.TAKEN
    assert hub.register(b, "\uff21lice") is Registration.TAKEN  # full-width A folds to A
    assert hub.register(a, "other") is Registration.ALREADY
    assert hub.register(c, "server") is Registration.INVALID
    assert hub.register(c, "no spaces") is Registration.INVALID
    assert hub.register(b, "bob") is Registration.OK
    assert hub.who() == ["alice", "bob"]


def test_say_reaches_everyone_else_once_and_shares_one_event() -> None:
    hub = Hub()
    peers = [Collector() for _ in range(5)]
    for i, peer in enumerate(peers):
        hub.register(peer, f"user{i}")
    assert hub.say(peers[0], "hi") == 4
    assert peers[0].got == []
    events = [p.got[0] for p in peers[1:]]
    assert all(e == Said("user0", "hi") for e in events)
    assert all(e is events[0] for e in events)


def test_unregister_frees_the_name_and_stops_deliveries() -> None:
    hub = Hub()
    a, b = Collector(), Collector()
    hub.register(a, "alice")
    hub.register(b, "bob")
    assert hub.unregister(a) == "alice"
    assert hub.unregister(a) is None
    hub.say(b, "anyone?")
    assert a.got == []
    assert hub.register(Collector(), "Alice") is Registration.OK


def test_unregistered_peer_cannot_say() -> None:
    hub = Hub()
    a, b = Collector(), Collector()
    hub.register(b, "bob")
    assert hub.say(a, "sneaky") == 0
    assert b.got == []


def test_sender_check_is_by_name_identity() -> None:
    hub = Hub()
    a = Collector()
    hub.register(a, "Alice")
    assert hub.is_sender(a, "alice")
    assert not hub.is_sender(a, "bob")
    assert not hub.is_sender(Collector(), "alice")


def test_announce_reaches_everyone_as_server() -> None:
    hub = Hub()
    a = Collector()
    hub.register(a, "alice")
    assert hub.announce("maintenance at noon") == 1
    assert a.got == [Said("server", "maintenance at noon")]
