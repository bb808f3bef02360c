"""The chat domain: users, rooms, direct messages and presence.

The hub takes commands (register, say, direct, join, leave, unregister) and hands deliveries
to peers. It knows nothing of sockets, asyncio or wire dialects: a peer is anything with a
`deliver` method, and a delivery is a frozen event that each door encodes in its own dialect
(once per dialect, cached on the event, however many peers receive it). Every command is
total: a refusal is a returned value, never an exception. Whatever must outlive the process
(history, offline messages, accounts) is the store's business, reached by the server layer;
the hub only says who is online, who has been seen, and who is in which room.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, Protocol

from parley.protocol.names import is_reserved, is_valid_name, name_key

OPERATOR_NAME = "server"
LOBBY = "lobby"
DEFAULT_ROOMS_PER_USER = 20


@dataclass(frozen=True, slots=True)
class Said:
    """`sender` said `text` in `room`.

    `wire` caches the encoded bytes per dialect so that a message sent to a thousand peers
    is encoded once, not a thousand times.
    """

    sender: str
    text: str
    room: str = LOBBY
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SaidMany:
    """`sender` said each of `texts`, in order, in `room`: one read's worth of messages.

    Fanning out one event per read instead of one per line is what makes a busy room cheap:
    each receiver's door encodes and queues all the lines with one call.
    """

    sender: str
    texts: tuple[str, ...]
    room: str = LOBBY
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Whispered:
    """`sender` sent `text` to `recipient` alone; `queued_at` is set if it waited offline."""

    sender: str
    recipient: str
    text: str
    queued_at: float | None = None


PresenceKind = Literal["joined", "left", "quit"]


@dataclass(frozen=True, slots=True)
class Presence:
    """`name` joined or left `room`, or quit the server (then `room` is ``*``)."""

    name: str
    room: str
    kind: PresenceKind
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Typing:
    """`sender`'s unfinished line in `room` is now `text` (empty: they cleared it)."""

    sender: str
    text: str
    room: str = LOBBY
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TopicSet:
    """`name` set the topic of `room` to `topic` (empty: cleared)."""

    name: str
    room: str
    topic: str
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


Delivery = Said | SaidMany | Whispered | Presence | Typing | TopicSet


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


class Outcome(Enum):
    """The hub's answer to a room or message command."""

    OK = "ok"
    QUEUED = "queued"
    NOT_REGISTERED = "not registered"
    INVALID_NAME = "invalid name"
    NO_SUCH_USER = "no such user"
    NO_SUCH_ROOM = "no such room"
    NOT_MEMBER = "not a member"
    ALREADY_MEMBER = "already a member"
    TOO_MANY_ROOMS = "too many rooms"
    QUEUE_FULL = "offline queue full"
    LOBBY_IS_HOME = "everyone stays in the lobby"


@dataclass(slots=True)
class _Member:
    name: str
    peer: Peer
    rooms: list[str]


@dataclass(slots=True)
class _Room:
    name: str
    members: dict[Peer, None]
    _fan_out: tuple[Peer, ...] | None = None
    topic: str = ""

    def refresh(self) -> None:
        """Membership changed: the fan-out tuple is rebuilt when next needed, not now.

        Rebuilding on every join and leave made each O(members): 10,000 registrations cost
        50 million tuple slots.
        """
        self._fan_out = None

    @property
    def fan_out(self) -> tuple[Peer, ...]:
        """The members as a tuple, for iterating while deliveries may change membership."""
        if self._fan_out is None:
            self._fan_out = tuple(self.members)
        return self._fan_out


