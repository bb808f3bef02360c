"""What every door shares: its view of the connection, and running core commands.

A door never decides a chat rule; it turns its dialect into `parley.chat.commands`, runs them
with `DoorBase.call` (which waits for the store when the core says so, keeping the client's
lines in order), and renders the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import CoroutineType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from parley.chat.answers import Answer, Registered
from parley.chat.commands import Command, Welcome
from parley.chat.events import Delivery
from parley.chat.model import Session
from parley.chat.store import StoredMessage
from parley.protocol.framing import LineTooLong
from parley.server.config import ServerConfig

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

A = TypeVar("A", bound=Answer)

TOO_MANY_REGISTRATIONS = "Too many registrations from your address; try again in a minute"


class Link(Protocol):
    """The connection as a door sees it: send bytes, close, run jobs, and its session."""

    core: ChatCore
    config: ServerConfig
    session: Session
    address: str
    host: str

    def send(self, data: bytes) -> None:
        """Queue whole lines for writing."""

    def close(self, reason: str, *, notify: bool) -> None:
        """Close the connection (notify: tell the client first, in its dialect)."""

    def registered(self) -> None:
        """The client now has a name (ends the registration deadline)."""

    def may_register(self) -> bool:
        """Whether the client's address may make another registration attempt now."""

    def run_job(self, job: Coroutine[object, object, None]) -> None:
        """Run an async step before the client's next line is handled."""

    def schedule(self, delay: float, callback: Callable[[], None]) -> None:
        """Call `callback` after `delay` seconds (one door timer; a new one replaces it; it
        never fires after the connection closed)."""


class Door(Protocol):
    """One wire dialect on one connection: units in, core commands, deliveries out."""

    takes_fragments: bool  # an unterminated line is taken whole after a pause

    def handle_line(self, line: bytes | LineTooLong) -> None:
        """Act on one framed line from the client."""

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        """Whether `line` is a live-typing preview (it has its own, stricter budget)."""

    def deliver(self, event: Delivery) -> None:
        """Encode and queue a core delivery."""

    def goodbye(self) -> bytes:
        """What to send before the server closes this connection."""

    def notify(self, text: str) -> None:
        """Tell the client about a limit it ran into, in its dialect."""

    def kept(self, message: StoredMessage) -> None:
        """A message this client sent is now committed to the store."""

    def not_kept(self) -> None:
        """A message this client sent could not be kept (its quota, a store failure)."""

    def end_of_read(self) -> None:
        """The lines of one read have all been handled (release anything held for them)."""


class DoorBase:
    """Running core commands for a door, in the client's order."""

    __slots__ = ("_link",)

    def __init__(self, link: Link) -> None:
        self._link = link

    def not_kept(self) -> None:
        """Nothing to say by default: the dialect has no acknowledgements, or only positive
        ones (CHAT/1.0's ``240`` simply does not come)."""

    def call(self, command: Command[A], render: Callable[[A], None]) -> None:
        """Run `command`; `render` its answer now, or once the store work is done."""
        result = self._link.core.execute(self._link.session, command)
        if type(result) is CoroutineType:  # not the ABC: this runs once per read
            self._link.run_job(self._finish(cast("Coroutine[Any, Any, A]", result), render))
        else:
            render(cast(A, result))

    async def _finish(self, pending: Coroutine[Any, Any, A], render: Callable[[A], None]) -> None:
        render(await pending)

    def registration_done(self, answer: Registered, welcome: Callable[[Registered], None]) -> None:
        """After a successful registration: end the deadline; run the `Welcome` if one is due."""
        self._link.registered()
        if answer.detail == "welcome":
            self.call(Welcome(), welcome)
