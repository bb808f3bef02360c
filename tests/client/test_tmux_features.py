"""The line mode's features for people who keep the client open all day, in a real terminal
(tmux) against the real server: Tab completion of a name and of a room, a highlighted
mention that rings the bell, and a server killed and restarted while a client waits, which
reconnects and shows the messages sent meanwhile exactly once.

Every wait is for something visible on the screen (or on a script's output), with a
deadline; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

from tests.client.processes import (
    Process,
    RunningServer,
    chat_server,
    client_command,
    run_client,
)
from tests.client.relay import Relay
from tests.client.terminal import Tmux, ready, shows, unstamped

RECONNECT_WAIT = 45.0
"""Seconds a reconnection may take: the back-off may have grown to 16 s (with jitter)."""
STARTUP = 30.0
"""Seconds the server may take to start (again) on a busy machine."""


def test_tab_completes_a_name_and_a_room(tmux: Tmux, server: RunningServer) -> None:
    tmux.start("alice", client_command("alice", server.address))
    tmux.start("bob", client_command("bob", server.address))
    tmux.wait_screen("alice", ready, "alice's prompt")
    tmux.wait_screen("bob", ready, "bob's prompt")
    tmux.enter("bob", "/join design-review")
    tmux.wait_screen("bob", lambda s: s[-1] == "[design-review] >", "bob in his room")
    tmux.enter("bob", "/join lobby")
    tmux.enter("bob", "morning all")
    tmux.wait_screen("alice", shows("@bob: morning all"), "bob's message: alice has seen bob")

    tmux.type("alice", "bo")
    tmux.press("alice", "Tab")
    tmux.wait_screen("alice", lambda s: s[-1] == "> bob:", "the name with a colon")
    tmux.type("alice", "see you at 5")
    tmux.press("alice", "Enter")
    tmux.wait_screen("bob", shows("@alice: bob: see you at 5"), "the completed line")

    tmux.enter("alice", "/rooms")
    tmux.wait_screen("alice", shows("design-review (1): bob"), "the rooms alice now knows")
    tmux.type("alice", "/join des")
    tmux.wait_screen("alice", shows("Tab: design-review"), "the room offered as alice types")
    tmux.press("alice", "Tab")
    tmux.wait_screen("alice", shows("> /join design-review"), "the completed room")
    tmux.press("alice", "Enter")
    tmux.wait_screen("alice", lambda s: s[-1] == "[design-review] >", "alice in the room")
    tmux.wait_screen("bob", shows("* alice joined design-review"), "alice's arrival")


def test_a_mention_is_highlighted_rings_the_bell_and_is_listed(
    tmux: Tmux, server: RunningServer
) -> None:
    argv = client_command("alice", server.address, "--color", "always", "--highlight", "deploy")
    tmux.start("alice", argv)
    tmux.start("bob", client_command("bob", server.address))
    tmux.wait_screen("alice", ready, "alice's prompt")
    tmux.wait_screen("bob", ready, "bob's prompt")
    tmux.enter("bob", "nothing to see here")
    tmux.wait_screen("alice", shows("@bob: nothing to see here"), "an ordinary line")
    assert not tmux.bell_rung("alice")

    tmux.enter("bob", "hey Alice, lunch?")
    tmux.wait_screen("alice", shows("@bob: hey Alice, lunch?"), "the mention")
    painted = tmux.screen("alice", escapes=True)
    row = next(line for line in painted if "lunch?" in line)
    assert re.search(r"\x1b\[[0-9;]*7[0-9;]*mAlice", row), repr(row)  # reverse video
    assert re.search(r"\x1b\[38;5;\d+mbob", row), repr(row)  # bob in his colour
    assert tmux.bell_rung("alice")

    tmux.enter("bob", "deploy is done")
    tmux.wait_screen("alice", shows("@bob: deploy is done"), "a highlight word")
    tmux.enter("alice", "/mentions")
    screen = tmux.wait_screen("alice", shows("Mentions (2, newest last):"), "the list")
    listed = [unstamped(line) for line in screen if "in the lobby, bob:" in line]
    assert [re.sub(r"^ *\[\d\d:\d\d\] ", "", line) for line in listed] == [
        "in the lobby, bob: hey Alice, lunch?",
        "in the lobby, bob: deploy is done",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def count(tmux: Tmux, session: str, text: str) -> int:
    return sum(text in line for line in tmux.screen(session, everything=True))


def test_the_server_restarts_and_the_client_reconnects_missing_nothing_twice(
    tmux: Tmux, tmp_path: Path
) -> None:
    port = free_port()
    args = ["--port", str(port), "--data-dir", str(tmp_path / "data")]
    with Relay(port) as relay:
        with chat_server("real", args, timeout=STARTUP) as first:
            tmux.start("alice", client_command("alice", relay.address, "--color", "never"))
            tmux.wait_screen("alice", ready, "alice's prompt")
            tmux.enter("alice", "/join dev")
            tmux.wait_screen("alice", lambda s: s[-1] == "[dev] >", "alice in dev")
            said = run_client("bob", first.address, stdin_text="/join dev\nbefore the restart\n")
            assert said.status == 0, said
            tmux.wait_screen("alice", shows("bob (in dev): before the restart"), "the live line")

            relay.paused = True  # alice's tries fail until the messages below are stored
            first.process.kill()
            tmux.wait_screen("alice", shows("Connection to server lost; reconnecting"), "the drop")
            tmux.wait_screen("alice", shows("Reconnecting in"), "the countdown")
        with chat_server("real", args, timeout=STARTUP) as second:
            for lines in ("in the lobby meanwhile\n", "/join dev\nmissed one\nmissed two\n"):
                sent = run_client("carol", second.address, stdin_text=lines)
                assert sent.status == 0, sent
            relay.paused = False
            tmux.wait_screen(
                "alice", shows("end of what you missed in dev"), "the catch-up", RECONNECT_WAIT
            )
            screen = [unstamped(line) for line in tmux.screen("alice", everything=True)]
            assert f"Reconnected to {relay.address}." in screen, screen
            assert "Back in dev." in screen
            for text in (
                "before the restart",
                "in the lobby meanwhile",
                "missed one",
                "missed two",
            ):
                assert count(tmux, "alice", text) == 1, (text, screen)
            assert tmux.screen("alice")[-1] == "[dev] >"

            live = Process(client_command("dave", second.address))
            try:
                live.write("/join dev\nafter the return\n")
                tmux.wait_screen("alice", shows("dave (in dev): after the return"), "a live line")
                tmux.enter("alice", "welcome back to me")
                live.wait_stdout("alice \\(in dev\\): welcome back to me")
            finally:
                live.close_stdin()
                live.finish()
            tmux.press("alice", "C-c")
            assert tmux.wait_exit("alice") == 0


def test_without_reconnect_a_drop_still_exits_with_status_3(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("alice", client_command("alice", server.address, "--no-reconnect"))
    tmux.wait_screen("alice", ready, "alice's prompt")
    server.process.kill()
    assert tmux.wait_exit("alice") == 3
    assert any("connection to server lost" in line for line in tmux.screen("alice"))
