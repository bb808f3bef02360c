"""IRCv3 for the IRC door: capability negotiation (CAP LS 302, REQ, END, cap-notify), SASL
PLAIN against Parley accounts, the tags capabilities add to what the client reads, and
labeled responses (every reply to a labeled command gathered, then sent as one line, an
``ACK`` or a ``labeled-response`` batch).

A base of `parley.server.doors.irc.IrcDoor`. SASL logs in at once (the core's `Login`), so
the session is the account's user before registration ends; the welcome burst waits for the
client's ``CAP END``. It never decides a chat rule: an account is checked by the core.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import time
from collections.abc import Callable, Coroutine
from types import CoroutineType
from typing import Any, TypeVar, cast

from parley.chat import commands as core
from parley.chat.answers import Answer, Registered
from parley.protocol import irc
from parley.server.doors.base import Link
from parley.server.doors.irc_queries import IrcQueries

A = TypeVar("A", bound=Answer)

# name -> value in CAP LS 302 (None: no value)
CAPABILITIES: dict[str, str | None] = {
    "account-notify": None,
    "account-tag": None,
    "away-notify": None,
    "batch": None,
    "cap-notify": None,
    "draft/chathistory": None,
    "echo-message": None,
    "extended-join": None,
    "invite-notify": None,
    "labeled-response": None,
    "message-tags": None,
    "multi-prefix": None,
    "sasl": "PLAIN",
    "server-time": None,
    "setname": None,
    "standard-replies": None,
    "userhost-in-names": None,
}
MAX_SASL_BYTES = 400 * 8  # AUTHENTICATE payloads arrive in 400-byte pieces
_BATCH_IDS = itertools.count(1)


class IrcCapabilities(IrcQueries):
    """CAP negotiation, SASL, outgoing tags and labeled responses."""

    __slots__ = (
        "_gathered",
        "_jobs",
        "_label",
        "_negotiating",
        "_sasl",
        "_sasl_answer",
        "_tags_in",
    )

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._negotiating = False  # CAP LS or REQ seen, CAP END not yet
        self._sasl: bytearray | None = None  # an AUTHENTICATE PLAIN exchange under way
        self._sasl_answer: Registered | None = None  # logged in by SASL, burst not sent yet
        self._label = ""  # the label of the command being answered ("" for none)
        self._gathered: list[bytes] | None = None  # its replies, while it is answered
        self._jobs = 0  # store work still under way for the current line
        self._tags_in: dict[str, str] = {}  # the tags of the line being handled

    # What encoding asks of the receiver (irc_encoding.Viewer) -------------------------------

    @property
    def nick(self) -> str:
        return self._nick

    @property
    def caps(self) -> frozenset[str]:
        return self._caps

    def account_of(self, nick: str) -> str:
        user = self._link.core.user(nick)
        return user.name if user is not None and user.account else ""

    def real_name_of(self, nick: str) -> str:
        user = self._link.core.user(nick)
        return self._link.core.profiles.real_name(user) if user is not None else nick

    def away_of(self, nick: str) -> str:
        user = self._link.core.user(nick)
        return self._link.core.profiles.away_message(user) if user is not None else ""

    def tags(self, at: float | None, msgid: int = 0, sender: str = "") -> dict[str, str]:
        caps = self._caps
        if not caps:
            return {}
        tags: dict[str, str] = {}
        if "server-time" in caps:
            tags["time"] = irc.format_time(at if at else time.time())
        if msgid and "message-tags" in caps:
            tags["msgid"] = str(msgid)
        if sender and ("account-tag" in caps or "message-tags" in caps):
            user = self._link.core.user(sender)
            if user is not None and user.account and "account-tag" in caps:
                tags["account"] = user.name
            if (
                user is not None
                and "message-tags" in caps
                and self._link.core.profiles.is_bot(user)
            ):
                tags["bot"] = ""
        return tags

    # Output, gathered for a labeled command ----------------------------------------------

    def _out(self, data: bytes) -> None:
        if self._gathered is not None:
            self._gathered.append(data)
        else:
            self._link.send(data)

    def _begin_label(self, label: str) -> None:
        """Replies from now on answer the command labeled `label` (until `_end_label`)."""
        self._end_label()
        if label and "labeled-response" in self._caps:
            self._label, self._gathered = label, []

    def _end_label_when_done(self) -> None:
        """End the label once no store work of the command is left."""
        if self._jobs == 0:
            self._end_label()

    def _end_label(self) -> None:
        """Send what the labeled command produced: one tagged line, an ACK, or a batch."""
        gathered, label = self._gathered, self._label
        if gathered is None:
            return
        self._gathered, self._label = None, ""
        lines = [line + b"\r\n" for line in b"".join(gathered).split(b"\r\n") if line]
        tag = "label=" + irc.escape_tag_value(label)
        if not lines:
            self._link.send(irc.add_tags(irc.encode(irc.Message("ACK", (), self._server)), tag))
        elif len(lines) == 1 or "batch" not in self._caps:
            self._link.send(irc.add_tags(lines[0], tag) + b"".join(lines[1:]))
        else:
            start, end, ref = self.batch_lines("labeled-response")
            self._link.send(irc.add_tags(start, tag))
            self._link.send(irc.add_tags(b"".join(lines), f"batch={ref}") + end)

    def batch_lines(self, kind: str, *params: str) -> tuple[bytes, bytes, str]:
        """The ``BATCH +ref kind params…`` and ``BATCH -ref`` lines of a new batch, and ref."""
        ref = f"p{next(_BATCH_IDS)}"
        start = irc.encode(irc.Message("BATCH", (f"+{ref}", kind, *params), self._server))
        end = irc.encode(irc.Message("BATCH", (f"-{ref}",), self._server))
        return start, end, ref

    # Store work, counted so that a label waits for it --------------------------------------

    def call(self, command: core.Command[A], render: Callable[[A], None]) -> None:
        """Run `command`; `render` its answer now, or once the store work is done."""
        result = self._link.core.execute(self._link.session, command)
        if type(result) is CoroutineType:
            self._run(self._finish(cast("Coroutine[Any, Any, A]", result), render))
        else:
            render(cast(A, result))

    def _run(self, job: Coroutine[Any, Any, None]) -> None:
        """Run `job` before the client's next line; a label waits for it."""
        self._jobs += 1
        self._link.run_job(self._counted(job))

    async def _counted(self, job: Coroutine[Any, Any, None]) -> None:
        try:
            await job
        finally:
            self._jobs -= 1
            self._end_label_when_done()

    # CAP ----------------------------------------------------------------------------------

    def _try_register(self) -> None:
        """Finish registration once NICK, USER and (if begun) CAP negotiation are done."""

    def _listen_for_tags(self) -> None:
        """Tell the core whether this client can show tag-only lines (the channels' part)."""

    def _cap(self, params: tuple[str, ...]) -> None:
        sub, me = params[0].upper(), self._nick or "*"
        if sub == "LS":
            self._negotiating = self._link.session.user is None or self._negotiating
            new = len(params) > 1 and params[1].isdigit() and int(params[1]) >= 302
            if new:
                self._caps |= {"cap-notify"}  # implied by CAP LS 302
            listed = " ".join(
                name + (f"={value}" if value and new else "")
                for name, value in CAPABILITIES.items()
            )
            self._send(irc.Message("CAP", (me, "LS", listed), self._server, trailing=True))
        elif sub == "LIST":
            listed = " ".join(sorted(self._caps))
            self._send(irc.Message("CAP", (me, "LIST", listed), self._server, trailing=True))
        elif sub == "REQ":
            self._negotiating = self._link.session.user is None or self._negotiating
            self._cap_request(params[1] if len(params) > 1 else "")
        elif sub == "END":
            self._negotiating = False
            self._try_register()
        else:
            self._numeric("410", sub, "Invalid CAP command")

    def _cap_request(self, asked: str) -> None:
        me, names = self._nick or "*", asked.split()
        if names and all(name.removeprefix("-") in CAPABILITIES for name in names):
            for name in names:
                if name.startswith("-"):
                    self._caps -= {name[1:]}
                else:
                    self._caps |= {name}
            self._send(irc.Message("CAP", (me, "ACK", asked), self._server, trailing=True))
            if any(name.removeprefix("-") == "message-tags" for name in names):
                self._listen_for_tags()
        else:
            self._send(irc.Message("CAP", (me, "NAK", asked), self._server, trailing=True))

    # SASL ---------------------------------------------------------------------------------

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
            "900",
            self.prefix_of(answer.name),
            answer.name,
            f"You are now logged in as {answer.name}",
        )
        self._numeric("903", "SASL authentication successful")
        self._try_register()
