"""Starting and stopping the servers a benchmark runs against."""

from __future__ import annotations

import os
import sys

import pytest

from parley.bench.targets import DATA_DIR, ServerProcess, TargetError, parse_address

FAKE_SERVER = (
    "import socket, time; s = socket.create_server(('127.0.0.1', 0)); "
    "print('listening on port', s.getsockname()[1], flush=True); time.sleep(30)"
)
SAYS_BUT_NEVER_LISTENS = (
    "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
    "print('listening on port', s.getsockname()[1], flush=True); time.sleep(30)"
)


def test_a_started_server_gets_its_own_data_directory_and_loses_it() -> None:
    command = [sys.executable, "-c", FAKE_SERVER, f"--data-dir={DATA_DIR}"]
    with ServerProcess("fake", command) as server:
        assert server.port > 0
        assert server.alive()
        pid = server.endpoint.pid
        assert pid is not None
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            argument = file.read().split(b"\0")[3].decode()
        data_dir = argument.removeprefix("--data-dir=")
        assert os.path.isdir(data_dir)
    assert not server.alive()
    assert not os.path.exists(data_dir)


def test_a_server_that_never_says_its_port_is_an_error() -> None:
    with pytest.raises(TargetError, match="did not report its port"):
        ServerProcess("mute", [sys.executable, "-c", "import sys; sys.stderr.write('boom')"])


def test_a_server_that_names_a_port_it_does_not_listen_on_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("parley.bench.targets.STARTUP_TIMEOUT", 0.5)
    with pytest.raises(TargetError, match="not listening"):
        ServerProcess("deaf", [sys.executable, "-c", SAYS_BUT_NEVER_LISTENS])


def test_addresses() -> None:
    assert parse_address("127.0.0.1:5555") == ("127.0.0.1", 5555)
    assert parse_address("[::1]:80") == ("::1", 80)
    for bad in ("nowhere", ":80", "host:", "host:0", "host:99999"):
        with pytest.raises(ValueError):
            parse_address(bad)
