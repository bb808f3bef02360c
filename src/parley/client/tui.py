"""The interactive terminal UI: a prompt that incoming lines never disturb.

prompt_toolkit's `patch_stdout` makes every ``print`` while the prompt is up appear above it,
redrawing the prompt and the half-typed line afterwards, so reading the keyboard and the
socket at once never corrupts what the user is typing. The prompt names the current room
(``[teamchat] > ``); the status of live typing (``bob is typing: hel``) is drawn just above
it and changes in place, and is left out when a line is accepted so it never lands in the
scrollback. Ctrl-C and Ctrl-D end the session. SIGINT itself is left to the caller
(``handle_sigint=False``) so that one handler serves the whole client, prompt or not.

Passwords are read by a prompt of their own that shows ``*`` for each key and keeps no
history; the chat prompt's history forgets account commands (`ChatHistory`), so nothing
typed there about a password comes back with Up. Output goes through `patch_stdout` in raw
mode, so history can be dimmed; every line is neutralised here first, so no escape sequence
but our own reaches the terminal, and wrapped to the terminal's width with its continuation
rows marked (`parley.client.wrapping`), so no piece of a long message can pass for a message
of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from prompt_toolkit import PromptSession
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import AnyFormattedText, StyleAndTextTuples
from prompt_toolkit.history import DummyHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.styles import Style

from parley.client.commands import holds_password
from parley.client.render import Channel, Line
from parley.client.wrapping import wrap
from parley.protocol.chat1 import neutralise_controls

PROMPT = "> "
NAME_PROMPT = "Your name: "
STYLE = Style.from_dict({"typing": "italic"})
DIM, NORMAL = "\x1b[2m", "\x1b[22m"


class ChatHistory(InMemoryHistory):
    """The chat prompt's history (Up and Down), which never keeps an account command."""

    def append_string(self, string: str) -> None:
        if not holds_password(string):
            super().append_string(string)


class PromptFrontend:
    """A prompt_toolkit prompt for a person at a terminal."""

    def __init__(self) -> None:
        self._chat: PromptSession[str] = PromptSession(style=STYLE, history=ChatHistory())
        self._names: PromptSession[str] = PromptSession()
        self._questions: PromptSession[str] = PromptSession()
        self._secrets: PromptSession[str] = PromptSession(
            is_password=True, history=DummyHistory(), enable_history_search=False
        )
        self._patch = patch_stdout(raw=True)
        self._prompt = PROMPT
        self._status: list[str] = []
        self._on_edit: Callable[[str], None] | None = None
        self._chat.default_buffer.on_text_changed += self._edited

    @property
    def interactive(self) -> bool:
        return True

    @property
    def live_capable(self) -> bool:
        return True

    @property
    def status_width(self) -> int:
        try:
            return self._chat.app.output.get_size().columns
        except Exception:  # no terminal size to be had: any width will do
            return 80

    def __enter__(self) -> PromptFrontend:
        self._patch.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._patch.__exit__(None, None, None)

    async def ask_name(self) -> str | None:
        name = await _prompt(self._names, NAME_PROMPT)
        return None if name is None else name.strip()

    async def ask(self, question: str) -> str | None:
        return await _prompt(self._questions, question)

    async def ask_secret(self, question: str) -> str | None:
        return await _prompt(self._secrets, question)

    async def confirm(self, question: str) -> bool:
        answer = await self.ask(question)
        return answer is not None and answer.strip().lower() in ("y", "yes")

    async def read_line(self) -> str | None:
        return await _prompt(self._chat, self._message)

    def show(self, line: Line) -> None:
        stream = sys.stdout if line.channel is Channel.CHAT else sys.stderr
        text = neutralise_controls(line.text)  # raw output: nothing else would stop escapes
        rows = wrap(text, self.status_width)
        shown = "\n".join(f"{DIM}{row}{NORMAL}" if line.dim else row for row in rows)
        print(shown, file=stream, flush=True)

    def set_prompt(self, text: str) -> None:
        if text != self._prompt:
            self._prompt = text
            self._chat.app.invalidate()

    def set_status(self, lines: Sequence[str]) -> None:
        if list(lines) != self._status:
            self._status = list(lines)
            self._chat.app.invalidate()

    def watch_typing(self, callback: Callable[[str], None] | None) -> None:
        self._on_edit = callback

    def _message(self) -> StyleAndTextTuples:
        """The prompt, with the live-typing status above it while a line is being edited."""
        if not self._status or self._chat.app.is_done:
            return [("", self._prompt)]
        columns = self.status_width
        rows = [row for line in self._status for row in wrap(line, columns)]
        return [("class:typing", "\n".join(rows) + "\n"), ("", self._prompt)]

    def _edited(self, buffer: Buffer) -> None:
        if self._on_edit is not None:
            self._on_edit(buffer.text)


async def _prompt(session: PromptSession[str], message: AnyFormattedText) -> str | None:
    try:
        return await session.prompt_async(message, handle_sigint=False)
    except (KeyboardInterrupt, EOFError):
        return None
