"""The full-screen mode (``--full-screen``): a buffer per room and per private conversation.

A prompt_toolkit `Application` in the alternate screen: the room list on the left (with the
unread and mention counts of the buffers not looked at), the current buffer in the middle,
its members on the right, a status line (your name, the buffer, the connection) and the
input line at the bottom, with the line mode's commands and completion. Alt+1..9, Ctrl+N,
Ctrl+P and ``/switch NAME`` change buffers; PageUp and PageDown scroll the current one.
What is kept (buffers, counts, switching) is `parley.client.buffers`, without prompt_toolkit.

Switching to a room's buffer makes it the chat state's current room, so what you type goes
there; in a private conversation's buffer, a chat line is sent to that person (as
``/msg NAME TEXT``). Your own lines are shown in the buffer they went to (the server does
not send them back). The chat state is given to the frontend by `attach_state` once the
client has registered; before that (the name, a password) it only asks questions.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.history import DummyHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import (
    ConditionalContainer,
    Float,
    FloatContainer,
    HSplit,
    Layout,
    VSplit,
    Window,
)
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.menus import CompletionsMenu
from prompt_toolkit.layout.processors import PasswordProcessor
from prompt_toolkit.styles import Style

from parley.client.appearance import PLAIN, Appearance, paint
from parley.client.buffers import Buffers, ChatBuffer
from parley.client.catchup import conversation
from parley.client.commands import Say, SendDirect, room_key
from parley.client.completion import Recent
from parley.client.lag import INTERVAL
from parley.client.render import Line, lobby_message, room_message
from parley.client.requests import Ping
from parley.client.tui import NAME_PROMPT, ChatCompleter, ChatHistory
from parley.protocol.chat1 import neutralise_controls

if TYPE_CHECKING:
    from parley.client.chat import ChatState, Step

LIST_WIDTH = 20
MEMBERS_WIDTH = 18
STYLE = Style.from_dict(
    {
        "status": "reverse",
        "list.current": "reverse",
        "list.mention": "bold",
        "members.title": "underline",
        "edge": "#888888",
    }
)
SWITCH = "/switch"
OLDER_PAGE = 50
"""Messages asked for at a time when scrolling back past the top of a buffer."""


class FullScreenFrontend:
    """The full-screen UI for a person at a terminal (see the module's notes)."""

    def __init__(self, looks: Appearance = PLAIN) -> None:
        self._looks = looks
        self.buffers = Buffers()
        self._state: ChatState | None = None
        self._followed: str | None = None
        """The chat state's current room when last looked at (to follow ``/join``)."""
        self._status: list[str] = []
        self._typed: asyncio.Queue[str | None] = asyncio.Queue()
        self._question: tuple[str, asyncio.Future[str | None]] | None = None
        self._secret = False
        self._task: asyncio.Task[None] | None = None
        self._carry_out: Callable[[Step], Awaitable[None]] | None = None
        self._asking: asyncio.Future[None] | None = None
        self._older_task: asyncio.Future[None] | None = None
        self._lag_task: asyncio.Future[None] | None = None
        self._completer = ChatCompleter()
        self._input = Buffer(
            multiline=False,
            completer=self._completer,
            complete_while_typing=True,
            history=ChatHistory(),
            accept_handler=self._accept,
        )
        self._on_edit: Callable[[str], None] | None = None
        self._input.on_text_changed += self._edited
        self._answer = Buffer(multiline=False, history=DummyHistory(), accept_handler=self._reply)
        self._chat_window = Window(FormattedTextControl(self._chat_text), wrap_lines=False)
        self._app: Application[None] = Application(
            layout=self._layout(),
            key_bindings=self._keys(),
            style=STYLE,
            full_screen=True,
        )

    # The Frontend protocol -----------------------------------------------------------------

    @property
    def interactive(self) -> bool:
        return True

    @property
    def live_capable(self) -> bool:
        return True

    @property
    def status_width(self) -> int:
        return max(20, self._columns() - LIST_WIDTH - MEMBERS_WIDTH - 2)

    def __enter__(self) -> FullScreenFrontend:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._lag_task is not None:
            self._lag_task.cancel()
        if self._app.is_running:
            self._app.exit()

    async def _run(self) -> None:
        try:
            await self._app.run_async(handle_sigint=False)
        finally:  # the window is gone: nobody is there to type any more
            self._typed.put_nowait(None)
            if self._question is not None and not self._question[1].done():
                self._question[1].set_result(None)

    async def ask_name(self) -> str | None:
        name = await self._ask(NAME_PROMPT, secret=False)
        return None if name is None else name.strip()

    async def ask(self, question: str) -> str | None:
        return await self._ask(question, secret=False)

    async def ask_secret(self, question: str) -> str | None:
        return await self._ask(question, secret=True)

    async def confirm(self, question: str) -> bool:
        answer = await self.ask(question)
        return answer is not None and answer.strip().lower() in ("y", "yes")

    async def read_line(self) -> str | None:
        return await self._typed.get()

    def show(self, line: Line) -> None:
        self._follow()
        safe = replace(line, text=neutralise_controls(line.text))
        self.buffers.add(safe, time.time())
        if line.mention and self._looks.bell:
            with contextlib.suppress(Exception):
                self._app.output.bell()
        self._app.invalidate()

    def set_prompt(self, text: str) -> None:
        self._follow()
        self._app.invalidate()

    def set_status(self, lines: Sequence[str]) -> None:
        self._status = list(lines)
        self._follow()
        self._app.invalidate()

    def watch_typing(self, callback: Callable[[str], None] | None) -> None:
        self._on_edit = callback

    def complete_from(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        self._completer.use(recent, joined)

    def attach_state(
        self, state: ChatState, carry_out: Callable[[Step], Awaitable[None]] | None = None
    ) -> None:
        """The chat state of the registered session (rooms, members, the current room), and
        a way to send requests of the UI's own (who is in a room newly joined)."""
        self._state = state
        self._carry_out = carry_out
        self._followed = state.current
        if carry_out is not None and self._lag_task is None:
            self._lag_task = asyncio.ensure_future(self._measure_lag())
        self._app.invalidate()

    def _ask_members(self) -> None:
        """Ask quietly who is where (``WHO``, ``ROOMS``): a room just joined lists its members."""
        if self._state is None or self._carry_out is None:
            return
        step = self._state.prime()
        if step.requests:
            self._asking = asyncio.ensure_future(self._carry_out(step))

    def _fetch_older(self) -> None:
        """PageUp at the top of the current buffer: ask for the page of history before it."""
        fetch = self.buffers.fetch_older()
        if fetch is None:
            return
        state, carry_out = self._state, self._carry_out
        step = None
        if state is not None and carry_out is not None:
            step = state.older_history(fetch.key, fetch.before, OLDER_PAGE)
        if step is None or carry_out is None:
            self.buffers.fetch_failed(fetch.key, exhausted=state is not None)
            return
        self._older_task = asyncio.ensure_future(carry_out(step))

    async def _measure_lag(self) -> None:
        """``PING`` now (just signed in) and every `INTERVAL` seconds; the ``290`` that
        answers it measures the lag (`parley.client.lag`)."""
        from parley.client.chat import Step  # at run time only, as above

        while True:
            state, carry_out = self._state, self._carry_out
            if state is not None and carry_out is not None:
                await carry_out(Step(requests=(Ping(state.lag.ping()),)))
            await asyncio.sleep(INTERVAL)

    # Switching -----------------------------------------------------------------------------

    def switch(self, buffer: ChatBuffer | None) -> None:
        """Look at `buffer` (None: nothing to switch to); a room's becomes the current room."""
        if buffer is None:
            return
        state = self._state
        room = buffer.room
        if state is not None and room is not None:
            joined = next((r for r in state.rooms if room_key(r) == room_key(room)), None)
            if room_key(room) == "lobby":
                state.current = "lobby"
            elif joined is not None:
                state.current = joined
            else:  # a room left since: join it again
                self._typed.put_nowait(f"/join {room}")
            self._followed = state.current
        self._app.invalidate()

    def _follow(self) -> None:
        """Look at the chat state's current room if it changed (``/join``, ``/leave``)."""
        state = self._state
        if state is None:
            return
        before = len(self.buffers.all)
        self.buffers.sync_rooms(state.rooms)
        if len(self.buffers.all) != before:
            self._ask_members()
        if state.current != self._followed:
            self._followed = state.current
            self.buffers.follow_room(state.current)

    # Typed lines ---------------------------------------------------------------------------

    def _accept(self, buffer: Buffer) -> bool:
        text = buffer.text
        if text.strip().startswith(SWITCH + " ") or text.strip() == SWITCH:
            name = text.strip()[len(SWITCH) :].strip()
            found = self.buffers.switch_name(name)
            if found is None:
                names = ", ".join(b.label for b in self.buffers.all)
                self.show(Line.notice(f"No buffer {name!r} to switch to (there are: {names})."))
            self.switch(found)
            return False
        self._typed.put_nowait(self._outgoing(text))
        return False

    def _outgoing(self, text: str) -> str:
        """What `text` typed in the current buffer means, echoing your own chat lines."""
        state = self._state
        if state is None:
            return text
        current = self.buffers.current
        command = state.parse(text)
        if current.peer is not None and isinstance(command, Say) and state.style == "slash":
            text = f"/msg {current.peer} {command.text}"
            command = SendDirect(current.peer, command.text)
        me = state.me
        if isinstance(command, Say) and command.text.strip():
            room = state.current
            if room_key(room) == "lobby":
                line = lobby_message(me, command.text)
            else:
                line = room_message(me, room, command.text)
            self.show(replace(line, where=conversation(room)))
        elif isinstance(command, SendDirect):
            said = Line(f"{me} (private to {command.recipient}): {command.text}")
            self.show(replace(said, where=conversation(peer=command.recipient), speaker=me))
        return text

    def _reply(self, buffer: Buffer) -> bool:
        if self._question is not None and not self._question[1].done():
            self._question[1].set_result(buffer.text)
        return False

    async def _ask(self, question: str, *, secret: bool) -> str | None:
        if self._task is not None and self._task.done():
            return None
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._question, self._secret = (question, future), secret
        self._focus()
        try:
            return await future
        finally:
            self._question, self._secret = None, False
            self._answer.reset()
            self._focus()

    def _focus(self) -> None:
        with contextlib.suppress(ValueError):  # not laid out yet: focused when drawn
            self._app.layout.focus(self._answer if self._question else self._input)
        self._app.invalidate()

    def _edited(self, buffer: Buffer) -> None:
        if self._on_edit is not None:
            self._on_edit(buffer.text)

    def _quit(self) -> None:
        if self._question is not None and not self._question[1].done():
            self._question[1].set_result(None)
        self._typed.put_nowait(None)

    # Drawing -------------------------------------------------------------------------------

    def _layout(self) -> Layout:
        asking = Condition(lambda: self._question is not None)
        chatting = Condition(lambda: self._question is None)
        edge: StyleAndTextTuples = [("class:edge", "\u2502")]
        body = VSplit(
            [
                Window(FormattedTextControl(self._room_list), width=LIST_WIDTH),
                Window(FormattedTextControl(edge), width=1, char="\u2502", style="class:edge"),
                self._chat_window,
                Window(FormattedTextControl(edge), width=1, char="\u2502", style="class:edge"),
                Window(FormattedTextControl(self._member_list), width=MEMBERS_WIDTH),
            ]
        )
        prompt = Window(FormattedTextControl(self._prompt), dont_extend_width=True, height=1)
        chat_input = ConditionalContainer(
            Window(BufferControl(self._input), height=1), filter=chatting
        )
        answer = BufferControl(
            self._answer,
            input_processors=[PasswordProcessor()],
        )
        plain_answer = BufferControl(self._answer)
        answer_input = ConditionalContainer(
            HSplit(
                [
                    ConditionalContainer(
                        Window(answer, height=1), filter=Condition(lambda: self._secret)
                    ),
                    ConditionalContainer(
                        Window(plain_answer, height=1), filter=Condition(lambda: not self._secret)
                    ),
                ]
            ),
            filter=asking,
        )
        root = HSplit(
            [
                body,
                Window(FormattedTextControl(self._status_line), height=1, style="class:status"),
                VSplit([prompt, chat_input, answer_input]),
            ]
        )
        menu = Float(xcursor=True, ycursor=True, content=CompletionsMenu(max_height=8))
        return Layout(FloatContainer(root, floats=[menu]), focused_element=self._input)

    def _keys(self) -> KeyBindings:
        keys = KeyBindings()

        for number in range(1, 10):

            def by_number(event: KeyPressEvent, number: int = number) -> None:
                self.switch(self.buffers.switch_number(number))

            keys.add("escape", str(number), eager=True)(by_number)

        @keys.add("c-n", eager=True)
        def _next(event: KeyPressEvent) -> None:
            self.switch(self.buffers.switch_by(1))

        @keys.add("c-p", eager=True)
        def _previous(event: KeyPressEvent) -> None:
            self.switch(self.buffers.switch_by(-1))

        @keys.add("pageup", eager=True)
        def _up(event: KeyPressEvent) -> None:
            if self.buffers.scroll(self._rows() - 1, self._rows()):
                self._fetch_older()

        @keys.add("pagedown", eager=True)
        def _down(event: KeyPressEvent) -> None:
            self.buffers.scroll(-(self._rows() - 1), self._rows())

        @keys.add("c-c", eager=True)
        @keys.add("c-d", filter=Condition(lambda: not self._current_text()), eager=True)
        def _leave(event: KeyPressEvent) -> None:
            self._quit()

        return keys

    def _current_text(self) -> str:
        return self._answer.text if self._question else self._input.text

    def _columns(self) -> int:
        try:
            return self._app.output.get_size().columns
        except Exception:  # no terminal size to be had: any width will do
            return 80

    def _rows(self) -> int:
        info = self._chat_window.render_info
        if info is not None:
            return max(1, info.window_height)
        try:
            return max(1, self._app.output.get_size().rows - 2)
        except Exception:
            return 20

    def _width(self) -> int:
        info = self._chat_window.render_info
        if info is not None:
            return max(10, info.window_width)
        return self.status_width

    def _chat_text(self) -> StyleAndTextTuples:
        """The newest rows of the current buffer that fit (up to its scroll position)."""
        rows, width = self._rows(), self._width()
        shown: list[str] = []
        for line, at in reversed(self.buffers.visible(rows)):
            painted = paint(line, self._looks, now=at, columns=width).split("\n")
            shown[:0] = painted
            if len(shown) >= rows:
                break
        text = "\n".join(shown[-rows:])
        return to_formatted_text(ANSI(text))

    def _room_list(self) -> StyleAndTextTuples:
        shown: StyleAndTextTuples = [("class:members.title", "Rooms\n")]
        for entry in self.buffers.entries():
            style = "class:list.current" if entry.current else ""
            if entry.mentions and not entry.current:
                style = "class:list.mention"
            shown.append((style, entry.text[: LIST_WIDTH - 1] + "\n"))
        return shown

    def _member_list(self) -> StyleAndTextTuples:
        current = self.buffers.current
        state = self._state
        if state is None:
            return []
        if current.peer is not None:
            names = [state.me, current.peer]
        else:
            found = state.members.get(room_key(current.room or "lobby"), {})
            names = sorted(found.values(), key=str.lower)
        shown: StyleAndTextTuples = [("class:members.title", f"Members ({len(names)})\n")]
        shown += [("", name[: MEMBERS_WIDTH - 1] + "\n") for name in names]
        return shown

    def _status_line(self) -> StyleAndTextTuples:
        state = self._state
        me = state.me if state is not None else "-"
        reconnecting = next((s for s in self._status if s.startswith("Reconnect")), None)
        if state is None:
            connection = "connecting"
        elif reconnecting is not None:
            connection = reconnecting
        else:
            connection = "connected"
        typing = [s for s in self._status if s is not reconnecting]
        scroll = (
            f" | scrolled up {self.buffers.current.scroll}" if self.buffers.current.scroll else ""
        )
        lag = state.lag.text if state is not None and reconnecting is None else ""
        parts = [me, self.buffers.current.label, connection, *typing, *([lag] if lag else [])]
        return [("class:status", " " + " | ".join(parts) + scroll)]

    def _prompt(self) -> StyleAndTextTuples:
        if self._question is not None:
            return [("", self._question[0])]
        current = self.buffers.current
        if current.key == "#lobby":
            return [("", "> ")]
        return [("", f"[{current.label}] > ")]
