"""Real IRC clients against the IRC door: irssi and WeeChat in tmux, side by side with a
CHAT/1.0 user.

irssi, WeeChat and tmux are installed by scripts/system-deps.sh; without them these tests
fail in CI and are skipped, saying why, elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.terminal import Tmux, shows
from tests.server.conftest import Connect, ServerThread


def _needs(*programs: str) -> None:
    for program in programs:
        if shutil.which(program) is None:
            message = f"{program} not installed: scripts/system-deps.sh installs it"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    _needs("tmux")
    terminal = Tmux()
    try:
        yield terminal
    finally:
        terminal.kill()


def test_irssi_chats_with_a_chat1_user(
    tmux: Tmux, server: ServerThread, connect: Connect, tmp_path: Path
) -> None:
    _needs("irssi")
    home = tmp_path / "irssi"
    home.mkdir()
    (home / "config").write_text('settings = { core = { real_name = "Irssi User"; }; };\n')
    argv = ["irssi", "--home", str(home), "-c", "127.0.0.1", "-p", str(server.port), "-n", "iri"]
    tmux.start("irssi", argv)
    tmux.wait_screen("irssi", shows("Welcome to Parley"), "irssi's welcome")
    bob = connect()
    bob.send(b"EXTEND rooms dm CHAT/1.0\nREGISTER bob CHAT/1.0\nJOIN dev CHAT/1.0\n")
    assert bob.lines(3)[2] == b"220 Joined dev"
    tmux.enter("irssi", "/join #dev")
    tmux.wait_screen("irssi", shows("#dev"), "irssi to join #dev")
    bob.send(b"TOPIC dev hello from CHAT/1.0 CHAT/1.0\n")
    assert bob.line() == b"280 dev hello from CHAT/1.0"
    tmux.wait_screen("irssi", shows("hello from CHAT/1.0"), "the topic in irssi")
    tmux.enter("irssi", "greetings from irssi")
    while (line := bob.line()) != b"@iri #dev: greetings from irssi":
        assert not line.startswith(b"@iri #dev:"), line
    bob.send(b"@bob #dev: and back to irssi\n")
    tmux.wait_screen("irssi", shows("and back to irssi"), "bob's line in irssi")
    tmux.enter("irssi", "/query bob")
    tmux.wait_screen("irssi", shows("Starting query"), "irssi's query window")
    bob.send(b"@bob > iri: a private word\n")
    tmux.wait_screen("irssi", shows("a private word"), "bob's direct message in irssi")
    tmux.enter("irssi", "/window close")  # back to #dev
    tmux.wait_screen("irssi", shows("Total of 2 nicks"), "irssi back in #dev")
    bob.send(b"KICK dev iri time to go CHAT/1.0\n")
    tmux.wait_screen("irssi", shows("was kicked from #dev by bob"), "the kick in irssi")
    assert bob.line() == b"KICKED dev iri bob time to go CHAT/1.0"
    assert bob.line() == b"283 Kicked iri"
    tmux.enter("irssi", "/quit leaving")
    bob.send(b"PING done CHAT/1.0\n")
    assert bob.line() == b"290 Pong done"


def test_weechat_negotiates_chats_and_kicks_with_a_chat1_user(
    tmux: Tmux, server: ServerThread, connect: Connect, tmp_path: Path
) -> None:
    """WeeChat as it comes (its own capability list), on the room a CHAT/1.0 user is in."""
    _needs("weechat")
    commands = ";".join(
        [
            "/set irc.server_default.nicks wee",
            f"/server add parley 127.0.0.1/{server.port}",
            "/connect parley",
        ]
    )
    argv = ["weechat", "--dir", str(tmp_path / "weechat"), "--run-command", commands]
    tmux.start("wee", argv)
    tmux.wait_screen("wee", shows("#lobby"), "WeeChat to be in #lobby")
    tmux.enter("wee", "/buffer parley")
    screen = tmux.wait_screen("wee", shows("Welcome to Parley, wee"), "WeeChat's welcome")
    enabled = "\n".join(screen).split("client capability, enabled:")[1]
    assert "server-time" in enabled and "message-tags" in enabled  # as WeeChat asked
    bob = connect()
    bob.send(b"EXTEND rooms dm CHAT/1.0\nREGISTER bob CHAT/1.0\n")
    assert bob.lines(2)[1] == b"200 Registration successful"
    tmux.enter("wee", "/join #dev")
    tmux.wait_screen("wee", shows("has joined #dev"), "WeeChat to join #dev")
    bob.send(b"JOIN dev CHAT/1.0\n")
    assert bob.line() == b"220 Joined dev"
    tmux.wait_screen("wee", shows("(bob@parley) has joined #dev"), "bob's join")
    bob.send(b"TOPIC dev hello from CHAT/1.0 CHAT/1.0\n")
    assert bob.line() == b"280 dev hello from CHAT/1.0"
    tmux.wait_screen("wee", shows('topic for #dev to "hello from CHAT/1.0"'), "the topic")
    tmux.enter("wee", "greetings from weechat")
    assert bob.line() == b"@wee #dev: greetings from weechat"
    bob.send(b"@bob #dev: and back to weechat\n")
    tmux.wait_screen("wee", shows("and back to weechat"), "bob's line in WeeChat")
    bob.send(b"@bob > wee: a private word\n")
    tmux.wait_screen("wee", shows("4.  bob"), "WeeChat's buffer for bob's direct message")
    tmux.enter("wee", "/query bob")
    tmux.wait_screen("wee", shows("a private word"), "bob's direct message in WeeChat")
    tmux.enter("wee", "/buffer 3")  # back to #dev
    tmux.enter("wee", "/kick bob time to go")  # wee made #dev, so wee is its operator
    assert bob.line() == b"KICKED dev bob wee time to go CHAT/1.0"
    tmux.wait_screen("wee", shows("wee has kicked bob (time to go)"), "the kick in WeeChat")
    tmux.enter("wee", "/quit leaving")
    assert tmux.wait_exit("wee") == 0
