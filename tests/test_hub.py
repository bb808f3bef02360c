"""The hub without a network: registration, rooms, direct and offline messages, presence."""

from __future__ import annotations

from parley.hub import (
    LOBBY,
    Delivery,
    Hub,
    Outcome,
    Presence,
    Registration,
    Said,
    SaidMany,
    Whispered,
)


class Collector:
    """A peer that keeps what it is given."""

    def __init__(self) -> None:
        self.got: list[Delivery] = []

    def deliver(self, event: Delivery) -> None:
        self.got.append(event)

    def said(self) -> list[Said]:
        return [e for e in self.got if isinstance(e, Said)]


def users(hub: Hub, *names: str) -> list[Collector]:
    peers = []
    for name in names:
        peer = Collector()
        assert hub.register(peer, name) is Registration.OK
        peers.append(peer)
    return peers


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
    peers = users(hub, *(f"user{i}" for i in range(5)))
    assert hub.say(peers[0], "hi") is Outcome.OK
    assert peers[0].got == []
    events = [p.got[0] for p in peers[1:]]
    assert all(e == Said("user0", "hi", LOBBY) for e in events)
    assert all(e is events[0] for e in events)


def test_unregister_frees_the_name_and_tells_neighbours_once() -> None:
    hub = Hub()
    a, b, c = users(hub, "alice", "bob", "carol")
    hub.watch_presence(b)
    hub.join(a, "team")
    hub.join(b, "team")
    b.got.clear()
    assert hub.unregister(a) == "alice"
    assert hub.unregister(a) is None
    assert b.got == [Presence("alice", "*", "quit")]
    assert c.got == []  # carol does not watch presence
    hub.say(b, "anyone?")
    assert a.said() == []
    assert hub.register(Collector(), "Alice") is Registration.OK


def test_unregistered_peer_cannot_act() -> None:
    hub = Hub()
    (b,) = users(hub, "bob")
    stranger = Collector()
    assert hub.say(stranger, "sneaky") is Outcome.NOT_REGISTERED
    assert hub.direct(stranger, "bob", "x") is Outcome.NOT_REGISTERED
    assert hub.join(stranger, "room") is Outcome.NOT_REGISTERED
    assert b.got == []


def test_rooms_join_leave_and_scoped_messages() -> None:
    hub = Hub()
    alice, bob, carol = users(hub, "alice", "bob", "carol")
    assert hub.join(alice, "#teamchat") is Outcome.OK
    assert hub.join(alice, "TeamChat") is Outcome.ALREADY_MEMBER
    assert hub.join(bob, "teamchat") is Outcome.OK
    assert alice.got == [
        Presence("alice", "teamchat", "joined"),
        Presence("bob", "teamchat", "joined"),
    ]
    assert hub.say(alice, "Hello team!", "teamchat") is Outcome.OK
    assert bob.said() == [Said("alice", "Hello team!", "teamchat")]
    assert carol.got == []
    assert hub.say(carol, "let me in", "teamchat") is Outcome.NOT_MEMBER
    assert hub.say(carol, "x", "nowhere") is Outcome.NO_SUCH_ROOM
    assert hub.leave(bob, "teamchat") is Outcome.OK
    assert alice.got[-1] == Presence("bob", "teamchat", "left")
    assert hub.leave(bob, "teamchat") is Outcome.NOT_MEMBER
    assert hub.leave(bob, LOBBY) is Outcome.LOBBY_IS_HOME
    assert hub.rooms() == [(LOBBY, ["alice", "bob", "carol"]), ("teamchat", ["alice"])]
    hub.leave(alice, "teamchat")
    assert [room for room, _ in hub.rooms()] == [LOBBY]  # empty rooms disappear


def test_invalid_room_and_room_limit() -> None:
    hub = Hub(rooms_per_user=2)
    (alice,) = users(hub, "alice")
    assert hub.join(alice, "two words") is Outcome.INVALID_NAME
    assert hub.join(alice, "r1") is Outcome.OK
    assert hub.join(alice, "r2") is Outcome.OK
    assert hub.join(alice, "r3") is Outcome.TOO_MANY_ROOMS


def test_direct_message_online_unknown_and_offline() -> None:
    hub = Hub()
    alice, bob = users(hub, "alice", "bob")
    assert hub.direct(alice, "BOB", "psst") is Outcome.OK
    assert bob.got == [Whispered("alice", "bob", "psst")]
    assert hub.direct(alice, "nobody", "hello?") is Outcome.NO_SUCH_USER
    hub.unregister(bob)
    assert hub.direct(alice, "bob", "later") is Outcome.QUEUED  # seen: the caller keeps it
    assert hub.seen_name("BOB") == "bob"
    assert hub.online_name("bob") is None
    assert hub.online_name("ALICE") == "alice"


def test_sender_check_is_by_name_identity() -> None:
    hub = Hub()
    a = Collector()
    hub.register(a, "Alice")
    assert hub.is_sender(a, "alice")
    assert not hub.is_sender(a, "bob")
    assert not hub.is_sender(Collector(), "alice")


def test_announce_reaches_everyone_as_server() -> None:
    hub = Hub()
    (a,) = users(hub, "alice")
    assert hub.announce("maintenance at noon") == 1
    assert a.got == [Said("server", "maintenance at noon")]


def test_say_many_is_one_event_per_receiver() -> None:
    hub = Hub()
    alice, bob = users(hub, "alice", "bob")
    assert hub.say_many(alice, ("one", "two", "three")) is Outcome.OK
    assert len(bob.got) == 1
    (event,) = bob.got
    assert isinstance(event, SaidMany) and event.texts == ("one", "two", "three")
    assert hub.say_many(alice, ("solo",)) is Outcome.OK
    assert bob.got[-1] == Said("alice", "solo")
    assert hub.say_many(alice, ("x",), "nowhere") is Outcome.NO_SUCH_ROOM
