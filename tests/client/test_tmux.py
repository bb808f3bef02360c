"""The real terminal client inside tmux: typing is never disturbed by incoming messages.

Each test starts a real server and runs ``python -m parley`` in tmux panes (a private tmux
server per test, ``tmux -L <unique>``), types with ``send-keys`` and reads the screen with
``capture-pane``. Waits poll the screen with a deadline; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.client.processes import RunningServer, chat_server, client_command, poll_until

WIDTH, HEIGHT = 100, 30
EXIT_MARK = "[client exit status "


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
        script = f'{shlex.join(argv)}; echo "{EXIT_MARK}$?]"; exec sleep 600'
        self.run(
            *("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT)),
            shlex.join(["sh", "-c", script]),
        )

    def type(self, session: str, text: str) -> None:
        self.run("send-keys", "-t", session, "-l", text)

    def press(self, session: str, key: str) -> None:
        self.run("send-keys", "-t", session, key)

    def screen(self, session: str) -> list[str]:
        lines = self.run("capture-pane", "-p", "-t", session).splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    def wait_screen(
        self, session: str, condition: Callable[[list[str]], bool], what: str
    ) -> list[str]:
        try:
            poll_until(lambda: condition(self.screen(session)), what)
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


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        message = "tmux not installed: install it (scripts/system-deps.sh does) to test the UI"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    terminal = Tmux()
    try:
        yield terminal
    finally:
        terminal.kill()


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with chat_server() as running:
        yield running


def shows(text: str) -> Callable[[list[str]], bool]:
    return lambda screen: any(text in line for line in screen)


def ready(screen: list[str]) -> bool:
    return any("Ready for messaging!" in line for line in screen) and screen[-1] == ">"


def test_incoming_message_leaves_the_line_being_typed_intact(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("alice", client_command("alice", server.address))
    tmux.start("bob", client_command("bob", server.address))
    screen = tmux.wait_screen("alice", ready, "alice's prompt")
    assert screen[:3] == [
        "Connecting to server ...",
        "Connection to server established. Sending intro message...",
        "Registration successful.  Ready for messaging!",
    ]
    tmux.wait_screen("bob", ready, "bob's prompt")

    tmux.type("alice", "half a thou")
    tmux.wait_screen("alice", lambda s: s[-1] == "> half a thou", "alice's partial line")
    tmux.type("bob", "hello alice")
    tmux.press("bob", "Enter")

    screen = tmux.wait_screen(
        "alice", shows("@bob: hello alice"), "bob's message on alice's screen"
    )
    assert screen[-1] == "> half a thou", screen
    assert screen[-2] == "@bob: hello alice", screen

    tmux.type("alice", "ght")
    tmux.press("alice", "Enter")
    tmux.wait_screen("bob", shows("@alice: half a thought"), "alice's message on bob's screen")

    tmux.press("alice", "C-c")
    assert tmux.wait_exit("alice") == 0

    server.stop(signal.SIGINT)
    screen = tmux.wait_screen("bob", shows("Disconnected from server"), "bob's goodbye notice")
    assert tmux.wait_exit("bob") == 0


def test_taken_name_is_asked_again(tmux: Tmux, server: RunningServer) -> None:
    tmux.start("first", client_command("carol", server.address))
    tmux.wait_screen("first", ready, "the first carol's prompt")
    tmux.start("second", client_command("127.0.0.1", str(server.port)))
    tmux.wait_screen("second", shows("Your name:"), "the name prompt")
    tmux.type("second", "carol")
    tmux.press("second", "Enter")
    screen = tmux.wait_screen(
        "second", lambda s: s[-1].startswith("Your name:") and shows("taken")(s), "a second ask"
    )
    assert any(re.search(r"already taken.*choose another name", line) for line in screen), screen
    tmux.type("second", "carol2")
    tmux.press("second", "Enter")
    tmux.wait_screen("second", ready, "the prompt after a good name")
    tmux.press("second", "C-d")
    assert tmux.wait_exit("second") == 0
