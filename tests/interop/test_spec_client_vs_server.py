"""A client written only from seed 004's text works against our server, both ways of ending."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.procs import Proc, start_server

SPEC_CLIENT = str(Path(__file__).with_name("spec_client.py"))


@pytest.fixture
def server() -> Iterator[tuple[Proc, int]]:
    proc, port = start_server()
    yield proc, port
    proc.kill()


def spec_client(name: str, port: int) -> Proc:
    proc = Proc([sys.executable, SPEC_CLIENT, name, f"chat://127.0.0.1:{port}"])
    proc.expect("Registration successful")
    return proc


def test_spec_clients_chat_through_our_server(server: tuple[Proc, int]) -> None:
    _, port = server
    alice, bob = spec_client("alice", port), spec_client("bob", port)
    try:
        alice.write("Hi Bob\n")
        bob.expect(r"^@alice: Hi Bob$")
        bob.write("Hi Alice\n")
        alice.expect(r"^@bob: Hi Alice$")
        bob.signal(signal.SIGINT)
        assert bob.wait() == 0
        again = spec_client("bob", port)  # name was freed by DISCONNECT bob CHAT/1.0
        again.kill()
    finally:
        alice.kill()
        bob.kill()


def test_server_sigint_ends_spec_clients(server: tuple[Proc, int]) -> None:
    proc, port = server
    clients = [spec_client(f"user{i}", port) for i in range(3)]
    proc.signal(signal.SIGINT)
    assert proc.wait(3) == 0
    for client in clients:
        client.expect("Disconnected from server")
        assert client.wait() == 0


def test_duplicate_name_refused_for_spec_client(server: tuple[Proc, int]) -> None:
    _, port = server
    alice = spec_client("alice", port)
    try:
        twin = Proc([sys.executable, SPEC_CLIENT, "alice", f"chat://127.0.0.1:{port}"])
        assert twin.wait() == 1
        assert "401 Client already registered" in twin.stderr()
    finally:
        alice.kill()
