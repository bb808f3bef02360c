"""The client's life: ask for a name, connect, register, chat, leave.

This is where the pieces meet: `ClientConfig` says where, a `Frontend` talks to the user, a
`ChatClient` talks to the server (over TLS for ``chats://``, trusted as `parley.client.trust`
decides), and a `Conversation` runs the chat itself. Each way of ending becomes an
`ExitStatus`, or a `ClientError` carrying one; this module never exits the process itself.
"""

from __future__ import annotations

import sys
from typing import TextIO

from parley.client.chat import ChatState
from parley.client.conversation import NEGOTIATION_TIMEOUT, Conversation
from parley.client.errors import ClientError, ExitStatus, UsageError
from parley.client.frontend import Frontend
from parley.client.lines import LineFrontend
from parley.client.naming import name_problem
from parley.client.options import ClientConfig
from parley.client.render import Line, render_event
from parley.client.session import (
    ChatClient,
    ConnectError,
    ConnectionLostError,
    Refused,
    Registered,
    RegistrationTimeoutError,
)
from parley.client.stopping import StopRequestedError, StopSignals, until_stopped
from parley.client.trust import connect_tls

CONNECTING = "Connecting to server ..."
CONNECTED = "Connection to server established. Sending intro message..."
REGISTERED = "Registration successful.  Ready for messaging!"

_REFUSAL_REASONS = {
    400: "the server says the name {name!r} is invalid",
    401: "the name {name!r} is already taken",
}


def choose_frontend(config: ClientConfig) -> Frontend:
    """The prompt_toolkit UI for a person at a terminal, plain lines otherwise."""
    if config.plain or not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        return LineFrontend()
    from parley.client.tui import PromptFrontend  # only people at a terminal pay for it

    return PromptFrontend()


def _is_terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is a terminal (None when the program was started with it closed)."""
    return stream is not None and stream.isatty()


async def run(config: ClientConfig, frontend: Frontend | None = None) -> ExitStatus:
    """Run the whole client; return its exit status or raise `ClientError`."""
    with StopSignals() as stop, frontend or choose_frontend(config) as ui:
        try:
            client = await until_stopped(join(config, ui), stop.event)
        except StopRequestedError:
            return ExitStatus.OK
        try:
            state = ChatState(
                client.name or "",
                config.commands,
                live=config.live,
                live_capable=ui.live_capable,
            )
            negotiation = min(config.timeout, NEGOTIATION_TIMEOUT)
            conversation = Conversation(client, ui, state, negotiation, config.timeout)
            return await until_stopped(conversation.run(), stop.event)
        except StopRequestedError:
            await client.disconnect()
            return ExitStatus.OK
        finally:
            await client.close()


async def join(config: ClientConfig, ui: Frontend) -> ChatClient:
    """Connect and register, asking for another name while a person is there to give one."""
    name = config.name
    while True:
        if name is None:
            name = await _ask_name(ui)
        problem = name_problem(name)
        if problem is not None:
            _refuse(ui, f"cannot use the name {name!r}: {problem}")
            name = None
            continue
        client = await _connect(config, ui)
        try:
            result = await _register(client, name, config.timeout)
        except BaseException:
            await client.close()
            raise
        for event in result.preamble:
            ui.show(render_event(event))
        if not isinstance(result, Refused):
            ui.show(Line.progress(REGISTERED))
            return client
        await client.close()
        reason = _REFUSAL_REASONS[result.code].format(name=name)
        _refuse(ui, f"{reason} ({result.code} {result.text})".replace(" )", ")"))
        name = None


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


async def _connect(config: ClientConfig, ui: Frontend) -> ChatClient:
    ui.show(Line.progress(CONNECTING))
    try:
        if config.address.tls:
            client = await connect_tls(config.address, config.tls, config.timeout, ui)
        else:
            client = await ChatClient.connect(config.address, timeout=config.timeout)
    except ConnectError as error:
        raise ClientError(str(error), ExitStatus.USAGE) from None
    ui.show(Line.progress(CONNECTED))
    return client


async def _register(client: ChatClient, name: str, timeout: float) -> Registered | Refused:
    try:
        return await client.register(name, timeout=timeout)
    except RegistrationTimeoutError as error:
        raise ClientError(str(error), ExitStatus.USAGE) from None
    except ConnectionLostError as error:
        raise ClientError(str(error), ExitStatus.CONNECTION_LOST) from None
