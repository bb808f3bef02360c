"""Real IRC clients against the IRC door: irssi in tmux, side by side with a CHAT/1.0 user.

irssi and tmux are installed by scripts/system-deps.sh; without them these tests fail in CI
and are skipped, saying why, elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.terminal import Tmux, shows
from tests.server.conftest import Connect, ServerThread


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    for program in ("tmux", "irssi"):
        if shutil.which(program) is None:
            message = f"{program} not installed: scripts/system-deps.sh installs it"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    terminal = Tmux()
    try:
        yield terminal
    finally:
        terminal.kill()


def test_irssi_chats_with_a_chat1_user(
    tmux: Tmux, server: ServerThread, connect: Connect, tmp_path: Path
) -> None:
    home = tmp_path / "irssi"
    home.mkdir()
    (home / "config").write_text('settings = { core = { real_name = "Irssi User"; }; };\n')
    argv = ["irssi", "--home", str(home), "-c", "127.0.0.1", "-p", str(server.port), "-n", "iri"]
    tmux.start("irssi", argv)
    tmux.wait_screen("irssi", shows("Welcome to Parley"), "irssi's welcome")
    bob = connect()
    bob.send(b"EXTEND rooms dm CHAT/1.0\nREGISTER bob CHAT/1.0\nJOIN dev CHAT/1.0\n")
    assert bob.lines(3)[2] == b"220 Joined dev"
    tmux.type("irssi", "/join #dev")
    tmux.press("irssi", "Enter")
    tmux.wait_screen("irssi", shows("#dev"), "irssi to join #dev")
    bob.send(b"TOPIC dev hello from CHAT/1.0 CHAT/1.0\n")
    assert bob.line() == b"280 dev hello from CHAT/1.0"
    tmux.wait_screen("irssi", shows("hello from CHAT/1.0"), "the topic in irssi")
    tmux.type("irssi", "greetings from irssi")
    tmux.press("irssi", "Enter")
    while (line := bob.line()) != b"@iri #dev: greetings from irssi":
        assert not line.startswith(b"@iri #dev:"), line
    bob.send(b"@bob #dev: and back to irssi\n")
    tmux.wait_screen("irssi", shows("and back to irssi"), "bob's line in irssi")
    tmux.type("irssi", "/query bob")
    tmux.press("irssi", "Enter")
    tmux.wait_screen("irssi", shows("Starting query"), "irssi's query window")
    bob.send(b"@bob > iri: a private word\n")
    tmux.wait_screen("irssi", shows("a private word"), "bob's direct message in irssi")
    tmux.type("irssi", "/window close")  # back to #dev
    tmux.press("irssi", "Enter")
    tmux.wait_screen("irssi", shows("Total of 2 nicks"), "irssi back in #dev")
    bob.send(b"KICK dev iri time to go CHAT/1.0\n")
    tmux.wait_screen("irssi", shows("was kicked from #dev by bob"), "the kick in irssi")
    assert bob.line() == b"KICKED dev iri bob time to go CHAT/1.0"
    assert bob.line() == b"283 Kicked iri"
    tmux.type("irssi", "/quit leaving")
    tmux.press("irssi", "Enter")
    bob.send(b"PING done CHAT/1.0\n")
    assert bob.line() == b"290 Pong done"
