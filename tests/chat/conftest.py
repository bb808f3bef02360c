"""A chat core wired to real ports (memory store, the server's keeper), and devices that
record what it delivers: the core is tested without sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from parley.chat.answers import Answer
from parley.chat.commands import Command, Register
from parley.chat.core import ChatCore
from parley.chat.events import Delivery, DirectMessage, RoomMessage
from parley.chat.model import Session
from parley.chat.ports import CoreConfig, Ports
from parley.chat.store import StoredMessage
from parley.server.keeper import Keeper
from parley.store import MemoryStore

A = TypeVar("A", bound=Answer)


class Device:
    """One connection's end as the core sees it; it keeps what it was given."""

    def __init__(self) -> None:
        self.events: list[Delivery] = []
        self.kept: list[StoredMessage | None] = []
        self.closed: str | None = None
        self.session: Session | None = None

    def deliver(self, event: Delivery) -> None:
        self.events.append(event)

    def keeping(self) -> None:
        """Counted by real connections for back-pressure."""

    def kept_message(self, message: StoredMessage | None) -> None:
        self.kept.append(message)

    def close(self, reason: str, *, notify: bool) -> None:
        self.closed = reason

    def of(self, kind: type[Any]) -> list[Any]:
        """The deliveries of one kind, in order."""
        return [event for event in self.events if isinstance(event, kind)]

    @property
    def said(self) -> list[Delivery]:
        """The deliveries with messages' ids and times blanked, to compare what was said.

        (Ids are checked where they matter, against history; a negative check such as
        ``event not in device.said`` would pass vacuously against `events` with real ids.)
        """
        return [
            replace(event, id=0, at=0.0)
            if isinstance(event, RoomMessage | DirectMessage)
            else event
            for event in self.events
        ]


class _Endpoint:
    def __init__(self, device: Device) -> None:
        self._device = device

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        for message in messages:
            self._device.kept_message(message)
        for _ in range(lost):
            self._device.kept_message(None)

    def keeping(self, count: int) -> None:
        self._device.keeping()

    def close(self, reason: str, *, notify: bool) -> None:
        self._device.close(reason, notify=notify)


class World:
    """A core on a memory store; `connect` makes a session with a recording device."""

    def __init__(self, config: CoreConfig | None = None, ports: Ports | None = None) -> None:
        self.store = MemoryStore()
        self.keeper = Keeper(self.store)
        self.core = ChatCore(ports or Ports(self.store, self.keeper), config or CoreConfig())

    async def start(self) -> World:
        await self.store.open()
        await self.core.registration.load()
        return self

    def connect(self, *, operator: bool = False) -> tuple[Session, Device]:
        device = Device()
        session = self.core.open_session(
            _Endpoint(device), device.deliver, "10.0.0.1", "10.0.0.1:1", is_operator=operator
        )
        device.session = session
        return session, device

    async def run(self, session: Session, command: Command[A]) -> A:
        return await self.core.run(session, command)

    async def user(self, name: str) -> tuple[Session, Device]:
        """A connected, registered user (no password)."""
        session, device = self.connect()
        answer = await self.run(session, Register(name))
        assert answer.ok, answer
        return session, device


def in_world(body: Callable[[World], Awaitable[None]], config: CoreConfig | None = None) -> None:
    """Run `body` with a fresh started world, on a fresh event loop."""

    async def main() -> None:
        world = await World(config).start()
        await body(world)
        await world.keeper.drain()

    asyncio.run(main())
