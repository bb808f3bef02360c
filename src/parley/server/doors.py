"""What a door needs from its connection, shared by every dialect's door."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Protocol

from parley.hub import Delivery, Hub
from parley.protocol.framing import LineTooLong
from parley.server.config import ServerConfig
from parley.server.services import Services
from parley.store import StoredMessage

TOO_MANY_REGISTRATIONS = "Too many registrations from your address; try again in a minute"


class Link(Protocol):
    """The connection as a door sees it: send bytes, close, and who is on the other end."""

    hub: Hub
    config: ServerConfig
    services: Services
    address: str
    host: str

    def send(self, data: bytes) -> None:
        """Queue whole lines for writing."""

    def close(self, reason: str, *, notify: bool) -> None:
        """Close the connection (notify: tell the client first, in its dialect)."""

    def deliver(self, event: Delivery) -> None:
        """Hand a hub delivery to the door (this object is the hub's peer)."""

    def registered(self) -> None:
        """The client now has a name (ends the registration deadline)."""

    def may_register(self) -> bool:
        """Whether the client's address may make another registration attempt now."""

    def run_job(self, job: Coroutine[object, object, None]) -> None:
        """Run an async step before the client's next line is handled."""

    def keep(
        self, sender: str, text: str, *, room: str | None = None, recipient: str | None = None
    ) -> None:
        """Store a relayed message; the door's `kept` is called once it is committed."""


class Door(Protocol):
    """One wire dialect on one connection: lines in, hub commands, deliveries out."""

    def handle_line(self, line: bytes | LineTooLong) -> None:
        """Act on one framed line from the client."""

    def deliver(self, event: Delivery) -> None:
        """Encode and queue a hub delivery."""

    def goodbye(self) -> bytes:
        """What to send before the server closes this connection."""

    def notify(self, text: str) -> None:
        """Tell the client about a limit it ran into, in its dialect."""

    def kept(self, message: StoredMessage) -> None:
        """A message this client sent is now committed to the store."""

    def end_of_read(self) -> None:
        """The lines of one read have all been handled (release anything held for them)."""
