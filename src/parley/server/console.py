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
from typing import TextIO

from parley.protocol.framing import LineFramer
from parley.server.app import ChatServer

log = logging.getLogger("parley.server")

HELP = (
    "console commands: /who, /rooms, /kick NAME [REASON], /say TEXT, /quit, /help; "
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
        """Carry out one console line."""
        if not line:
            return
        verb, _, rest = line.partition(" ")
        rest = rest.strip()
        hub = self._server.hub
        if verb == "/quit":
            self._server.request_shutdown("operator typed /quit")
        elif verb == "/who":
            names = hub.who()
            self._print(f"{len(names)} online: {', '.join(names) if names else '(nobody)'}")
        elif verb == "/rooms":
            for room, members in hub.rooms():
                self._print(f"{room} ({len(members)}): {', '.join(members)}")
        elif verb == "/kick" and rest:
            name, _, reason = rest.partition(" ")
            if self._server.kick(name, reason.strip() or "by the operator"):
                self._print(f"kicked {name}")
            else:
                self._print(f"{name} is not online")
        elif verb == "/help":
            self._print(HELP)
        elif verb.startswith("/") and verb != "/say":
            self._print(f"unknown or incomplete console command {verb!r}; {HELP}")
        else:
            text = rest if verb == "/say" else line
            if text:
                self._print(f"sent to {hub.announce(text)} users")

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)
