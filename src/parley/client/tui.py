"""The interactive terminal UI: a ``> `` prompt that incoming lines never disturb.

prompt_toolkit's `patch_stdout` makes every ``print`` while the prompt is up appear above it,
redrawing the prompt and the half-typed line afterwards, so reading the keyboard and the
socket at once never corrupts what the user is typing. Ctrl-C and Ctrl-D end the session.
SIGINT itself is left to the caller (``handle_sigint=False``) so that one handler serves the
whole client, prompt or not.
"""

from __future__ import annotations

import sys

from prompt_toolkit import PromptSession
from prompt_toolkit.patch_stdout import patch_stdout

from parley.client.render import Channel, Line

PROMPT = "> "
NAME_PROMPT = "Your name: "


class PromptFrontend:
    """A prompt_toolkit prompt for a person at a terminal."""

    def __init__(self) -> None:
        self._chat: PromptSession[str] = PromptSession()
        self._names: PromptSession[str] = PromptSession()
        self._patch = patch_stdout()

    @property
    def interactive(self) -> bool:
        return True

    def __enter__(self) -> PromptFrontend:
        self._patch.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._patch.__exit__(None, None, None)

    async def ask_name(self) -> str | None:
        name = await _prompt(self._names, NAME_PROMPT)
        return None if name is None else name.strip()

    async def read_line(self) -> str | None:
        return await _prompt(self._chat, PROMPT)

    def show(self, line: Line) -> None:
        stream = sys.stdout if line.channel is Channel.CHAT else sys.stderr
        print(line.text, file=stream, flush=True)


async def _prompt(session: PromptSession[str], message: str) -> str | None:
    try:
        return await session.prompt_async(message, handle_sigint=False)
    except (KeyboardInterrupt, EOFError):
        return None
