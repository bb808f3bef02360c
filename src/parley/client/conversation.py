"""The conversation loop: what arrives is shown, what is typed is carried out.

`Conversation.run` ties a registered `ChatClient`, a `Frontend` and a `ChatState` together:
one task shows incoming events, one reads typed lines and performs them, a timer gives up
on a server that never answers ``EXTEND``, and a `LiveSender` sends live-typing previews as
the user types. The account commands get their passwords here: asked for without echo at a
terminal, or taken from the command line or environment in a script. It never exits the
process: it returns an `ExitStatus` or raises `ClientError`.

Given a way to `Reconnect`, a connection that drops without the server's goodbye is not the
end: the client tries again with back-off (`parley.client.reconnect`), counting down in the
status line, while the prompt stays usable (a chat line typed meanwhile is not sent, and
says so; Ctrl-C and /quit still leave). Once a new connection is registered, the state is
told (`ChatState.reconnected`), the extensions are settled again, and `ChatState.rejoin`
asks for the rooms and for what was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from parley.client.chat import ChatState, Step
from parley.client.commands import AccountAction, Command, SendDirect
from parley.client.errors import ClientError, ExitStatus, worth_retrying
from parley.client.frontend import Frontend
from parley.client.live import LiveSender
from parley.client.passwords import NEW_PASSWORD_ENV, PASSWORD_ENV, Secret, ask_twice
from parley.client.reconnect import Backoff
from parley.client.render import Line, render_event
from parley.client.requests import Request
from parley.client.session import (
    DEFAULT_TIMEOUT,
    ChatClient,
    ConnectionClosed,
    ConnectionLostError,
)
from parley.protocol.chat1 import NumericReply, ServerDisconnect
from parley.protocol.names import is_valid_name

NEGOTIATION_TIMEOUT = 3.0
"""Seconds to wait for the answer to EXTEND before taking the server for a plain one."""
LAST_ANSWERS_TIMEOUT = 2.0
"""Seconds to wait, when leaving, for the answers to the last commands."""
PASSWORD_CHANGED = 271
ACCOUNT_CREATED = 270
ACCOUNT_DELETED = 272
CANCELLED = "Cancelled; nothing was changed."
LOST = "Connection to server lost; reconnecting (Ctrl-C quits)."
NOT_SENT = "Not sent: not connected to the server (reconnecting; Ctrl-C quits)."

First = tuple[tuple[str, ...], frozenset[str]] | None
Reconnect = Callable[[Secret | None], Awaitable[tuple[ChatClient, First]]]
"""Connect and register again with the password given (or asked for): the new client and
the extensions settled before registering; raises `ClientError` when it cannot."""


class _NotConnectedError(Exception):
    """A typed line while the connection is down: it is not sent."""


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
        *,
        password: Secret | None = None,
        new_password: Secret | None = None,
        reconnect: Reconnect | None = None,
    ) -> None:
        """`password` and `new_password`: given on the command line or in the environment,
        for the account commands when nobody is at a terminal to type them (`password`
        also logs in again after a drop); `reconnect`: how to get a new connection after a
        drop (None: a drop ends the conversation, exit status 3)."""
        self._client = client
        self._ui = ui
        self._state = state
        self._negotiation_timeout = negotiation_timeout
        self._answer_timeout = answer_timeout
        self._settled = asyncio.Event()
        self._answered = asyncio.Event()
        self._sender = LiveSender(state.me, client.request_nowait)
        self._expiry: asyncio.TimerHandle | None = None
        self._password = password
        self._new_password = new_password
        self._changing_to: Secret | None = None
        self._reconnect = reconnect
        self._online = asyncio.Event()
        self._online.set()
        self._down = False
        self._reconnect_status: str | None = None

    @property
    def client(self) -> ChatClient:
        """The connection in use: the one given, or the latest after reconnecting."""
        return self._client

    async def run(self) -> ExitStatus:
        """Chat until the user leaves (OK), the server says goodbye (OK) or the line drops."""
        await self._carry_out(self._state.start())
        self._note_settled()
        self._ui.watch_typing(self._edited)
        self._ui.complete_from(self._state.recent, lambda: self._state.rooms)
        receiving = asyncio.create_task(self._show_incoming())
        typing = asyncio.create_task(self._send_typed())
        deadline = asyncio.create_task(self._negotiation_deadline())
        priming = asyncio.create_task(self._prime())
        try:
            while True:
                await asyncio.wait({receiving, typing}, return_when=asyncio.FIRST_COMPLETED)
                if not self._dropped(receiving, typing):
                    break
                receiving = asyncio.create_task(self._recover())
        finally:
            # The prompt goes away before the last word is shown, so the notice comes last.
            self._ui.watch_typing(None)
            self._sender.close()
            if self._expiry is not None:
                self._expiry.cancel()
            await _cancel_unfinished(receiving, typing, deadline, priming)
        if receiving.done() and not receiving.cancelled():
            ending = receiving.result()
            if isinstance(ending, ConnectionClosed):
                raise ClientError("connection to server lost", ExitStatus.CONNECTION_LOST)
            self._ui.show(render_event(ending))
            return ExitStatus.OK
        typing.result()
        await self._client.disconnect()
        return ExitStatus.OK

    # Reconnecting --------------------------------------------------------------------------

    def _dropped(self, receiving: asyncio.Task[Any], typing: asyncio.Task[Any]) -> bool:
        """Whether the connection dropped (no goodbye) and is worth getting back."""
        if self._reconnect is None or typing.done() or not receiving.done():
            return False
        if receiving.cancelled() or receiving.exception() is not None:
            return False
        return isinstance(receiving.result(), ConnectionClosed)

    async def _recover(self) -> ServerDisconnect | ConnectionClosed:
        """Reconnect (with back-off), resume the conversation, then show what arrives."""
        self._online.clear()
        self._down = True
        self._ui.show(Line.notice(LOST))
        await self._client.close()
        self._client, first = await self._reconnected()
        self._sender.close()
        self._sender = LiveSender(self._state.me, self._client.request_nowait)
        self._down = False
        self._reconnect_status = None
        self._ui.show(Line.progress(f"Reconnected to {self._client.address}."))
        self._state.reconnected(first)
        self._settled.clear()
        resuming = asyncio.create_task(self._resume())
        try:
            return await self._show_incoming()
        finally:
            resuming.cancel()

    async def _reconnected(self) -> tuple[ChatClient, First]:
        """Try until a new connection is registered; a hopeless failure is raised."""
        assert self._reconnect is not None
        backoff = Backoff()
        why = ""
        while True:
            await self._count_down(backoff.next_delay(), backoff.tries, why)
            self._set_reconnect_status(f"Reconnecting (try {backoff.tries}) ...")
            try:
                return await self._reconnect(self._password)
            except ClientError as error:
                if not worth_retrying(error):
                    raise
                why = str(error)

    async def _count_down(self, delay: float, attempt: int, why: str) -> None:
        """Wait `delay` seconds, showing how many are left in the status line."""
        loop = asyncio.get_running_loop()
        end = loop.time() + delay
        reason = f" ({why})" if why else ""
        while (left := end - loop.time()) > 0:
            self._set_reconnect_status(
                f"Reconnecting in {max(1, round(left))} s, try {attempt}{reason}. Ctrl-C quits."
            )
            await asyncio.sleep(min(1.0, left))

    def _set_reconnect_status(self, text: str) -> None:
        self._reconnect_status = text
        self._refresh()

    async def _resume(self) -> None:
        """Settle the extensions again, then rejoin the rooms and fetch what was missed."""
        with contextlib.suppress(ClientError):
            await self._carry_out_now(self._state.start())
            self._note_settled()
            try:
                async with asyncio.timeout(self._negotiation_timeout):
                    await self._settled.wait()
            except TimeoutError:
                self._show(self._state.give_up())
                self._note_settled()
            await self._carry_out_now(self._state.rejoin())
            if self._ui.live_capable:
                await self._carry_out_now(self._state.prime())
        self._online.set()
        self._refresh()

    async def carry_out_quietly(self, step: Step) -> None:
        """`step` for the UI itself (the full-screen mode asks who is in a room it opens);
        a failure to send is the receiving side's to notice."""
        with contextlib.suppress(ClientError):
            await self._carry_out_now(step)

    async def _carry_out_now(self, step: Step) -> None:
        """`step`'s lines and requests, even while typed lines wait (`_resume` only)."""
        self._show(step.lines)
        for request in step.requests:
            await self._transmit(request)

    # Incoming ------------------------------------------------------------------------------

    async def _show_incoming(self) -> ServerDisconnect | ConnectionClosed:
        """Show each incoming event; return the one that ended the stream, unshown."""
        async for event in self._client.events():
            if isinstance(event, ServerDisconnect | ConnectionClosed):
                return event
            code = event.code if isinstance(event, NumericReply) else None
            if code in (PASSWORD_CHANGED, ACCOUNT_CREATED) and self._changing_to is not None:
                # The new password is the one to use from now on (and to log in again).
                self._password, self._changing_to = self._changing_to, None
            elif code == ACCOUNT_DELETED:
                self._password = None
            was_live = self._state.live
            self._show(self._state.receive(event, _now()))
            self._note_settled()
            self._answered.set()
            self._after_change(was_live)
        raise AssertionError("events() ends with ServerDisconnect or ConnectionClosed")

    async def _prime(self) -> None:
        """Once settled, ask quietly who and which rooms there are (for Tab, at a terminal)."""
        if not self._ui.live_capable:
            return
        await self._settled.wait()
        with contextlib.suppress(ClientError):
            await self._carry_out_now(self._state.prime())

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
        if barrier is None or self._down:
            return
        try:
            await self._send(barrier)
        except _NotConnectedError:
            return
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
        if step.account is not None:
            step = await self._account(step.account)
        try:
            await self._carry_out(step)
        except _NotConnectedError:
            self._state.stop_waiting()
            self._ui.show(Line.notice(NOT_SENT))
            return step
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

    async def _account(self, action: AccountAction) -> Step:
        """Get the passwords `action` needs, then make its request."""
        if self._ui.interactive:
            passwords = await self._ask_passwords(action)
        else:
            passwords = self._given_passwords(action)
        if isinstance(passwords, str):
            return Step(lines=(Line.notice(passwords),))
        if action in ("change", "create"):
            self._changing_to = passwords[-1]
        return self._state.account(action, passwords)

    async def _ask_passwords(self, action: AccountAction) -> tuple[Secret, ...] | str:
        """The passwords typed without echo, or why nothing is to be sent."""
        me = self._state.me
        old: Secret | None = None
        if action in ("change", "delete"):
            question = "Current password: " if action == "change" else f"Password of {me}: "
            typed = await self._ui.ask_secret(question)
            if not typed:
                return CANCELLED
            old = Secret(typed)
            if action == "delete":
                return (old,)
        new = await ask_twice(
            self._ui,
            f"New password for {me}: ",
            "The same password again: ",
        )
        if not isinstance(new, Secret):
            return f"{new}; nothing was changed." if new else CANCELLED
        return (new,) if old is None else (old, new)

    def _given_passwords(self, action: AccountAction) -> tuple[Secret, ...] | str:
        """In a script: the passwords from the command line or the environment."""
        where = f"--password-file FILE or {PASSWORD_ENV}"
        if self._password is None:
            command = {"create": "/register", "change": "/password", "delete": "/unregister"}
            return (
                f"{command[action]} needs the password, which is asked for only at a "
                f"terminal: give it with {where}. Nothing was sent."
            )
        if action != "change":
            return (self._password,)
        if self._new_password is None:
            return (
                "/password needs the new password, which is asked for only at a terminal: "
                f"give it with --new-password-file FILE or {NEW_PASSWORD_ENV}. Nothing was sent."
            )
        return (self._password, self._new_password)

    async def _carry_out(self, step: Step) -> None:
        self._show(step.lines)
        for request in step.requests:
            await self._send(request)

    async def _send(self, request: Request) -> None:
        """Send a typed line's request; while reconnecting, `_NotConnectedError`."""
        if self._down:
            raise _NotConnectedError
        await self._online.wait()  # the rooms are being joined again: after them
        try:
            await self._transmit(request)
        except ClientError:
            if self._reconnect is None:
                raise
            raise _NotConnectedError from None  # the drop is noticed by the receiving side

    async def _transmit(self, request: Request) -> None:
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
        status = self._state.typing_lines(_now(), self._ui.status_width)
        if self._reconnect_status is not None:
            status = [self._reconnect_status, *status]
        self._ui.set_status(status)
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
