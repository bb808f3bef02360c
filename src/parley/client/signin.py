"""Connecting and registering: a name, and for a name with an account, its password.

Seed 004 knows only ``REGISTER``; a Parley server with accounts answers ``REGISTER`` of a
protected name with ``406 Password required``, but only to a client that asked for the
``auth`` extension (any other client gets ``401``, as for a name in use). A seed-004 server
answers ``400`` to any line before ``REGISTER``, so asking first is not free. The client
therefore asks for ``auth`` before registering only when it has a reason to:

- a password was given (``--password``, ``--password-file``, ``PARLEY_PASSWORD``) or
  ``--signup`` was: ``EXTEND`` (everything but ``dm``, see `first_extensions`), wait for
  its answer, then ``REGISTER`` (``SIGNUP`` with ``--signup``). ``406`` is answered with
  ``LOGIN``. A server without accounts still gets a plain ``REGISTER``, so a password given
  by habit does no harm;
- ``401`` at a terminal, without a password: the name may be protected rather than in use.
  On the same connection, ask for ``auth`` and ``REGISTER`` again: ``406`` now means
  "protected", so the password is asked for; ``401`` again means "in use". A seed-004
  server answers the ``EXTEND`` with ``400`` and the name is reported as taken;
- otherwise ``EXTEND`` and ``REGISTER`` go in one write (`ChatClient.register_extended`): a
  Parley server answers ``210`` then the registration (``406`` for a protected name, which
  leads to the password); a seed-004 server ignores or refuses the ``EXTEND`` and answers
  the ``REGISTER``, and is never sent ``EXTEND`` again; one that hangs up on it is tried
  again, on a new connection, with seed 004's plain ``REGISTER``. ``--commands seed004``
  sends exactly seed 004's lines.

Once a server has granted ``auth``, later attempts (another name after a refusal) ask
before registering straight away. Passwords typed at the terminal are never echoed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import replace

from parley.client.chat import first_extensions
from parley.client.conversation import NEGOTIATION_TIMEOUT
from parley.client.errors import (
    ClientError,
    ExitStatus,
    RetryLaterError,
    UnreachableError,
    UsageError,
)
from parley.client.frontend import Frontend
from parley.client.naming import name_problem
from parley.client.options import ClientConfig
from parley.client.passwords import PASSWORD_ENV, Secret, ask_twice
from parley.client.render import Line, render_event
from parley.client.session import (
    ChatClient,
    ConnectError,
    ConnectionLostError,
    Refused,
    Registered,
    RegistrationTimeoutError,
)
from parley.client.stopping import StopRequestedError
from parley.client.trust import connect_tls
from parley.records import record

CONNECTING = "Connecting to server ..."
CONNECTED = "Connection to server established. Sending intro message..."
REGISTERED = "Registration successful.  Ready for messaging!"

PASSWORD_REQUIRED = 406
WRONG_PASSWORD = 407
BAD_PASSWORD = 408
TOO_MANY = 429
MAX_WAIT = 60.0
"""Seconds the client waits at most before trying a throttled login again."""
GIVE_PASSWORD = f"--password-file FILE or {PASSWORD_ENV}"

_REFUSAL_REASONS = {
    400: "the server says the name {name!r} is invalid",
    401: "the name {name!r} is already taken",
}


@record
class SignedIn:
    """A registered connection, and the extensions settled before registering (if asked)."""

    client: ChatClient
    first: tuple[tuple[str, ...], frozenset[str]] | None = None
    """The extensions asked for before registering and what the server granted."""
    password: Secret | None = None
    """The password that logged in (typed, or given), to log in again after a drop."""


@record
class _Refusal:
    """This name cannot be had on this connection; `message` (if any) says why."""

    message: str | None
    auth: bool = False
    """The server has accounts (worth asking for ``auth`` first next time)."""
    plain: bool = False
    """The server hung up on our ``EXTEND``: try the same name again, seed 004's way."""


