"""An asyncio CHAT/1.0 client connection, for the terminal client, bots and tests.

`ChatClient` connects, registers a name, sends messages and hands back what the server says
as events (the frozen events of `parley.protocol.chat1`, plus `ConnectionClosed` at end of
stream). Parsing and encoding are left to `parley.protocol`; this module only moves bytes.

It never prints, never reads the keyboard and never exits the process. Failures to reach the
server are `SessionError` subclasses; what the server answers is a value. Whatever bytes the
server sends, `receive` returns an event: invalid UTF-8 becomes U+FFFD, a line longer than
`max_line` becomes a `Notice` saying it was dropped, and memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType

from parley.client.address import ServerAddress
from parley.client.naming import name_problem
from parley.client.passwords import Secret
from parley.client.requests import (
    DirectMessage,
    Extend,
    HistoryRequest,
    Join,
    Leave,
    Request,
    Rooms,
    SearchRequest,
    Who,
    encode_request,
)
from parley.protocol.chat1 import (
    VERSION,
    NumericReply,
    ServerDisconnect,
    ServerEvent,
    encode_client_disconnect,
    encode_message,
    encode_password,
    encode_register,
    parse_server_line,
)
from parley.protocol.framing import LineFramer
from parley.records import record

DEFAULT_TIMEOUT = 10.0
MAX_INCOMING_LINE = 64 * 1024
READ_SIZE = 64 * 1024
CLOSE_TIMEOUT = 2.0

REGISTERED = 200
EXTENSIONS_ENABLED = 210
REFUSALS = frozenset({400, 401, 406, 407, 408, 429})
EXTEND_REFUSAL_GRACE = 2.0
"""Seconds to wait for the REGISTER's answer after a ``400`` that answered ``EXTEND``."""
"""Answers that refuse a registration: invalid, taken, password required, wrong password,
unacceptable password, too many attempts (the last four only with accounts, or a flood)."""
MAX_PREVIEW_BACKLOG = 64 * 1024
"""Bytes waiting to be written past which a live-typing preview is dropped, not queued."""


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a certificate (DER) as colon-separated upper-case hex, as the server prints it."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@record
class ConnectionClosed:
    """The stream ended (or broke) without the server's ``DISCONNECT CHAT/1.0``."""


SessionEvent = ServerEvent | ConnectionClosed


@record
class Registered:
    """The server answered ``200`` (whatever its wording) to ``REGISTER``."""

    name: str
    text: str
    preamble: tuple[ServerEvent, ...] = ()
    """Other lines the server sent before its answer, for the caller to show."""


@record
class Refused:
    """The server refused the name: ``400`` (invalid), ``401`` (already registered), or with
    accounts ``406`` (password required), ``407`` (wrong name or password), ``408``
    (unacceptable password) or ``429`` (too many attempts)."""

    name: str
    code: int
    text: str
    preamble: tuple[ServerEvent, ...] = ()


class SessionError(Exception):
    """The session cannot go on; the message is one line for a person."""


class ConnectError(SessionError):
    """No connection: unknown host, refused, unreachable or too slow."""


class RegistrationTimeoutError(SessionError):
    """The server did not answer ``REGISTER`` in time."""


class CertificateError(ConnectError):
    """The server's TLS certificate could not be verified."""

    def __init__(self, message: str, *, verify_code: int, reason: str) -> None:
        super().__init__(message)
        self.verify_code = verify_code
        self.reason = reason

    @property
    def self_signed(self) -> bool:
        """Whether it failed only because no authority signed the certificate."""
        return self.verify_code in SELF_SIGNED_CODES


SELF_SIGNED_CODES = frozenset({18, 19})
"""X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT and X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN."""


class ConnectionLostError(SessionError):
    """The connection ended before registration completed, or broke while sending."""


