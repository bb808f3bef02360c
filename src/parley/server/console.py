"""The operator console: commands typed on the server's standard input (seed 000).

``/quit`` shuts down as SIGINT does, ``/who`` lists users, ``/help`` lists commands, and any
other line is sent to every client from the operator. End of input only closes the console;
it never stops the server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from typing import TextIO

from parley.chat.answers import Done
from parley.chat.commands import (
    Command,
    Invite,
    Kick,
)
from parley.chat.moderation import mode_command
from parley.protocol.framing import LineFramer
from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

HELP = (
    "console commands: /who, /rooms, /kick NAME [REASON] (disconnect), "
    "/mode ROOM +o|-o|+v|-v|+b|-b|+q|-q NAME, /mode ROOM +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k, "
    "/roomkick ROOM NAME [REASON], /invite ROOM NAME, /say TEXT, /quit, /help; "
    "any other line is sent to everyone as @server"
)


class OperatorConsole:
    """Reads operator lines from a file descriptor without blocking the event loop."""

    def __init__(self, server: ChatServer, fd: int, out: TextIO = sys.stdout) -> None:
        self._server = server
        self._fd = fd
        self._out = out
        self._framer = LineFramer(server.config.max_line)
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> bool:
        """Begin reading; False if this descriptor cannot be watched (a regular file)."""
        self._loop = asyncio.get_running_loop()
        try:
            self._loop.add_reader(self._fd, self._on_readable)
        except (OSError, ValueError) as exc:
            log.warning("operator console unavailable: %s", exc)
            return False
        return True

    def stop(self) -> None:
        """Stop reading."""
        if self._loop is not None:
            self._loop.remove_reader(self._fd)

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            log.warning("operator console closed: %s", exc)
            self.stop()
            return
        if not data:
            log.info("operator console: end of input; the server keeps running")
            self.stop()
            return
        for line in self._framer.feed(data):
            if isinstance(line, bytes):
                self.run_command(line.decode("utf-8", errors="replace").strip())

    def run_command(self, line: str) -> None:
        """Carry out one console line: a command from `_COMMANDS`, or text for everyone."""
        if not line:
            return
        verb, _, rest = line.partition(" ")
        rest = rest.strip()
        command = _COMMANDS.get(verb)
        if command is not None and (rest or not command[0]):
            command[1](self, rest)
        elif verb.startswith("/") and verb != "/say":
            self._print(f"unknown or incomplete console command {verb!r}; {HELP}")
        else:
            text = rest if verb == "/say" else line
            if text:
                self._print(f"sent to {self._server.core.announce(text)} users")

    def _quit(self, rest: str) -> None:
        self._server.request_shutdown("operator typed /quit")

    def _who(self, rest: str) -> None:
        names = self._server.core.who()
        self._print(f"{len(names)} online: {', '.join(names) if names else '(nobody)'}")

    def _rooms(self, rest: str) -> None:
        for room in self._server.core.room_views():
            self._print(f"{room.name} ({len(room.members)}): {', '.join(room.members)}")

    def _kick(self, rest: str) -> None:
        name, _, reason = rest.partition(" ")
        if self._server.kick(name, reason.strip() or "by the operator"):
            self._print(f"kicked {name}")
        else:
            self._print(f"{name} is not online")

    def _help(self, rest: str) -> None:
        self._print(HELP)

    def _moderate(self, verb: str, words: list[str]) -> None:
        """Room moderation as the server's operator, in any room."""
        command = _moderation_command(verb, words)
        if command is None:
            self._print(f"usage: {verb} ...; {HELP}")
            return
        core = self._server.core
        session = core.open_session(_NoEndpoint(), lambda event: None, is_operator=True)
        result = core.execute(session, command)
        if isinstance(result, Done):
            words_out = result.outcome.value if not result.ok else "done"
            self._print(f"{verb} {' '.join(words)}: {words_out}")

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)


class _NoEndpoint:
    """The console's session has no connection: nothing is kept or closed."""

    def kept(self, messages: object, lost: int = 0) -> None:
        """The console sends no messages to keep."""

    def keeping(self, count: int) -> None:
        """The console sends no messages to keep."""

    def close(self, reason: str, *, notify: bool) -> None:
        """Nothing to close."""


def _moderation_command(verb: str, words: list[str]) -> Command[Done] | None:
    """`/mode ROOM CHANGE [ARG]`, `/roomkick ROOM NAME [REASON]`, `/invite ROOM NAME`."""
    if verb == "/invite":
        return Invite(words[0], words[1]) if len(words) == 2 else None
    if verb == "/roomkick":
        return Kick(words[0], words[1], " ".join(words[2:])) if len(words) >= 2 else None
    if len(words) not in (2, 3):
        return None
    return mode_command(words[0], words[1], words[2] if len(words) == 3 else "")


# verb -> (needs an argument, handler)
_COMMANDS: dict[str, tuple[bool, Callable[[OperatorConsole, str], None]]] = {
    "/quit": (False, OperatorConsole._quit),
    "/who": (False, OperatorConsole._who),
    "/rooms": (False, OperatorConsole._rooms),
    "/kick": (True, OperatorConsole._kick),
    "/help": (False, OperatorConsole._help),
    "/mode": (True, lambda console, rest: console._moderate("/mode", rest.split())),
    "/roomkick": (True, lambda console, rest: console._moderate("/roomkick", rest.split())),
    "/invite": (True, lambda console, rest: console._moderate("/invite", rest.split())),
}