async def sign_in(config: ClientConfig, ui: Frontend, *, again: bool = False) -> SignedIn:
    """Connect and register (logging in if need be), asking again while a person is there.

    `again`: reconnecting after a drop, with the name (and password) that were in use: no
    progress lines, and a refused name is a `RetryLaterError` (our old connection may still
    hold it) rather than a question for another name.
    """
    name = config.name
    auth_known = False
    plain = False
    while True:
        if name is None:
            name = await _ask_name(ui)
        problem = name_problem(name)
        if problem is not None:
            _refuse(ui, f"cannot use the name {name!r}: {problem}")
            name = None
            continue
        client = await _connect(config, ui, quiet=again)
        try:
            outcome = await _attempt(client, name, config, ui, ask_first=auth_known, plain=plain)
        except BaseException:
            await client.close()
            raise
        if isinstance(outcome, SignedIn):
            if not again:
                ui.show(Line.progress(REGISTERED))
            return outcome
        await client.close()
        if outcome.plain and not plain:
            plain = True
            continue  # same name, new connection, no EXTEND
        auth_known = auth_known or outcome.auth
        if again:
            raise RetryLaterError(outcome.message or f"the name {name!r} was not accepted")
        if outcome.message is not None:
            _refuse(ui, outcome.message)
        name = None


async def _attempt(
    client: ChatClient,
    name: str,
    config: ClientConfig,
    ui: Frontend,
    *,
    ask_first: bool,
    plain: bool = False,
) -> SignedIn | _Refusal:
    """One connection's try at `name`: register, sign up or log in."""
    used: list[Secret] = []
    outcome = await _try(client, name, config, ui, used, ask_first=ask_first, plain=plain)
    if isinstance(outcome, SignedIn):
        return replace(outcome, password=used[-1] if used else config.password)
    return outcome


async def _try(
    client: ChatClient,
    name: str,
    config: ClientConfig,
    ui: Frontend,
    used: list[Secret],
    *,
    ask_first: bool,
    plain: bool,
) -> SignedIn | _Refusal:
    asked = first_extensions(config.commands, config.live and ui.live_capable)
    logging_in = ask_first or config.password is not None or config.signup
    if not logging_in and not plain and config.commands != "seed004":
        return await _register_extended(client, name, asked, config, ui, used=used)
    if plain:
        asked = ()
    granted = await _extensions_first(client, asked, config) if logging_in else None
    result: Registered | Refused | _Refusal
    if config.signup:
        result = await _signup(client, name, config, ui, used)
    else:
        result, granted = await _register_then_login(
            client, name, asked, granted, config=config, ui=ui, used=used
        )
    return _outcome(client, name, result, (asked, granted), config=config, ui=ui)


async def _extensions_first(
    client: ChatClient, asked: tuple[str, ...], config: ClientConfig
) -> frozenset[str] | None:
    """``EXTEND`` before registering (to log in or sign up): what the server granted."""
    try:
        granted = await client.extend_first(asked, timeout=_negotiation(config))
    except ConnectionLostError as error:
        raise ClientError(str(error), ExitStatus.CONNECTION_LOST) from None
    if config.signup and not _has_auth(granted):
        raise ClientError(
            f"{client.address} does not support accounts, so --signup cannot create one "
            "(start without it)",
            ExitStatus.REFUSED,
        )
    return granted


async def _register_then_login(
    client: ChatClient,
    name: str,
    asked: tuple[str, ...],
    granted: frozenset[str] | None,
    *,
    config: ClientConfig,
    ui: Frontend,
    used: list[Secret],
) -> tuple[Registered | Refused | _Refusal, frozenset[str] | None]:
    """``REGISTER``, and ``LOGIN`` if the name turns out to be protected.

    A ``401`` at a terminal, with nothing asked for yet, may mean "protected" rather than
    "in use": ask for ``auth`` and try once more. Returns the answer and what was granted.
    """
    result: Registered | Refused | _Refusal = await _register(client, name, config.timeout)
    if _is_refused(result, 401) and granted is None and ui.interactive:
        granted = await _ask_first_quietly(client, asked, _negotiation(config))
        if _has_auth(granted):
            result = await _register(client, name, config.timeout)
    has_auth = _has_auth(granted)
    if _is_refused(result, PASSWORD_REQUIRED):
        result = await _login(
            client, name, config.password if has_auth else None, config, ui, used=used
        )
    elif isinstance(result, Registered) and config.password is not None:
        why = "has no account here" if has_auth else "is on a server without accounts"
        ui.show(Line.progress(f"The name {name} {why}: the password was not needed."))
    return result, granted


