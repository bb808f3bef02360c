"""The conversation loop: what arrives is shown, what is typed is carried out.

`Conversation.run` ties a registered `ChatClient`, a `Frontend` and a `ChatState` together:
one task shows incoming events, one reads typed lines and performs them, a timer gives up
on a server that never answers ``EXTEND``, and a `LiveSender` sends live-typing previews as
the user types. It never exits the process: it returns an `ExitStatus` or raises
`ClientError`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from parley.client.chat import ChatState, Step
from parley.client.commands import Command, SendDirect
from parley.client.errors import ClientError, ExitStatus
from parley.client.frontend import Frontend
from parley.client.live import LiveSender
from parley.client.render import Line, render_event
from parley.client.requests import Request
from parley.client.session import (
    DEFAULT_TIMEOUT,
    ChatClient,
    ConnectionClosed,
    ConnectionLostError,
)
from parley.protocol.chat1 import ServerDisconnect
from parley.protocol.names import is_valid_name

NEGOTIATION_TIMEOUT = 3.0
"""Seconds to wait for the answer to EXTEND before taking the server for a plain one."""
LAST_ANSWERS_TIMEOUT = 2.0
"""Seconds to wait, when leaving, for the answers to the last commands."""


class Conversation:
    """Shows what arrives and sends what is typed, until one side ends the conversation.

    Resource handling: `run` owns the receiving and typing tasks and the timers it starts,
    and cancels them all before it returns. Error handling: a connection that breaks while
    sending is a `ClientError` (exit status 3); the server's goodbye is a normal end.
    """

    def __init__(
        self,
        client: ChatClient,
        ui: Frontend,
        state: ChatState,
        negotiation_timeout: float,
        answer_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._client = client
        self._ui = ui
        self._state = state
        self._negotiation_timeout = negotiation_timeout
        self._answer_timeout = answer_timeout
        self._settled = asyncio.Event()
        self._answered = asyncio.Event()
        self._sender = LiveSender(state.me, client.request_nowait)
        self._expiry: asyncio.TimerHandle | None = None

    async def run(self) -> ExitStatus:
        """Chat until the user leaves (OK), the server says goodbye (OK) or the line drops."""
        await self._carry_out(self._state.start())
        self._note_settled()
        self._ui.watch_typing(self._edited)
        receiving = asyncio.create_task(self._show_incoming())
        typing = asyncio.create_task(self._send_typed())
        deadline = asyncio.create_task(self._negotiation_deadline())
        try:
            await asyncio.wait({receiving, typing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # The prompt goes away before the last word is shown, so the notice comes last.
            self._ui.watch_typing(None)
            self._sender.close()
            if self._expiry is not None:
                self._expiry.cancel()
            await _cancel_unfinished(receiving, typing, deadline)
        if receiving.done() and not receiving.cancelled():
            ending = receiving.result()
            if isinstance(ending, ConnectionClosed):
                raise ClientError("connection to server lost", ExitStatus.CONNECTION_LOST)
            self._ui.show(render_event(ending))
            return ExitStatus.OK
        typing.result()
        await self._client.disconnect()
        return ExitStatus.OK

    # Incoming ------------------------------------------------------------------------------

    async def _show_incoming(self) -> ServerDisconnect | ConnectionClosed:
        """Show each incoming event; return the one that ended the stream, unshown."""
        async for event in self._client.events():
            if isinstance(event, ServerDisconnect | ConnectionClosed):
                return event
            was_live = self._state.live
            self._show(self._state.receive(event, _now()))
            self._note_settled()
            self._answered.set()
            self._after_change(was_live)
        raise AssertionError("events() ends with ServerDisconnect or ConnectionClosed")

    async def _negotiation_deadline(self) -> None:
        await asyncio.sleep(self._negotiation_timeout)
        if not self._state.settled:
            self._show(self._state.give_up())
            self._note_settled()
            self._refresh()

    def _note_settled(self) -> None:
        if self._state.settled:
            self._settled.set()

    # Typed lines ---------------------------------------------------------------------------

    async def _send_typed(self) -> None:
        self._refresh()
        while (line := await self._ui.read_line()) is not None:
            self._sender.hold()  # a preview held back now would arrive after the message
            step = await self._perform(self._state.parse(line))
            self._sender.finish()
            if step.quit:
                break
        await self._last_answers()

    async def _last_answers(self) -> None:
        """Before leaving, wait (briefly) for the answers to what was sent last.

        A script that ends with ``/who`` should see the list, not lose it to the goodbye.
        """
        barrier = self._state.barrier()
        if barrier is None:
            return
        await self._send(barrier)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(self._answer_timeout, LAST_ANSWERS_TIMEOUT)):
                while self._state.awaiting_barrier:
                    self._answered.clear()
                    await self._answered.wait()

    async def _perform(self, command: Command) -> Step:
        was_live = self._state.live
        step = self._state.perform(command)
        if step.wait:
            await self._settled.wait()
            step = self._state.perform(command)
        if step.compose:
            step = await self._compose()
        await self._carry_out(step)
        await self._wait_for_answer()
        self._after_change(was_live)
        return step

    async def _wait_for_answer(self) -> None:
        """Hold the next typed line until the server answers a change of room."""
        try:
            async with asyncio.timeout(self._answer_timeout):
                while self._state.awaiting_reply:
                    self._answered.clear()
                    await self._answered.wait()
        except TimeoutError:
            self._state.stop_waiting()

    async def _compose(self) -> Step:
        """Seed 003's ``message``: ask who it is for, then what it says."""
        recipient = await self._ui.ask("Recipient: ")
        if recipient is None:
            return Step(quit=True)
        recipient = recipient.strip()
        if not is_valid_name(recipient):
            problem = f"{recipient!r} is not a user name" if recipient else "No recipient"
            return Step(lines=(Line.notice(f"{problem}; nothing was sent."),))
        text = await self._ui.ask("Message: ")
        if text is None:
            return Step(quit=True)
        if not text.strip():
            return Step(lines=(Line.notice("Empty message; nothing was sent."),))
        return self._state.perform(SendDirect(recipient, text.strip()))

    async def _carry_out(self, step: Step) -> None:
        self._show(step.lines)
        for request in step.requests:
            await self._send(request)

    async def _send(self, request: Request) -> None:
        try:
            await self._client.request(request)
        except ConnectionLostError as error:
            raise ClientError(str(error), ExitStatus.CONNECTION_LOST) from None

    # Live typing and the prompt ----------------------------------------------------------

    def _edited(self, text: str) -> None:
        """A keystroke changed the line being typed (called by the UI, on the loop)."""
        preview = self._state.preview(text)
        if preview is not None:
            self._sender.offer(preview)

    def _after_change(self, was_live: bool) -> None:
        if was_live and not self._state.live:
            self._sender.finish()
        self._refresh()

    def _refresh(self) -> None:
        """Bring the prompt (current room) and the typing status up to date."""
        self._ui.set_prompt(self._state.prompt())
        self._ui.set_status(self._state.typing_lines(_now(), self._ui.status_width))
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        expires = self._state.typing_expires()
        if expires is not None:
            self._expiry = asyncio.get_running_loop().call_at(expires + 0.1, self._refresh)

    def _show(self, lines: Sequence[Line]) -> None:
        for line in lines:
            self._ui.show(line)


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _cancel_unfinished(*tasks: asyncio.Task[Any]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
