"""A real terminal for the client's UI tests: a private tmux server, polled with deadlines.

Each session is one pane running one command (``tmux -L <unique>``, so tests never touch a
user's tmux). Tests type with ``send-keys`` and read the screen with ``capture-pane``; every
wait polls the screen with a deadline and nothing sleeps for a fixed time.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import uuid
from collections.abc import Callable

from tests.client.processes import WAIT, poll_until

WIDTH, HEIGHT = 100, 30
EXIT_MARK = "[client exit status "
STAMP = re.compile(r"^\d\d:\d\d ")
NO_CONFIG = "/nonexistent/parley-test-config"
"""XDG_CONFIG_HOME for the clients under test: a tester's own client.toml must not apply."""


class Tmux:
    """A private tmux server; each session is one pane running one command."""

    def __init__(self) -> None:
        self.socket = f"parley-test-{uuid.uuid4().hex[:12]}"

    def run(self, *args: str) -> str:
        completed = subprocess.run(
            ["tmux", "-f", os.devnull, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {completed.stderr.strip()}")
        return completed.stdout

    def start(self, session: str, argv: list[str]) -> None:
        """Run `argv` in a new session; a shell around it prints its exit status at the end.

        The shell (not tmux) reaps the command, and stays so the last screen can be read:
        tmux's own remain-on-exit sometimes leaves the exited client unreaped for seconds.
        """
        # A password in the tester's own environment must not log the client in, nor their
        # configuration file or NO_COLOR change what the screen shows.
        script = (
            f"unset PARLEY_PASSWORD PARLEY_NEW_PASSWORD NO_COLOR; XDG_CONFIG_HOME={NO_CONFIG}; "
            "export XDG_CONFIG_HOME; "
            f'{shlex.join(argv)}; echo "{EXIT_MARK}$?]"; exec sleep 600'
        )
        self.run(
            *("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT)),
            shlex.join(["sh", "-c", script]),
        )

    def type(self, session: str, text: str) -> None:
        self.run("send-keys", "-t", session, "-l", text)

    def press(self, session: str, key: str) -> None:
        self.run("send-keys", "-t", session, key)

    def enter(self, session: str, line: str) -> None:
        """Type `line` and press Enter, as a person sends a line or a command."""
        self.type(session, line)
        self.press(session, "Enter")

    def screen(self, session: str, *, escapes: bool = False, everything: bool = False) -> list[str]:
        """The visible rows (`everything`: the scrollback too; `escapes`: with attributes)."""
        args = ["capture-pane", "-p", "-t", session]
        if escapes:
            args.append("-e")
        if everything:
            args += ["-S", "-"]
        lines = self.run(*args).splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    def bell_rung(self, session: str) -> bool:
        """Whether the program in `session` rang the bell (tmux's window bell flag)."""
        flag = self.run("display-message", "-p", "-t", session, "#{window_bell_flag}")
        return flag.strip() == "1"

    def wait_screen(
        self,
        session: str,
        condition: Callable[[list[str]], bool],
        what: str,
        timeout: float = WAIT,
    ) -> list[str]:
        try:
            poll_until(lambda: condition(self.screen(session)), what, timeout)
        except AssertionError as error:
            screen = "\n".join(self.screen(session))
            raise AssertionError(f"{error}; screen of {session}:\n{screen}") from None
        return self.screen(session)

    def wait_exit(self, session: str) -> int:
        """Wait for the command in `session` to end; return its exit status."""
        screen = self.wait_screen(session, shows(EXIT_MARK), "the client to exit")
        mark = next(line for line in screen if EXIT_MARK in line)
        return int(mark.split(EXIT_MARK)[1].rstrip("]"))

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def shows(text: str) -> Callable[[list[str]], bool]:
    return lambda screen: any(text in line for line in screen)


def unstamped(line: str) -> str:
    """A row without the time the client puts before each line (``10:42 ``)."""
    return STAMP.sub("", line)


def ready(screen: list[str]) -> bool:
    return any("Ready for messaging!" in line for line in screen) and screen[-1] == ">"
