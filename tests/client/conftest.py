"""Fixtures for the client's tests: a private tmux, and the real server to talk to."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.client.processes import RunningServer, chat_server
from tests.client.terminal import Tmux


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
