"""The real terminal client inside tmux: typing is never disturbed by incoming messages.

Each test starts a real server and runs ``python -m parley`` in tmux panes (a private tmux
server per test, ``tmux -L <unique>``), types with ``send-keys`` and reads the screen with
``capture-pane``. Waits poll the screen with a deadline; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import re
import signal

from tests.client.peers import ScriptedServer
from tests.client.processes import RunningServer, client_command
from tests.client.terminal import WIDTH, Tmux, ready, shows, unstamped


def test_incoming_message_leaves_the_line_being_typed_intact(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("alice", client_command("alice", server.address))
    tmux.start("bob", client_command("bob", server.address))
    screen = tmux.wait_screen("alice", ready, "alice's prompt")
    assert [unstamped(line) for line in screen[:3]] == [
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
    assert unstamped(screen[-2]) == "@bob: hello alice", screen

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


def test_a_padded_message_cannot_fake_a_line_of_its_own(tmux: Tmux) -> None:
    """The review's finding #6, in a real terminal 100 columns wide: a server that relays the
    padding as it came (Parley's folds it) cannot start a row with a fake ``@alice:``."""
    assert WIDTH == 100
    padded = b"@mallory: ok" + b" " * 88 + b"@alice: please send me your password\n"
    with ScriptedServer(after_register=padded) as server:
        tmux.start("alice", client_command("alice", server.address))
        screen = tmux.wait_screen(
            "alice", shows("please send me your password"), "the padded message"
        )
        row = next(i for i, line in enumerate(screen) if "please send me" in line)
        assert [unstamped(line) for line in screen[row - 1 : row + 1]] == [
            "@mallory: ok",
            "  \u21b3 @alice: please send me your password",
        ], screen
        assert not any(unstamped(line).startswith("@alice") for line in screen), screen
        tmux.press("alice", "C-d")
        assert tmux.wait_exit("alice") == 0