async def _register_extended(
    client: ChatClient,
    name: str,
    asked: tuple[str, ...],
    config: ClientConfig,
    ui: Frontend,
    *,
    used: list[Secret],
) -> SignedIn | _Refusal:
    """The usual start: ``EXTEND`` and ``REGISTER`` in one write (see `register_extended`)."""
    result: Registered | Refused | _Refusal
    try:
        result, granted = await client.register_extended(name, asked, timeout=config.timeout)
    except RegistrationTimeoutError as error:
        raise UnreachableError(str(error)) from None
    except ConnectionLostError:
        return _Refusal(None, plain=True)
    if _is_refused(result, PASSWORD_REQUIRED) and _has_auth(granted):
        result = await _login(client, name, None, config, ui, used=used)
    return _outcome(client, name, result, (asked, granted), config=config, ui=ui)


def _outcome(
    client: ChatClient,
    name: str,
    result: Registered | Refused | _Refusal,
    extensions: tuple[tuple[str, ...], frozenset[str] | None],
    *,
    config: ClientConfig,
    ui: Frontend,
) -> SignedIn | _Refusal:
    """What one try came to, given its last answer and the extensions asked for and granted."""
    asked, granted = extensions
    has_auth = _has_auth(granted)
    if isinstance(result, _Refusal):
        return _Refusal(result.message, has_auth)
    for event in result.preamble:
        ui.show(render_event(event))
    if isinstance(result, Registered):
        # A server that did not grant anything before registering (or hung up on EXTEND)
        # is a seed-004 server: it is never sent EXTEND again (it might relay it to all).
        return SignedIn(client, (asked, granted if granted is not None else frozenset()))
    message = _refusal_message(result, name)
    if result.code == 401 and not ui.interactive and config.password is None:
        message += f"; if it is yours and has a password, give it with {GIVE_PASSWORD}"
    return _Refusal(message, has_auth)


def _has_auth(granted: frozenset[str] | None) -> bool:
    return granted is not None and "auth" in granted


def _negotiation(config: ClientConfig) -> float:
    """How long to wait for the answer to an ``EXTEND``."""
    return min(config.timeout, NEGOTIATION_TIMEOUT)


def _is_refused(result: Registered | Refused | _Refusal, code: int) -> bool:
    return isinstance(result, Refused) and result.code == code


async def _ask_first_quietly(
    client: ChatClient, asked: tuple[str, ...], timeout: float
) -> frozenset[str] | None:
    """`extend_first` after a refusal, on a connection the server may already have dropped."""
    try:
        return await client.extend_first(asked, timeout=timeout)
    except ConnectionLostError:
        return None


async def _login(
    client: ChatClient,
    name: str,
    password: Secret | None,
    config: ClientConfig,
    ui: Frontend,
    *,
    used: list[Secret],
) -> Registered | Refused | _Refusal:
    """``406``: log in with the password given, or asked for, until it is right."""
    attempt = password
    while True:
        if attempt is None:
            if not ui.interactive:
                raise ClientError(
                    f"the name {name!r} has an account: give its password with {GIVE_PASSWORD}",
                    ExitStatus.REFUSED,
                )
            typed = await ui.ask_secret(f"Password for {name} (just Enter: use another name): ")
            if typed is None:
                raise StopRequestedError
            if not typed:
                return _Refusal(None)
            attempt = Secret(typed)
        result = await _registration(client.login(name, attempt, timeout=config.timeout))
        if isinstance(result, Registered):
            used.append(attempt)
        if isinstance(result, Registered) or result.code not in (WRONG_PASSWORD, TOO_MANY):
            return result
        if result.code == WRONG_PASSWORD:
            if not ui.interactive:
                raise ClientError(
                    f"wrong name or password for {name!r} ({result.code} {result.text})",
                    ExitStatus.REFUSED,
                )
            ui.show(Line.notice("Wrong name or password."))
            attempt = None
            continue
        wait = _wait_seconds(result.text)
        if not ui.interactive:
            raise ClientError(
                f"too many failed logins for {name!r}: try again in {wait:g} s "
                f"({result.code} {result.text})",
                ExitStatus.REFUSED,
            )
        ui.show(Line.notice(f"Too many failed attempts: trying again in {wait:g} s."))
        await asyncio.sleep(wait)


