"""The client's life: ask for a name, connect, register, chat, leave.

This is where the pieces meet: `ClientConfig` says where, a `Frontend` talks to the user, a
`ChatClient` talks to the server (over TLS for ``chats://``, trusted as `parley.client.trust`
decides), `parley.client.signin` registers (logging in to an account if need be), and a
`Conversation` runs the chat itself. Each way of ending becomes an `ExitStatus`, or a
`ClientError` carrying one; this module never exits the process itself.
"""

from __future__ import annotations

import sys
from typing import TextIO

from parley.client.chat import ChatState
from parley.client.conversation import NEGOTIATION_TIMEOUT, Conversation
from parley.client.errors import ExitStatus
from parley.client.frontend import Frontend
from parley.client.lines import LineFrontend
from parley.client.options import ClientConfig
from parley.client.signin import sign_in
from parley.client.stopping import StopRequestedError, StopSignals, until_stopped


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
            signed_in = await until_stopped(sign_in(config, ui), stop.event)
        except StopRequestedError:
            return ExitStatus.OK
        client = signed_in.client
        try:
            state = ChatState(
                client.name or "",
                config.commands,
                live=config.live,
                live_capable=ui.live_capable,
                first=signed_in.first,
            )
            negotiation = min(config.timeout, NEGOTIATION_TIMEOUT)
            conversation = Conversation(
                client,
                ui,
                state,
                negotiation,
                config.timeout,
                password=config.password,
                new_password=config.new_password,
            )
            return await until_stopped(conversation.run(), stop.event)
        except StopRequestedError:
            await client.disconnect()
            return ExitStatus.OK
        finally:
            await client.close()
