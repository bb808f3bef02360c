"""The client's life: ask for a name, connect, register, chat, leave.

This is where the pieces meet: `ClientConfig` says where, a `Frontend` talks to the user, a
`ChatClient` talks to the server. Each way of ending becomes an `ExitStatus`, or a
`ClientError` carrying one; this module never exits the process itself.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from parley.client.errors import ClientError, ExitStatus, UsageError
from parley.client.frontend import Frontend
from parley.client.lines import LineFrontend
from parley.client.naming import name_problem
from parley.client.options import ClientConfig
from parley.client.render import Line, render_event
from parley.client.session import (
    ChatClient,
    ConnectError,
    ConnectionClosed,
    ConnectionLostError,
    Refused,
    Registered,
    RegistrationTimeoutError,
)
from parley.client.stopping import StopRequestedError, StopSignals, until_stopped
from parley.protocol.chat1 import ServerDisconnect, neutralise_controls

CONNECTING = "Connecting to server ..."
CONNECTED = "Connection to server established. Sending intro message..."
REGISTERED = "Registration successful.  Ready for messaging!"
QUIT_COMMAND = "/quit"

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
            return await until_stopped(converse(client, ui), stop.event)
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


async def converse(client: ChatClient, ui: Frontend) -> ExitStatus:
    """Show what arrives and send what is typed, until one side ends the conversation."""
    receiving = asyncio.create_task(_show_incoming(client, ui))
    typing = asyncio.create_task(_send_typed(client, ui))
    try:
        await asyncio.wait({receiving, typing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # The prompt goes away before the last word is shown, so the notice comes last.
        await _cancel_unfinished(receiving, typing)
    if receiving.done() and not receiving.cancelled():
        ending = receiving.result()
        if isinstance(ending, ConnectionClosed):
            raise ClientError("connection to server lost", ExitStatus.CONNECTION_LOST)
        ui.show(render_event(ending))
        return ExitStatus.OK
    typing.result()
    await client.disconnect()
    return ExitStatus.OK


async def _cancel_unfinished(*tasks: asyncio.Task[object]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _show_incoming(client: ChatClient, ui: Frontend) -> ServerDisconnect | ConnectionClosed:
    """Show each incoming line; return the event that ended the stream, unshown."""
    async for event in client.events():
        if isinstance(event, ServerDisconnect | ConnectionClosed):
            return event
        ui.show(render_event(event))
    raise AssertionError("events() ends with ServerDisconnect or ConnectionClosed")


async def _send_typed(client: ChatClient, ui: Frontend) -> None:
    while (line := await ui.read_line()) is not None:
        if line.strip() == QUIT_COMMAND:
            return
        if not line.strip():
            continue
        try:
            await client.send(neutralise_controls(line))
        except ConnectionLostError as error:
            raise ClientError(str(error), ExitStatus.CONNECTION_LOST) from None
