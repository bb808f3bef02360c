"""Doors against a fake transport: the door's `Link` with a real chat core behind it.

The link records what the door sends and runs its jobs in order, as the real transport does,
so a door is tested line by line without sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace

from parley.chat.core import ChatCore
from parley.chat.model import Session
from parley.chat.ports import Ports
from parley.chat.store import StoredMessage
from parley.server.app import core_config
from parley.server.config import ServerConfig
from parley.server.doors.base import Door
from parley.server.keeper import Keeper
from parley.store import MemoryStore


class FakeLink:
    """What a door sees of its connection; everything it sends is kept in `sent`."""

    def __init__(self, core: ChatCore, config: ServerConfig, host: str = "10.0.0.9") -> None:
        self.core = core
        self.config = config
        self.host = host
        self.address = f"{host}:4242"
        self.sent: list[bytes] = []
        self.closed: str | None = None
        self.jobs: list[Coroutine[object, object, None]] = []
        self.session: Session = core.open_session(self, lambda event: None, host, self.address)
        self.door: Door | None = None
        self.is_registered = False
        self.timer: tuple[float, Callable[[], None]] | None = None

    def attach(self, door: Door) -> Door:
        self.door = door
        self.session.deliver = door.deliver
        return door

    # Link ---------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self, reason: str, *, notify: bool) -> None:
        self.closed = reason
        self.core.close_session(self.session)

    def registered(self) -> None:
        self.is_registered = True

    def may_register(self) -> bool:
        return True

    def run_job(self, job: Coroutine[object, object, None]) -> None:
        self.jobs.append(job)

    def schedule(self, delay: float, callback: Callable[[], None]) -> None:
        self.timer = (delay, callback)

    # Endpoint -----------------------------------------------------------------------------

    def keeping(self, count: int) -> None:
        """Counted by real transports for back-pressure."""

    def kept(self, messages: Sequence[StoredMessage], lost: int = 0) -> None:
        if self.door is not None:
            for message in messages:
                self.door.kept(message)
            for _ in range(lost):
                self.door.not_kept()

    # For tests ----------------------------------------------------------------------------

    async def line(self, data: bytes) -> None:
        """Hand one framed line to the door, end the read, and run the jobs it started."""
        assert self.door is not None
        self.door.handle_line(data)
        self.door.end_of_read()
        while self.jobs:
            await self.jobs.pop(0)

    def take(self) -> list[bytes]:
        """Everything sent since the last call, split into lines."""
        lines = b"".join(self.sent).split(b"\n")
        self.sent.clear()
        return [line for line in lines if line]


class Rig:
    """A chat core on a memory store, and links for doors."""

    def __init__(self, **overrides: object) -> None:
        base = ServerConfig(host="127.0.0.1", console="off", ephemeral=True)
        self.config = replace(base, **overrides)  # type: ignore[arg-type]
        self.store = MemoryStore()
        self.keeper = Keeper(self.store)
        self.core = ChatCore(Ports(self.store, self.keeper), core_config(self.config))

    async def start(self) -> Rig:
        await self.store.open()
        await self.core.registration.load()
        return self

    def link(self, make: Callable[[FakeLink], Door]) -> FakeLink:
        link = FakeLink(self.core, self.config)
        link.attach(make(link))
        return link


def run(body: Callable[[Rig], Coroutine[object, object, None]], **overrides: object) -> None:
    async def main() -> None:
        rig = await Rig(**overrides).start()
        await body(rig)
        await rig.keeper.drain()

    asyncio.run(main())
