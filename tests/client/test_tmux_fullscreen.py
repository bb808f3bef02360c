"""The full-screen mode in a real terminal (tmux) against the real server: two rooms, an
unread count going up on the one not looked at, and cleared on switching to it.

Every wait is for something visible on the screen, with a deadline; nothing sleeps.
"""

from __future__ import annotations

from tests.client.processes import RunningServer, client_command
from tests.client.terminal import Tmux, ready, shows


def enter(tmux: Tmux, session: str, line: str) -> None:
    tmux.type(session, line)
    tmux.press(session, "Enter")


def room_row(screen: list[str], label: str) -> str:
    """The room list's row for `label` (``2 dev (3)``), as drawn at the left."""
    for row in screen:
        cell = row[:19].strip()
        if cell.split(" ")[1:2] == [label]:
            return cell
    return ""


def test_two_rooms_count_unread_on_the_hidden_one_and_clear_on_switch(
    tmux: Tmux, server: RunningServer
) -> None:
    tmux.start("alice", client_command("alice", server.address, "--full-screen"))
    tmux.start("bob", client_command("bob", server.address))
    tmux.wait_screen("bob", ready, "bob's prompt")
    tmux.wait_screen("alice", shows("alice | lobby | connected"), "alice's status line")

    enter(tmux, "bob", "/join dev")
    tmux.wait_screen("bob", lambda s: s[-1] == "[dev] >", "bob in dev")
    enter(tmux, "alice", "/join dev")
    tmux.wait_screen("alice", shows("alice | dev | connected"), "alice looking at dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev", "dev in the room list")
    tmux.wait_screen("alice", shows("bob"), "bob among dev's members")

    tmux.press("alice", "M-1")
    tmux.wait_screen("alice", shows("alice | lobby | connected"), "alice back in the lobby")
    enter(tmux, "bob", "first in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev (1)", "one unread")
    enter(tmux, "bob", "alice: second in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev (2, @1)", "a mention")
    assert not any("second in dev" in row for row in tmux.screen("alice"))

    enter(tmux, "alice", "/switch dev")
    screen = tmux.wait_screen("alice", shows("alice | dev | connected"), "alice in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev", "the count cleared")
    screen = tmux.wait_screen("alice", shows("bob (in dev): alice: second in dev"), "dev's lines")
    assert any("bob (in dev): first in dev" in row for row in screen)

    enter(tmux, "alice", "hello dev")
    tmux.wait_screen("bob", shows("alice (in dev): hello dev"), "alice's line in dev")
    tmux.wait_screen("alice", shows("alice (in dev): hello dev"), "alice's own line shown")
    enter(tmux, "alice", "/quit")
    assert tmux.wait_exit("alice") == 0
