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

Tab completes names, rooms, commands and their arguments (`parley.client.completion`); the
menu also shows as you type a command or a room. Each line is painted as
`parley.client.appearance` says: the time before it, names in colour, your name highlighted,
and the bell rung for a line that mentions you.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from prompt_toolkit import PromptSession
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import AnyFormattedText, StyleAndTextTuples
from prompt_toolkit.history import DummyHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.styles import Style

from parley.client.appearance import DIM as DIM, NORMAL as NORMAL, PLAIN, Appearance, paint
from parley.client.commands import holds_password
from parley.client.completion import Recent, complete
from parley.client.render import Channel, Line
from parley.client.wrapping import text_cells, wrap
from parley.protocol.chat1 import neutralise_controls

PROMPT = "> "
NAME_PROMPT = "Your name: "
STYLE = Style.from_dict({"typing": "italic", "hint": "#888888"})
BELL = "\a"


class ChatCompleter(Completer):
    """prompt_toolkit's side of `parley.client.completion`: names and rooms as last seen."""

    def __init__(self) -> None:
        self._recent: Recent | None = None
        self._joined: Callable[[], Sequence[str]] = tuple

    def use(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        self._recent, self._joined = recent, joined

    def hint(self, before: str) -> str:
        """``Tab: /join  /leave``: what Tab would offer as you type, on one line ("" if none).

        The chat prompt sits on the terminal's last row, where a menu has no room to open,
        so the choices are shown above the prompt instead; Tab completes, Tab again cycles.
        """
        if self._recent is None or not before:
            return ""
        found = complete(before, self._recent, self._joined(), requested=False)
        return "Tab: " + "  ".join(c.display or c.text for c in found) if found else ""

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        if self._recent is None:
            return
        requested = complete_event.completion_requested
        for found in complete(
            document.text_before_cursor, self._recent, self._joined(), requested=requested
        ):
            yield Completion(
                found.text,
                start_position=-found.replaces,
                display=found.display or found.text,
                display_meta=found.meta,
            )


class ChatHistory(InMemoryHistory):
    """The chat prompt's history (Up and Down), which never keeps an account command."""

    def append_string(self, string: str) -> None:
        if not holds_password(string):
            super().append_string(string)


class PromptFrontend:
    """A prompt_toolkit prompt for a person at a terminal."""

    def __init__(self, looks: Appearance = PLAIN) -> None:
        self._looks = looks
        self._completer = ChatCompleter()
        self._chat: PromptSession[str] = PromptSession(
            style=STYLE,
            history=ChatHistory(),
            completer=self._completer,
            complete_while_typing=False,  # the choices are a hint above the prompt instead
            reserve_space_for_menu=0,  # the prompt stays on the terminal's last row
        )
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
        # Raw output: nothing else would stop escapes (neutralising keeps every offset).
        safe = replace(line, text=neutralise_controls(line.text))
        shown = paint(safe, self._looks, now=time.time(), columns=self.status_width)
        if line.mention and self._looks.bell:
            shown += BELL
        print(shown, file=stream, flush=True)

    def complete_from(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        self._completer.use(recent, joined)

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
        """The prompt, with the live-typing status and the completion hint above it while a
        line is being edited (neither is left behind when the line is accepted)."""
        if self._chat.app.is_done:
            return [("", self._prompt)]
        columns = self.status_width
        shown: StyleAndTextTuples = []
        if self._status:
            rows = [row for line in self._status for row in wrap(line, columns)]
            shown.append(("class:typing", "\n".join(rows) + "\n"))
        hint = self._completer.hint(self._chat.default_buffer.document.text_before_cursor)
        if hint:
            shown.append(("class:hint", _fit(hint, columns) + "\n"))
        return [*shown, ("", self._prompt)]

    def _edited(self, buffer: Buffer) -> None:
        if self._on_edit is not None:
            self._on_edit(buffer.text)


def _fit(text: str, columns: int) -> str:
    """`text` cut to one row of `columns` cells, with ``…`` if it was longer."""
    if text_cells(text) < columns:
        return text
    while text and text_cells(text) >= columns - 1:
        text = text[:-1]
    return text + "\u2026"


async def _prompt(session: PromptSession[str], message: AnyFormattedText) -> str | None:
    try:
        return await session.prompt_async(message, handle_sigint=False)
    except (KeyboardInterrupt, EOFError):
        return None
