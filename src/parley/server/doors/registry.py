"""Which door a connection gets, from the first line it sends.

Each entry says which first lines it claims; the first that claims one wins, and the plain
door for people takes the rest (and silent connections). One list, so adding a dialect is
one line here. A door whose dialect is not lines (`raw`: HTTP) is handed the connection's
bytes from the first one on, once its first line has shown what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from parley.protocol.framing import LineTooLong
from parley.records import record
from parley.server.doors.base import Door, Link
from parley.server.doors.chat1 import Chat1Door
from parley.server.doors.irc import IrcDoor
from parley.server.doors.plain import PlainDoor
from parley.server.doors.web import WebDoor


@record
class DoorSpec:
    """A dialect: its name, the first lines it claims, and how to make its door."""

    name: str
    claims: Callable[[bytes | LineTooLong], bool]
    make: Callable[[Link], Door]
    raw: bool = False  # the door frames the bytes itself (it has a `framer`)


_CHAT1_VERBS = (b"REGISTER", b"EXTEND", b"DISCONNECT", b"LOGIN", b"SIGNUP", b"PING")


def _claims_chat1(line: bytes | LineTooLong) -> bool:
    # An over-long first line is most likely a CHAT/1.0 client's: it gets a 413 it can read.
    return isinstance(line, LineTooLong) or line.lstrip().startswith(_CHAT1_VERBS)


_IRC_VERBS = (b"CAP", b"NICK", b"USER", b"PASS")


def _claims_irc(line: bytes | LineTooLong) -> bool:
    if isinstance(line, LineTooLong):
        return False
    head = line.lstrip()
    if head.startswith(b"@"):  # IRCv3 tags before the command
        head = head.partition(b" ")[2].lstrip()
    verb = head.split(b" ", 1)[0].upper()
    # A verb alone could be a person's name at the plain door's prompt ("Nick"): IRC needs
    # an argument after it.
    return verb in _IRC_VERBS and head[len(verb) : len(verb) + 1] == b" "


# An HTTP/1.x request line: a method, a target, a version (RFC 9112 section 3). No CHAT/1.0
# or IRC line looks like this, and a person would have to type it on purpose.
_REQUEST_LINE = re.compile(
    rb"(?:GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT) \S+ HTTP/1\.[01]"
)


def _claims_http(line: bytes | LineTooLong) -> bool:
    return isinstance(line, bytes) and _REQUEST_LINE.fullmatch(line) is not None


DOORS: tuple[DoorSpec, ...] = (
    DoorSpec("web", _claims_http, WebDoor, raw=True),
    DoorSpec("chat1", _claims_chat1, Chat1Door),
    DoorSpec("irc", _claims_irc, IrcDoor),
)
FALLBACK = DoorSpec("plain", lambda line: True, PlainDoor)


def raw_spec(first_line: bytes | LineTooLong) -> DoorSpec | None:
    """The door that frames its own bytes and claims `first_line`, if one does."""
    for spec in DOORS:
        if spec.raw and spec.claims(first_line):
            return spec
    return None


def choose(first_line: bytes | LineTooLong) -> DoorSpec:
    """The door for a connection whose first line is `first_line`."""
    for spec in DOORS:
        if spec.claims(first_line):
            return spec
    return FALLBACK