class ChatClient:
    """One connection to a CHAT/1.0 server.

    Resource handling: the caller owns the client and must `close` it (or use ``async with``);
    `disconnect` says goodbye first. Error handling: socket errors while reading are an end of
    stream (`ConnectionClosed`); while sending they raise `ConnectionLostError`.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        address: ServerAddress,
        *,
        max_line: int = MAX_INCOMING_LINE,
    ) -> None:
        self.address = address
        self._reader = reader
        self._writer = writer
        self._framer = LineFramer(max_line)
        self._pending: deque[SessionEvent] = deque()
        self._at_eof = False
        self._closed = False
        self._name: str | None = None
        self._early: list[ServerEvent] = []

    @classmethod
    async def connect(
        cls,
        address: ServerAddress,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_line: int = MAX_INCOMING_LINE,
        tls: ssl.SSLContext | None = None,
    ) -> ChatClient:
        """Open a TCP connection to `address` within `timeout` seconds, in TLS if `tls` is given.

        A certificate that `tls` does not accept raises `CertificateError`; the caller
        decides whether to trust it another way (see `parley.client.trust`).
        """
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    address.host,
                    address.port,
                    ssl=tls,
                    server_hostname=address.host if tls is not None else None,
                    ssl_handshake_timeout=timeout if tls is not None else None,
                )
        except socket.gaierror as error:
            raise ConnectError(f"unknown host {address.host!r} ({error.strerror})") from None
        except ConnectionRefusedError:
            raise ConnectError(f"connection refused by {address}") from None
        except TimeoutError:
            raise ConnectError(f"no connection to {address} within {timeout:g} s") from None
        except ssl.SSLCertVerificationError as error:
            reason = error.verify_message or error.reason or str(error)
            raise CertificateError(
                f"the TLS certificate of {address} is not trusted: {reason}",
                verify_code=error.verify_code,
                reason=reason,
            ) from None
        except ssl.SSLError as error:
            reason = error.reason or str(error)
            raise ConnectError(
                f"TLS handshake with {address} failed: {reason} "
                "(does the server have TLS on? a chat:// address connects without it)"
            ) from None
        except OSError as error:
            reason = error.strerror or str(error) or type(error).__name__
            raise ConnectError(f"cannot connect to {address}: {reason}") from None
        return cls(reader, writer, address, max_line=max_line)

    @property
    def name(self) -> str | None:
        """The registered name, once `register` succeeded."""
        return self._name

    @property
    def certificate_fingerprint(self) -> str | None:
        """The SHA-256 fingerprint of the server's TLS certificate; None without TLS."""
        ssl_object = self._writer.get_extra_info("ssl_object")
        if not isinstance(ssl_object, ssl.SSLObject):
            return None
        der = ssl_object.getpeercert(binary_form=True)
        return certificate_fingerprint(der) if der else None

    async def register(
        self, name: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Registered | Refused:
        """Send ``REGISTER <name> CHAT/1.0`` and wait for the server's ``200`` or refusal.

        Other lines that come first are kept in the result's ``preamble``. Raises `ValueError`
        for a name that cannot go on the wire, `RegistrationTimeoutError` if no answer comes
        in `timeout` seconds, and `ConnectionLostError` if the server hangs up or says
        DISCONNECT first.
        """
        self._check_name(name)
        return await self._registration(name, encode_register(name), timeout)

    async def login(
        self, name: str, password: Secret, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Registered | Refused:
        """``LOGIN <name> <base64 password> CHAT/1.0``: register a name that has an account.

        Answers and errors as for `register` (``407`` for a wrong name or password, ``429``
        after too many failures).
        """
        self._check_name(name)
        line = f"LOGIN {name} {encode_password(password.reveal())} {VERSION}\n"
        return await self._registration(name, line.encode(), timeout)

    async def signup(
        self, name: str, password: Secret, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Registered | Refused:
        """``SIGNUP <name> <base64 password> CHAT/1.0``: register and create an account.

        Answers and errors as for `register` (``408`` for an unacceptable password).
        """
        self._check_name(name)
        line = f"SIGNUP {name} {encode_password(password.reveal())} {VERSION}\n"
        return await self._registration(name, line.encode(), timeout)

    async def register_extended(
        self, name: str, names: tuple[str, ...], *, timeout: float = DEFAULT_TIMEOUT
    ) -> tuple[Registered | Refused, frozenset[str] | None]:
        """``EXTEND`` and ``REGISTER`` in one write; the registration and what was granted.

        The extensions are asked for before the name, so a seed-004 server never sees
        ``EXTEND`` from a registered client (a naive one might relay it to everyone) and
        nobody waits for an answer that may not come: the ``REGISTER`` is always answered.
        A Parley server answers ``210`` then the registration. A seed-004 server either
        ignores the ``EXTEND`` (the first answer is the registration's) or answers ``400``
        and then the registration; `granted` is None for both. Raises as `register` does
        (`ConnectionLostError` too if the server hangs up after refusing the ``EXTEND``).
        """
        self._check_name(name)
        await self._write(encode_request(Extend(names)) + encode_register(name))
        granted: frozenset[str] | None = None
        refused_extend: NumericReply | None = None
        preamble: list[ServerEvent] = []
        try:
            async with asyncio.timeout(timeout) as deadline:
                while True:
                    event = await self._registration_event("before accepting the name")
                    if not isinstance(event, NumericReply):
                        preamble.append(event)
                    elif event.code == EXTENSIONS_ENABLED and granted is None:
                        granted = frozenset(event.text.partition(":")[2].split())
                    elif event.code == REGISTERED:
                        self._name = name
                        return Registered(name, event.text, tuple(preamble)), granted
                    elif (
                        event.code not in REFUSALS - {400}
                        and 400 <= event.code < 500
                        and granted is None
                        and refused_extend is None
                    ):
                        # The EXTEND's refusal by a server without extensions (400 or 404, say:
                        # the name was checked before it was sent, so a 400 is most likely for
                        # the EXTEND too); the REGISTER's answer follows shortly.
                        refused_extend = event
                        loop = asyncio.get_running_loop()
                        deadline.reschedule(
                            min(loop.time() + EXTEND_REFUSAL_GRACE, _when(deadline))
                        )
                    elif event.code in REFUSALS:
                        return Refused(name, event.code, event.text, tuple(preamble)), granted
                    else:
                        preamble.append(event)
        except TimeoutError:
            if refused_extend is not None:  # that 400 was the REGISTER's after all
                return Refused(name, 400, refused_extend.text, tuple(preamble)), None
            raise RegistrationTimeoutError(
                f"no reply from {self.address} to registration within {timeout:g} s"
            ) from None

    async def extend_first(
        self, names: tuple[str, ...], *, timeout: float = DEFAULT_TIMEOUT
    ) -> frozenset[str] | None:
        """Ask for extensions before registering: what ``210`` granted, or None.

        A server that takes ``EXTEND`` only after registration (seed 004 answers ``400``
        to any line before ``REGISTER``) gives None, as does one that stays silent for
        `timeout` seconds. Other lines that arrive meanwhile go into the preamble of the
        registration that follows. Raises `ConnectionLostError` if the server hangs up.
        """
        await self._write(encode_request(Extend(names)))
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = await self._registration_event("before accepting the name")
                    if isinstance(event, NumericReply):
                        if event.code != EXTENSIONS_ENABLED:
                            return None
                        return frozenset(event.text.partition(":")[2].split())
                    self._early.append(event)
        except TimeoutError:
            return None

    @staticmethod
    def _check_name(name: str) -> None:
        problem = name_problem(name)
        if problem is not None:
            raise ValueError(f"cannot use the name {name!r}: {problem}")

    async def _registration(self, name: str, line: bytes, timeout: float) -> Registered | Refused:
        await self._write(line)
        preamble, self._early = self._early, []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = await self._registration_event("before accepting the name")
                    if isinstance(event, NumericReply) and event.code == REGISTERED:
                        self._name = name
                        return Registered(name, event.text, tuple(preamble))
                    if isinstance(event, NumericReply) and event.code in REFUSALS:
                        return Refused(name, event.code, event.text, tuple(preamble))
                    preamble.append(event)
        except TimeoutError:
            raise RegistrationTimeoutError(
                f"no reply from {self.address} to registration within {timeout:g} s"
            ) from None

    async def _registration_event(self, when: str) -> ServerEvent:
        """The next event while not registered; the end of the connection is an error."""
        event = await self.receive()
        if isinstance(event, ServerDisconnect):
            raise ConnectionLostError(f"the server said DISCONNECT {when}")
        if isinstance(event, ConnectionClosed):
            raise ConnectionLostError("the server closed the connection during registration")
        return event

    async def send(self, text: str) -> None:
        """Send ``@<name>: <text>``; `text` must be one line (no CR or LF)."""
        if self._name is None:
            raise RuntimeError("register a name before sending messages")
        if "\n" in text or "\r" in text:
            raise ValueError("a message is a single line: it may not contain CR or LF")
        await self._write(encode_message(self._name, text))

    async def request(self, request: Request) -> None:
        """Send one request (a message, a command of an extension) as one line."""
        self._check_single_line(request)
        await self._write(encode_request(request))

    # Typed requests of the extensions (each needs its extension on; answers are events) --

    async def join(self, room: str, key: str = "") -> None:
        """``JOIN <room> [<key>]`` (``rooms``): answered ``220 Joined``, then its history."""
        await self.request(Join(room, key))

    async def leave(self, room: str) -> None:
        """``LEAVE <room>`` (``rooms``): answered ``221 Left``."""
        await self.request(Leave(room))

    async def who(self) -> None:
        """``WHO`` (``who``): answered ``250`` with the names online."""
        await self.request(Who())

    async def rooms(self) -> None:
        """``ROOMS`` (``who``): a ``251`` per room, then ``252``."""
        await self.request(Rooms())

    async def direct(self, recipient: str, text: str) -> None:
        """``@me > <recipient>: <text>`` (``dm``)."""
        await self.request(DirectMessage(self._registered_name(), recipient, text))

    async def history(
        self, target: str, count: int | None = None, before: int | None = None
    ) -> None:
        """``HISTORY #room|@user [count [before]]`` (``history``): ``260`` lines, ``261``.

        The client's reconnection uses it to fetch what it missed (`parley.client.catchup`).
        """
        await self.request(HistoryRequest(target, count, before))

    async def search(self, text: str, target: str | None = None) -> None:
        """``SEARCH <words> [#room|@user]`` (``search``): a ``262`` line per match, ``263``."""
        await self.request(SearchRequest(text, target))

    def _registered_name(self) -> str:
        if self._name is None:
            raise RuntimeError("register a name before sending messages")
        return self._name

    def request_nowait(self, request: Request) -> bool:
        """Send `request` without waiting for the socket: for live-typing previews.

        Returns False, sending nothing, if the connection is closed or much is still waiting
        to be written (a preview is worth nothing late). Writes keep their order with those
        of `request` and `send`.
        """
        self._check_single_line(request)
        if self._closed or self._writer.is_closing():
            return False
        if self._writer.transport.get_write_buffer_size() > MAX_PREVIEW_BACKLOG:
            return False
        try:
            self._writer.write(encode_request(request))
        except OSError:
            return False
        return True

    @staticmethod
    def _check_single_line(request: Request) -> None:
        text = getattr(request, "text", None) or ""
        if "\n" in text or "\r" in text:
            raise ValueError("a message is a single line: it may not contain CR or LF")

    async def receive(self) -> SessionEvent:
        """The next thing the server said; `ConnectionClosed` (every time) after the end."""
        while not self._pending:
            if self._at_eof:
                return ConnectionClosed()
            await self._read_more()
        return self._pending.popleft()

    async def events(self) -> AsyncIterator[SessionEvent]:
        """Every event until, and including, `ServerDisconnect` or `ConnectionClosed`."""
        while True:
            event = await self.receive()
            yield event
            if isinstance(event, ServerDisconnect | ConnectionClosed):
                return

    async def disconnect(self) -> None:
        """Say ``DISCONNECT <name> CHAT/1.0`` (if registered) and close the connection."""
        if self._name is not None and not self._closed:
            with contextlib.suppress(ConnectionLostError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await self._write(encode_client_disconnect(self._name))
        await self.close()

    async def close(self) -> None:
        """Close the connection without a word. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self._writer.wait_closed()

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _read_more(self) -> None:
        try:
            data = await self._reader.read(READ_SIZE)
        except OSError:
            data = b""
        if data:
            self._pending.extend(parse_server_line(line) for line in self._framer.feed(data))
            return
        self._at_eof = True
        fragment = self._framer.flush()
        if fragment:
            self._pending.append(parse_server_line(fragment))

    async def _write(self, data: bytes) -> None:
        if self._closed or self._writer.is_closing():
            raise ConnectionLostError(f"the connection to {self.address} is closed")
        try:
            self._writer.write(data)
            await self._writer.drain()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise ConnectionLostError(f"the connection to {self.address} broke: {reason}") from None


__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_INCOMING_LINE",
    "CertificateError",
    "ChatClient",
    "ConnectError",
    "ConnectionClosed",
    "ConnectionLostError",
    "Refused",
    "Registered",
    "RegistrationTimeoutError",
    "Request",
    "SessionError",
    "SessionEvent",
    "certificate_fingerprint",
    "encode_request",
]


def _when(deadline: asyncio.Timeout) -> float:
    """The loop time at which `deadline` expires (infinity if it never does)."""
    when = deadline.when()
    return float("inf") if when is None else when
