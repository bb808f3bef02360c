"""The client's life: ask for a name, connect, register, chat, leave.

This is where the pieces meet: `ClientConfig` says where, a `Frontend` talks to the user, a
`ChatClient` talks to the server (over TLS for ``chats://``, trusted as `parley.client.trust`
decides), `parley.client.signin` registers (logging in to an account if need be), and a
`Conversation` runs the chat itself. Each way of ending becomes an `ExitStatus`, or a
`ClientError` carrying one; this module never exits the process itself.

Two decisions about the terminal are made here: how lines look (`appearance`: colours and
times only for a person, so a script's output stays the seed's lines), and whether a dropped
connection is retried (`reconnects`: at a terminal, unless ``--no-reconnect``; a script keeps
exit status 3).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TextIO

from parley.client.appearance import Appearance
from parley.client.chat import ChatState
from parley.client.completion import Recent
from parley.client.conversation import NEGOTIATION_TIMEOUT, Conversation, First, Reconnect
from parley.client.errors import ExitStatus
from parley.client.frontend import Frontend
from parley.client.lines import LineFrontend
from parley.client.options import ClientConfig
from parley.client.passwords import Secret
from parley.client.render import Line
from parley.client.session import ChatClient
from parley.client.signin import sign_in
from parley.client.stopping import StopRequestedError, StopSignals, until_stopped


def choose_frontend(config: ClientConfig) -> Frontend:
    """The prompt_toolkit UI for a person at a terminal, plain lines otherwise."""
    looks = appearance(config, terminal=_is_terminal(sys.stdout))
    if config.plain or not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        return LineFrontend(looks=looks)
    if config.full_screen:
        from parley.client.fullscreen import FullScreenFrontend

        return FullScreenFrontend(looks)
    from parley.client.tui import PromptFrontend  # only people at a terminal pay for it

    return PromptFrontend(looks)


def appearance(
    config: ClientConfig, *, terminal: bool, environ: Mapping[str, str] | None = None
) -> Appearance:
    """How lines look: colours (``--color``, ``NO_COLOR``, a terminal that can), the time
    before each line (a terminal, or ``--time-format`` given), the bell (a terminal)."""
    environ = os.environ if environ is None else environ
    able = terminal and environ.get("TERM") != "dumb"
    colour = config.color == "always" or (config.color == "auto" and able)
    time_format = config.time_format if terminal or config.time_everywhere else ""
    return Appearance(colour=colour, time_format=time_format, bell=config.bell and terminal)


def reconnects(config: ClientConfig, ui: Frontend) -> bool:
    """Whether a dropped connection is retried: a person at a terminal, unless told not to."""
    return config.reconnect and ui.interactive


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
        conversation: Conversation | None = None
        try:
            me = client.name or ""
            state = ChatState(
                me,
                config.commands,
                live=config.live,
                live_capable=ui.live_capable,
                first=signed_in.first,
                highlight_words=config.highlight,
            )
            negotiation = min(config.timeout, NEGOTIATION_TIMEOUT)
            conversation = Conversation(
                client,
                ui,
                state,
                negotiation,
                config.timeout,
                password=signed_in.password or config.password,
                new_password=config.new_password,
                reconnect=_reconnect(config, ui, me) if reconnects(config, ui) else None,
            )
            attach = getattr(ui, "attach_state", None)  # the full-screen mode's buffers
            if callable(attach):
                attach(state, conversation.carry_out_quietly)
            return await until_stopped(conversation.run(), stop.event)
        except StopRequestedError:
            await (conversation.client if conversation else client).disconnect()
            return ExitStatus.OK
        finally:
            await client.close()
            if conversation is not None:  # a reconnection's client, if there was one
                await conversation.client.close()


def _reconnect(config: ClientConfig, ui: Frontend, me: str) -> Reconnect:
    """How to get `me` a new connection after a drop: the same name, the latest password.

    Nothing is asked while the chat prompt is up (a second prompt cannot share the
    terminal with it): a password that no longer works, or a certificate that is not
    trusted any more, ends the client with its reason instead.
    """
    quiet = _NoQuestions(ui)

    async def again(password: Secret | None) -> tuple[ChatClient, First]:
        retry = replace(config, name=me, password=password, signup=False)
        signed_in = await sign_in(retry, quiet, again=True)
        return signed_in.client, signed_in.first

    return again


class _NoQuestions:
    """`ui` for reconnecting: it shows lines, but nobody is there to answer a question."""

    def __init__(self, ui: Frontend) -> None:
        self._ui = ui

    interactive = False

    @property
    def live_capable(self) -> bool:
        return self._ui.live_capable

    @property
    def status_width(self) -> int:
        return self._ui.status_width

    def __enter__(self) -> Frontend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """The real UI is entered and left by `run`."""

    async def ask_name(self) -> str | None:
        return None

    async def ask(self, question: str) -> str | None:
        return None

    async def ask_secret(self, question: str) -> str | None:
        return None

    async def confirm(self, question: str) -> bool:
        return False

    async def read_line(self) -> str | None:
        return None

    def show(self, line: Line) -> None:
        self._ui.show(line)

    def set_prompt(self, text: str) -> None:
        self._ui.set_prompt(text)

    def set_status(self, lines: Sequence[str]) -> None:
        self._ui.set_status(lines)

    def watch_typing(self, callback: Callable[[str], None] | None) -> None:
        """Typing is the conversation's business."""

    def complete_from(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        """Completion is the conversation's business."""
