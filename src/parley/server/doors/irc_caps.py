"""IRCv3 for the IRC door: capability negotiation (CAP LS 302, REQ, END, cap-notify) and
SASL PLAIN against Parley accounts, so that the account a client logs in to is the same one
it uses from every other door.

A base of `parley.server.doors.irc.IrcDoor`. SASL logs in at once (the core's `Login`), so
the session is the account's user before registration ends; the welcome burst waits for the
client's ``CAP END``.
"""

from __future__ import annotations

import base64
import binascii
import time

from parley.chat import commands as core
from parley.chat.answers import Registered
from parley.protocol import irc
from parley.server.doors.base import Link
from parley.server.doors.irc_encoding import prefix
from parley.server.doors.irc_queries import SERVER, IrcQueries

# name -> value in CAP LS 302 (None: no value)
CAPABILITIES: dict[str, str | None] = {
    "cap-notify": None,
    "echo-message": None,
    "message-tags": None,
    "sasl": "PLAIN",
    "server-time": None,
}
MAX_SASL_BYTES = 400 * 8  # AUTHENTICATE payloads arrive in 400-byte pieces


class IrcCapabilities(IrcQueries):
    """CAP negotiation, SASL, and the tags the capabilities add to outgoing lines."""

    __slots__ = ("_caps", "_negotiating", "_sasl", "_sasl_answer")

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._caps: set[str] = set()
        self._negotiating = False  # CAP LS or REQ seen, CAP END not yet
        self._sasl: bytearray | None = None  # an AUTHENTICATE PLAIN exchange under way
        self._sasl_answer: Registered | None = None  # logged in by SASL, burst not sent yet

    def _try_register(self) -> None:
        """Finish registration once NICK, USER and (if begun) CAP negotiation are done."""

    def _cap(self, params: tuple[str, ...]) -> None:
        sub, me = params[0].upper(), self._nick or "*"
        if sub == "LS":
            self._negotiating = self._link.session.user is None or self._negotiating
            new = len(params) > 1 and params[1].isdigit() and int(params[1]) >= 302
            listed = " ".join(
                name + (f"={value}" if value and new else "")
                for name, value in CAPABILITIES.items()
            )
            self._send(irc.Message("CAP", (me, "LS", listed), SERVER, trailing=True))
        elif sub == "LIST":
            listed = " ".join(sorted(self._caps))
            self._send(irc.Message("CAP", (me, "LIST", listed), SERVER, trailing=True))
        elif sub == "REQ":
            self._negotiating = self._link.session.user is None or self._negotiating
            asked = params[1] if len(params) > 1 else ""
            names = asked.split()
            if names and all(name.removeprefix("-") in CAPABILITIES for name in names):
                for name in names:
                    if name.startswith("-"):
                        self._caps.discard(name[1:])
                    else:
                        self._caps.add(name)
                self._send(irc.Message("CAP", (me, "ACK", asked), SERVER, trailing=True))
            else:
                self._send(irc.Message("CAP", (me, "NAK", asked), SERVER, trailing=True))
        elif sub == "END":
            self._negotiating = False
            self._try_register()
        else:
            self._numeric("410", sub, "Invalid CAP command")

    def _authenticate(self, params: tuple[str, ...]) -> None:
        """SASL PLAIN: ``AUTHENTICATE PLAIN``, ``+``, then base64 of authzid NUL authcid NUL pw."""
        piece = params[0]
        if self._link.session.user is not None or "sasl" not in self._caps:
            self._numeric("907", "You have already authenticated, or did not ask for sasl")
        elif piece == "*":
            self._sasl = None
            self._numeric("906", "SASL authentication aborted")
        elif self._sasl is None:
            if piece.upper() != "PLAIN":
                self._numeric("908", "PLAIN", "are available SASL mechanisms")
                self._numeric("904", "SASL authentication failed")
                return
            self._sasl = bytearray()
            self._send(irc.Message("AUTHENTICATE", ("+",)))
        else:
            self._sasl_piece(piece)

    def _sasl_piece(self, piece: str) -> None:
        assert self._sasl is not None
        if piece != "+":
            self._sasl += piece.encode("ascii", errors="replace")
        if len(self._sasl) > MAX_SASL_BYTES:
            self._sasl = None
            self._numeric("905", "SASL message too long")
            return
        if piece != "+" and len(piece) == 400:
            return  # more pieces follow
        payload, self._sasl = bytes(self._sasl), None
        try:
            _, account, password = base64.b64decode(payload, validate=True).split(b"\0")
            name, secret = account.decode(), password.decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            self._numeric("904", "SASL authentication failed")
            return
        self.call(core.Login(name, secret), self._sasl_done)

    def _sasl_done(self, answer: Registered) -> None:
        if not answer.ok:
            self._numeric("904", "SASL authentication failed")
            return
        self._sasl_answer = answer
        self._numeric(
            "900", prefix(answer.name), answer.name, f"You are now logged in as {answer.name}"
        )
        self._numeric("903", "SASL authentication successful")
        self._try_register()

    def tagged(self, data: bytes, at: float | None = None) -> bytes:
        """`data` (IRC lines) with the tags the client's capabilities ask for."""
        if "server-time" not in self._caps or not data:
            return data
        moment = time.time() if at is None else at
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment))
        tag = f"@time={stamp}.{int(moment % 1 * 1000):03d}Z ".encode()
        return b"".join(tag + line + b"\r\n" for line in data.split(b"\r\n") if line)
