"""What the chat loop needs from a user interface, whichever one is in use.

Two implementations: `parley.client.lines.LineFrontend` (plain lines, for scripts and pipes)
and `parley.client.tui.PromptFrontend` (prompt_toolkit, for a person at a terminal). Only the
second can show a status that changes in place and report each keystroke, which live typing
needs (`live_capable`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from parley.client.completion import Recent
from parley.client.render import Line


class Frontend(Protocol):
    """A place to read the user's lines from and to show lines on.

    Used as a context manager: entering starts it (inside the running event loop), leaving
    restores the terminal.
    """

    @property
    def interactive(self) -> bool:
        """Whether a person is there to be asked again (for another name, say)."""
        ...

    @property
    def live_capable(self) -> bool:
        """Whether it reports keystrokes (`watch_typing`) and shows a status (`set_status`)."""
        ...

    def __enter__(self) -> Frontend: ...

    def __exit__(self, *exc_info: object) -> None: ...

    async def ask_name(self) -> str | None:
        """A user name, or None if the user gave up (end of input, Ctrl-C, Ctrl-D)."""
        ...

    async def ask(self, question: str) -> str | None:
        """One answer to `question` (seed 003's recipient and message), None if given up."""
        ...

    async def ask_secret(self, question: str) -> str | None:
        """A password typed without echo; None if nobody can type one, or they gave up.

        What is typed is never shown, never kept in a line history, never logged.
        """
        ...

    async def confirm(self, question: str) -> bool:
        """A yes/no answer from a person; False when nobody can answer."""
        ...

    async def read_line(self) -> str | None:
        """The next line the user typed, or None when the user is done."""
        ...

    def show(self, line: Line) -> None:
        """Show `line` without disturbing what the user is typing."""
        ...

    def set_prompt(self, text: str) -> None:
        """Use `text` as the prompt from now on (it names the current room)."""
        ...

    def set_status(self, lines: Sequence[str]) -> None:
        """Show `lines` (who is typing what) in place next to the prompt; [] hides them."""
        ...

    @property
    def status_width(self) -> int:
        """How many characters a status line may have."""
        ...

    def watch_typing(self, callback: Callable[[str], None] | None) -> None:
        """Call `callback` with the whole line being typed whenever it changes."""
        ...

    def complete_from(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        """Complete names and rooms from `recent` and `joined` (the rooms one is in)."""
        ...
