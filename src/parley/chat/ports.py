"""The ports the chat core is built against, bundled, and its settings.

The core never opens a file or a socket: it is handed a store (`parley.chat.store`), a keeper
that writes relayed messages to the store in batches, a directory of name claims and a bus to
other nodes. The server wires the embedded defaults; tests wire the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from parley.chat.bus import Bus, LocalBus
from parley.chat.directory import Directory, MemoryDirectory
from parley.chat.model import Endpoint
from parley.chat.store import Store, StoredMessage
from parley.records import record

DEFAULT_ROOMS_PER_USER = 20


class Keeper(Protocol):
    """Keeps relayed messages: the message path pays an append, the store gets batches."""

    def keep(self, origin: Endpoint, messages: Sequence[StoredMessage]) -> None:
        """Keep one sender's `messages`, in order; `origin.kept` hears when they are committed.

        One call per command (all the lines of one read), so that what is counted per
        message on the way to the store is counted once.
        """

    async def drain(self) -> None:
        """Return once everything kept so far is committed (history reads wait for it)."""


@record
class CoreConfig:
    """What the chat core's rules depend on (the server fills it from its configuration)."""

    rooms_per_user: int = DEFAULT_ROOMS_PER_USER
    history_lines: int = 20  # room lines shown to a joiner
    offline_limit: int = 100  # direct messages waiting for one user
    offline_per_sender: int = 20  # of which from one sender
    offline_ttl: float = 24 * 3600.0  # for names without an account
    require_accounts: bool = False
    max_history_page: int = 500
    listings_per_minute: int = 30  # WHO and ROOMS per session (0: no limit)
    max_rooms_listed: int = 200  # rooms in one ROOMS answer


@dataclass(slots=True)
class Ports:
    """Everything outside the core that it talks to."""

    store: Store
    keeper: Keeper
    directory: Directory = field(default_factory=MemoryDirectory)
    bus: Bus = field(default_factory=LocalBus)
    node: str = "local"
