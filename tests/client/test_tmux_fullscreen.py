"""The full-screen mode in a real terminal (tmux) against the real server: two rooms, an
unread count going up on the one not looked at, and cleared on switching to it; scrolling
back past the top of a room fetches its older history; the lag in the status line.

Every wait is for something visible on the screen, with a deadline; nothing sleeps.
"""

from __future__ import annotations

import socket

from tests.client.processes import RunningServer, chat_server, client_command
from tests.client.terminal import Tmux, ready, shows


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

    tmux.enter("bob", "/join dev")
    tmux.wait_screen("bob", lambda s: s[-1] == "[dev] >", "bob in dev")
    tmux.enter("alice", "/join dev")
    tmux.wait_screen("alice", shows("alice | dev | connected"), "alice looking at dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev", "dev in the room list")
    tmux.wait_screen("alice", shows("bob"), "bob among dev's members")

    tmux.press("alice", "M-1")
    tmux.wait_screen("alice", shows("alice | lobby | connected"), "alice back in the lobby")
    tmux.enter("bob", "first in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev (1)", "one unread")
    tmux.enter("bob", "alice: second in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev (2, @1)", "a mention")
    assert not any("second in dev" in row for row in tmux.screen("alice"))

    tmux.enter("alice", "/switch dev")
    screen = tmux.wait_screen("alice", shows("alice | dev | connected"), "alice in dev")
    tmux.wait_screen("alice", lambda s: room_row(s, "dev") == "2 dev", "the count cleared")
    screen = tmux.wait_screen("alice", shows("bob (in dev): alice: second in dev"), "dev's lines")
    assert any("bob (in dev): first in dev" in row for row in screen)

    tmux.enter("alice", "hello dev")
    tmux.wait_screen("bob", shows("alice (in dev): hello dev"), "alice's line in dev")
    tmux.wait_screen("alice", shows("alice (in dev): hello dev"), "alice's own line shown")
    tmux.enter("alice", "/quit")
    assert tmux.wait_exit("alice") == 0


def said_before(port: int, count: int) -> None:
    """bob says `count` lines in dev (over a plain socket), before anyone else is there."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        reader = connection.makefile("rb")

        def until(start: bytes) -> None:
            while not reader.readline().startswith(start):
                pass

        connection.sendall(b"REGISTER bob CHAT/1.0\n")
        until(b"200")
        connection.sendall(b"EXTEND rooms history CHAT/1.0\n")
        until(b"210")
        connection.sendall(b"JOIN dev CHAT/1.0\n")
        until(b"261")
        lines = b"".join(f"@bob #dev: old {n:02}\n".encode() for n in range(1, count + 1))
        connection.sendall(lines + b"PING done CHAT/1.0\n")
        until(b"290 Pong done")


def test_scrolling_back_past_the_top_of_a_room_fetches_older_history(tmux: Tmux) -> None:
    with chat_server(args=("--history-lines", "5")) as server:
        said_before(server.port, 45)
        tmux.start("alice", client_command("alice", server.address, "--full-screen"))
        tmux.wait_screen("alice", shows("alice | lobby | connected | lag "), "the lag shown")
        tmux.enter("alice", "/join dev")
        tmux.wait_screen("alice", shows("bob (in dev): old 45"), "the last lines of dev")
        screen = tmux.screen("alice")
        assert not any("old 40" in row for row in screen)  # only 5 came with the join
        tmux.press("alice", "PageUp")
        tmux.wait_screen("alice", shows("old 40"), "the older page, in view after PageUp")
        for _ in range(4):
            tmux.press("alice", "PageUp")
        screen = tmux.wait_screen("alice", shows("old 01"), "the oldest line")
        rows = [row for row in screen if "bob (in dev): old " in row]
        numbers = [int(row.rsplit("old ", 1)[1].split()[0]) for row in rows]
        assert numbers == sorted(numbers), screen  # in order

        def paged_to_the_end(screen: list[str]) -> bool:
            if shows("No earlier messages in dev.")(screen):
                return True
            tmux.press("alice", "PageUp")  # at the top: asks again, then shows the answer
            return False

        tmux.wait_screen("alice", paged_to_the_end, "no earlier ones")
        assert room_row(tmux.screen("alice"), "dev") == "2 dev"  # none of it is unread
        tmux.press("alice", "PageDown")
        tmux.enter("alice", "/quit")
        assert tmux.wait_exit("alice") == 0
