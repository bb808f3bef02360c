"""The real ``parley-server`` command: every way to give a port, errors, signals, console."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.procs import Proc, start_server


def register(port: int, name: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(f"REGISTER {name} CHAT/1.0\n".encode())
    assert sock.recv(100) == b"200 Registration successful\n"
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parley.server", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=10,
        stdin=subprocess.DEVNULL,
    )


def test_no_port_picks_one_and_says_how_to_connect() -> None:
    proc, port = start_server()
    try:
        assert port > 0
        proc.expect(rf"chat://.*:{port}")
        register(port, "alice").close()
    finally:
        proc.kill()


@pytest.mark.parametrize("form", ["positional", "--port", "-p"])
def test_port_forms(form: str) -> None:
    wanted = free_port()
    args = [str(wanted)] if form == "positional" else [form, str(wanted)]
    proc, port = start_server(*args)
    try:
        assert port == wanted
        register(port, "bob").close()
    finally:
        proc.kill()


@pytest.mark.parametrize(
    "args",
    [
        ["abc"],
        ["70000"],
        ["--port", "-1"],
        ["1234", "--port", "5678"],
        ["--max-line", "0"],
        ["--nope"],
    ],
)
def test_bad_arguments_one_line_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run("--host", "127.0.0.1", str(taken.getsockname()[1]))
    assert result.returncode == 2
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_notifies_every_client_and_exits_0_within_2s(signum: int) -> None:
    proc, port = start_server()
    clients = [register(port, f"user{i}") for i in range(3)]
    started = time.monotonic()
    proc.signal(signum)
    assert proc.wait(3) == 0
    assert time.monotonic() - started < 2.0
    for client in clients:
        assert read_until_closed(client) == b"DISCONNECT CHAT/1.0\n"
        client.close()


def test_console_who_say_and_quit() -> None:
    proc, port = start_server("--console", "on")
    try:
        alice = register(port, "alice")
        proc.write("/who\n")
        proc.expect(r"1 online: alice")
        proc.write("maintenance in five minutes\n")
        alice.settimeout(5)
        assert alice.recv(100) == b"@server: maintenance in five minutes\n"
        proc.write("/quit\n")
        assert proc.wait(3) == 0
        assert read_until_closed(alice) == b"DISCONNECT CHAT/1.0\n"
    finally:
        proc.kill()


def test_end_of_stdin_never_stops_the_server() -> None:
    proc, port = start_server("--console", "on")
    try:
        assert proc.popen.stdin is not None
        proc.popen.stdin.close()
        time.sleep(0.3)
        assert proc.popen.poll() is None
        register(port, "still-here").close()
    finally:
        proc.kill()


def test_stdin_devnull_server_keeps_running() -> None:
    wanted = free_port()
    proc = Proc(
        [sys.executable, "-m", "parley.server", "--host", "127.0.0.1", str(wanted)],
        stdin=subprocess.DEVNULL,
    )
    try:
        proc.expect(r"port \d+")
        time.sleep(0.3)
        assert proc.popen.poll() is None
        register(wanted, "carol").close()
    finally:
        proc.kill()


def test_console_rooms_kick_and_say() -> None:
    proc, port = start_server("--console", "on")
    try:
        alice, bob = register(port, "alice"), register(port, "bob")
        proc.write("/rooms\n")
        proc.expect(r"^lobby \(2\): alice, bob$")
        proc.write("/say hello all\n")
        bob.settimeout(5)
        assert bob.recv(100) == b"@server: hello all\n"
        proc.write("/kick alice spamming\n")
        proc.expect("kicked alice")
        assert read_until_closed(alice).endswith(b"DISCONNECT CHAT/1.0\n")
        proc.write("/kick nobody\n")
        proc.expect("nobody is not online")
        proc.write("/who\n")
        proc.expect("1 online: bob")
    finally:
        proc.kill()


def test_unusable_certificate_is_a_clear_error() -> None:
    result = run("--tls-cert", "/etc/hostname", "--tls-key", "/etc/hostname")
    assert result.returncode == 2
    assert result.stderr.startswith("parley-server: cannot use the TLS certificate")
    assert "Traceback" not in result.stderr


def test_self_signed_tls_start_prints_fingerprint(tmp_path: Path) -> None:
    proc, _ = start_server("--tls", "self-signed", "--data-dir", str(tmp_path))
    try:
        proc.expect(r"TLS certificate SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}")
        assert (tmp_path / "tls" / "cert.pem").exists()
    finally:
        proc.kill()
