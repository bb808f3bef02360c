"""What the chat loop needs from a user interface, whichever one is in use.

Two implementations: `parley.client.lines.LineFrontend` (plain lines, for scripts and pipes)
and `parley.client.tui.PromptFrontend` (prompt_toolkit, for a person at a terminal).
"""

from __future__ import annotations

from typing import Protocol

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

    def __enter__(self) -> Frontend: ...

    def __exit__(self, *exc_info: object) -> None: ...

    async def ask_name(self) -> str | None:
        """A user name, or None if the user gave up (end of input, Ctrl-C, Ctrl-D)."""
        ...

    async def read_line(self) -> str | None:
        """The next line the user typed, or None when the user is done."""
        ...

    def show(self, line: Line) -> None:
        """Show `line` without disturbing what the user is typing."""
        ...