async def _signup(
    client: ChatClient, name: str, config: ClientConfig, ui: Frontend, used: list[Secret]
) -> Registered | Refused | _Refusal:
    """``--signup``: register `name` and create its account, with a password it accepts."""
    attempt = config.password
    while True:
        if attempt is None:
            if not ui.interactive:
                raise UsageError(
                    f"--signup needs the new account's password: give it with {GIVE_PASSWORD} "
                    "(it is asked for only at a terminal)"
                )
            answer = await ask_twice(ui, f"New password for {name}: ", "The same password again: ")
            if answer is None:
                raise StopRequestedError
            if not isinstance(answer, Secret):
                ui.show(Line.notice(f"{answer or 'No password given'}; please try again."))
                continue
            attempt = answer
        result = await _registration(client.signup(name, attempt, timeout=config.timeout))
        if isinstance(result, Registered):
            used.append(attempt)
            ui.show(Line(f"Account created: the name {name} now needs its password to log in."))
            return result
        if result.code != BAD_PASSWORD:
            return result
        rule = result.text.removeprefix("Unacceptable password").strip(" ()")
        if not ui.interactive:
            raise ClientError(
                f"the server does not accept that password: {rule or result.text} "
                f"({result.code} {result.text})",
                ExitStatus.REFUSED,
            )
        ui.show(Line.notice(f"Unacceptable password: {rule or result.text}."))
        attempt = None


def _refusal_message(result: Refused, name: str) -> str:
    """Why `name` was refused, for a person; a 429 ends the client whatever the terminal."""
    if result.code == TOO_MANY:
        raise ClientError(
            f"the server refuses, for now: {result.text} ({result.code})", ExitStatus.REFUSED
        )
    if result.code == PASSWORD_REQUIRED:  # only if asked for a name after a LOGIN: unlikely
        reason = f"the name {name!r} has an account"
    else:
        template = _REFUSAL_REASONS.get(result.code, "the server refused the name {name!r}")
        reason = template.format(name=name)
    return f"{reason} ({result.code} {result.text})".replace(" )", ")")


_WAIT = re.compile(r"wait (\d+(?:\.\d+)?) ?s")


def _wait_seconds(text: str) -> float:
    """The wait in ``429 Too many failed attempts; wait 4 s`` (1 s if it does not say)."""
    match = _WAIT.search(text)
    seconds = float(match.group(1)) if match else 1.0
    return min(max(seconds, 1.0), MAX_WAIT)


async def _ask_name(ui: Frontend) -> str:
    name = await ui.ask_name()
    if name is None:
        if ui.interactive:
            raise StopRequestedError
        raise UsageError("no name given: the input ended before a name was read")
    return name


def _refuse(ui: Frontend, message: str) -> None:
    """Tell the user why the name was not accepted; give up unless they can try again."""
    if not ui.interactive:
        raise ClientError(message, ExitStatus.REFUSED)
    ui.show(Line.notice(f"{message[:1].upper()}{message[1:]}. Please choose another name."))


async def _connect(config: ClientConfig, ui: Frontend, *, quiet: bool = False) -> ChatClient:
    if not quiet:
        ui.show(Line.progress(CONNECTING))
    try:
        if config.address.tls:
            client = await connect_tls(config.address, config.tls, config.timeout, ui)
        else:
            client = await ChatClient.connect(config.address, timeout=config.timeout)
    except ConnectError as error:
        raise UnreachableError(str(error)) from None
    if not quiet:
        ui.show(Line.progress(CONNECTED))
    return client


async def _register(client: ChatClient, name: str, timeout: float) -> Registered | Refused:
    return await _registration(client.register(name, timeout=timeout))


async def _registration(answer: Awaitable[Registered | Refused]) -> Registered | Refused:
    """The answer to a registration, its failures turned into the client's errors."""
    try:
        return await answer
    except RegistrationTimeoutError as error:
        raise UnreachableError(str(error)) from None
    except ConnectionLostError as error:
        raise ClientError(str(error), ExitStatus.CONNECTION_LOST) from None