class Hub:
    """Registered users, rooms and the routing of their messages."""

    def __init__(self, *, rooms_per_user: int = DEFAULT_ROOMS_PER_USER) -> None:
        self.rooms_per_user = rooms_per_user
        self._by_key: dict[str, _Member] = {}
        self._by_peer: dict[Peer, _Member] = {}
        self._rooms: dict[str, _Room] = {LOBBY: _Room(LOBBY, {})}
        self._seen: dict[str, str] = {}
        self._watchers: dict[Peer, None] = {}

    # Registration ------------------------------------------------------------------------

    def register(self, peer: Peer, name: str) -> Registration:
        """Give `peer` the name `name` if it is valid, free and `peer` has none yet.

        A registered peer is in the lobby.
        """
        if peer in self._by_peer:
            return Registration.ALREADY
        if not is_valid_name(name) or is_reserved(name):
            return Registration.INVALID
        key = name_key(name)
        if key in self._by_key:
            return Registration.TAKEN
        member = _Member(name, peer, [])
        self._by_key[key] = member
        self._by_peer[peer] = member
        self._seen[key] = name
        self._enter(member, self._rooms[LOBBY], announce=False)
        return Registration.OK

    def watch_presence(self, peer: Peer) -> None:
        """`peer` wants to hear when users quit (everyone shares the lobby, so: anyone)."""
        self._watchers[peer] = None

    def unregister(self, peer: Peer) -> str | None:
        """Forget `peer`; every peer that watches presence is told once that it quit.

        Only watchers are visited, so a quit costs O(watchers + the user's rooms), not
        O(everyone online): seed-004 clients, who never see presence, cost nothing here.
        """
        self._watchers.pop(peer, None)
        member = self._by_peer.pop(peer, None)
        if member is None:
            return None
        del self._by_key[name_key(member.name)]
        for room_name in member.rooms:
            room = self._rooms[room_key(room_name)]
            del room.members[peer]
            room.refresh()
            if not room.members and room.name != LOBBY:
                del self._rooms[room_key(room_name)]
        event = Presence(member.name, "*", "quit")
        for watcher in tuple(self._watchers):
            watcher.deliver(event)
        return member.name

    # Queries -----------------------------------------------------------------------------

    def name_of(self, peer: Peer) -> str | None:
        """The name `peer` registered, or None."""
        member = self._by_peer.get(peer)
        return member.name if member else None

    def is_sender(self, peer: Peer, claimed: str) -> bool:
        """Whether `claimed` is the name `peer` registered (compared as names are)."""
        member = self._by_peer.get(peer)
        if member is None:
            return False
        # Clients nearly always write their name as registered: skip normalising then.
        return claimed == member.name or name_key(claimed) == name_key(member.name)

    def who(self) -> list[str]:
        """Registered names, sorted as people expect (case-insensitively)."""
        return sorted((m.name for m in self._by_key.values()), key=name_key)

    def rooms(self) -> list[tuple[str, list[str]]]:
        """Every room with its members' names, the lobby first."""
        listing = []
        for room in sorted(self._rooms.values(), key=lambda r: (r.name != LOBBY, r.name)):
            names = sorted((self._by_peer[p].name for p in room.members), key=name_key)
            listing.append((room.name, names))
        return listing

    def rooms_of(self, peer: Peer) -> list[str]:
        """The rooms `peer` is in, in the order it joined them."""
        member = self._by_peer.get(peer)
        return list(member.rooms) if member else []

    def peers(self) -> Iterator[Peer]:
        """Every registered peer."""
        return iter(list(self._by_peer))

    def __len__(self) -> int:
        return len(self._by_peer)

    # Messages ----------------------------------------------------------------------------

    def say(self, peer: Peer, text: str, room: str = LOBBY) -> Outcome:
        """Deliver `text` from `peer` to every other member of `room`."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        target = self._rooms.get(room_key(room))
        if target is None:
            return Outcome.NO_SUCH_ROOM
        if peer not in target.members:
            return Outcome.NOT_MEMBER
        self._fan_out(target, Said(member.name, text, target.name), exclude=peer)
        return Outcome.OK

    def say_many(self, peer: Peer, texts: tuple[str, ...], room: str = LOBBY) -> Outcome:
        """Deliver several lines from `peer` to the other members of `room`, as one event."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        target = self._rooms.get(room_key(room))
        if target is None:
            return Outcome.NO_SUCH_ROOM
        if peer not in target.members:
            return Outcome.NOT_MEMBER
        event: Delivery = (
            Said(member.name, texts[0], target.name)
            if len(texts) == 1
            else SaidMany(member.name, texts, target.name)
        )
        self._fan_out(target, event, exclude=peer)
        return Outcome.OK

    def typing(self, peer: Peer, text: str, room: str = LOBBY) -> Outcome:
        """Show the members of `room` what `peer` is typing there (live mode)."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        target = self._rooms.get(room_key(room))
        if target is None or peer not in target.members:
            return Outcome.NOT_MEMBER
        self._fan_out(target, Typing(member.name, text, target.name), exclude=peer)
        return Outcome.OK

    def direct(self, peer: Peer, recipient: str, text: str) -> Outcome:
        """Send `text` to `recipient` alone if online.

        Returns QUEUED when the recipient has been seen but is offline (the caller keeps
        the message for them) and NO_SUCH_USER when this hub never saw them.
        """
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        key = name_key(recipient)
        target = self._by_key.get(key)
        if target is not None:
            target.peer.deliver(Whispered(member.name, target.name, text))
            return Outcome.OK
        return Outcome.QUEUED if key in self._seen else Outcome.NO_SUCH_USER

    def seen_name(self, name: str) -> str | None:
        """How a user seen since the hub started spelled `name`, or None."""
        return self._seen.get(name_key(name))

    def online_name(self, name: str) -> str | None:
        """The registered spelling of `name` if that user is online, else None."""
        member = self._by_key.get(name_key(name))
        return member.name if member else None

    def announce(self, text: str) -> int:
        """Deliver `text` from the operator to every registered peer; return how many."""
        lobby = self._rooms[LOBBY]
        self._fan_out(lobby, Said(OPERATOR_NAME, text), exclude=None)
        return len(lobby.fan_out)

    # Rooms -------------------------------------------------------------------------------

    def join(self, peer: Peer, room: str) -> Outcome:
        """Put `peer` in `room`, creating it; its members are told."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        if not is_valid_room(room):
            return Outcome.INVALID_NAME
        key = room_key(room)
        target = self._rooms.get(key)
        if target is not None and peer in target.members:
            return Outcome.ALREADY_MEMBER
        if len(member.rooms) > self.rooms_per_user:
            return Outcome.TOO_MANY_ROOMS
        if target is None:
            target = self._rooms[key] = _Room(room.removeprefix("#"), {})
        self._enter(member, target, announce=True)
        return Outcome.OK

    def leave(self, peer: Peer, room: str) -> Outcome:
        """Take `peer` out of `room`; its members are told. The lobby cannot be left."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        key = room_key(room)
        if key == LOBBY:
            return Outcome.LOBBY_IS_HOME
        target = self._rooms.get(key)
        if target is None or peer not in target.members:
            return Outcome.NOT_MEMBER
        event = Presence(member.name, target.name, "left")
        self._fan_out(target, event, exclude=None)
        del target.members[peer]
        target.refresh()
        member.rooms.remove(target.name)
        if not target.members:
            del self._rooms[key]
        return Outcome.OK

    def set_topic(self, peer: Peer, room: str, topic: str) -> Outcome:
        """Set the topic of `room` (a member may); every member is told."""
        member = self._by_peer.get(peer)
        if member is None:
            return Outcome.NOT_REGISTERED
        target = self._rooms.get(room_key(room))
        if target is None or peer not in target.members:
            return Outcome.NOT_MEMBER
        if target.name == LOBBY:
            return Outcome.LOBBY_IS_HOME
        target.topic = topic
        self._fan_out(target, TopicSet(member.name, target.name, topic), exclude=None)
        return Outcome.OK

    def topic(self, room: str) -> str:
        """The topic of `room` ("" if none or no such room)."""
        target = self._rooms.get(room_key(room))
        return target.topic if target else ""

    def restore_topic(self, room: str, topic: str) -> None:
        """Give a re-created room the topic it had (from the store), without announcing it."""
        target = self._rooms.get(room_key(room))
        if target is not None and not target.topic:
            target.topic = topic

    def room_name(self, room: str) -> str | None:
        """The spelling under which `room` exists, or None if it does not."""
        target = self._rooms.get(room_key(room))
        return target.name if target else None

    def _enter(self, member: _Member, room: _Room, *, announce: bool) -> None:
        room.members[member.peer] = None
        room.refresh()
        member.rooms.append(room.name)
        if announce:
            self._fan_out(room, Presence(member.name, room.name, "joined"), exclude=None)

    @staticmethod
    def _fan_out(room: _Room, event: Delivery, exclude: Peer | None) -> None:
        for peer in room.fan_out:
            if peer is not exclude:
                peer.deliver(event)


def room_key(room: str) -> str:
    """The identity of a room name (``#Team`` and ``team`` are one room)."""
    return name_key(room.removeprefix("#"))


def is_valid_room(room: str) -> bool:
    """A room name is a user-name-like word, optionally written with a leading ``#``."""
    return is_valid_name(room.removeprefix("#"))
