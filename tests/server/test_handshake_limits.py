"""Connections that begin a TLS handshake and go silent, against a real server: counted at
accept on the shared port and on --tls-port, capped, dropped after the handshake timeout,
while an honest client is served; every count and descriptor comes back afterwards."""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.server import listeners
from tests.server.conftest import LineClient, MakeServer, ServerThread, wait_for

OK = b"200 Registration successful"
ATTACKER, HONEST = "127.0.0.1", "127.0.0.2"  # both loopback: two addresses on one machine


class ClientFrom(LineClient):
    """A line client connecting from a chosen loopback address."""

    def __init__(self, port: int, source: str) -> None:
        self.sock = connect_from(port, source)
        self._buffer = b""


def connect_from(port: int, source: str = ATTACKER) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


def half_open(port: int, source: str = ATTACKER) -> socket.socket:
    """A connection that sends the first byte of a TLS handshake and nothing more."""
    sock = connect_from(port, source)
    sock.sendall(b"\x16")
    return sock


def tls_register(port: int, cafile: Path, name: str, source: str = HONEST) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(cafile))
    secure = context.wrap_socket(connect_from(port, source), server_hostname="localhost")
    secure.sendall(f"REGISTER {name} CHAT/1.0\n".encode())
    assert secure.recv(100) == OK + b"\n"
    return secure


def dropped(sock: socket.socket, timeout: float = 3.0) -> bool:
    """True once the server has closed `sock` (whatever it said first)."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def settled_fds(server: ServerThread) -> int:
    """The descriptors of this process once one connection has come and gone (an event
    loop may open a descriptor of its own for good on its first connection: libuv does)."""
    warm_up = ClientFrom(server.port, HONEST)
    assert warm_up.register("warmup") == OK
    warm_up.close()
    assert wait_for(lambda: counted(server) == 0)
    return fd_count()


def counted(server: ServerThread) -> int:
    assert server.server is not None
    return server.server.admission.total


def handshaking(server: ServerThread) -> int:
    assert server.server is not None
    return server.server.admission.handshakes


def all_gone(server: ServerThread, fds: int) -> bool:
    assert server.server is not None
    chat = server.server
    return chat.admission.total == chat.admission.handshakes == chat.connection_count == 0 and (
        fd_count() <= fds
    )


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    """Sockets closed at the end of the test, whatever happened."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def test_half_open_handshakes_are_counted_and_refused_past_the_address_limit(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket]
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path, max_per_address=5)
    fds = settled_fds(server)
    sockets += [half_open(server.port) for _ in range(5)]
    assert wait_for(lambda: counted(server) == handshaking(server) == 5)
    plain = ClientFrom(server.port, ATTACKER)
    sockets.append(plain.sock)
    assert plain.line() == b"503 Connection refused: too many connections from your address"
    assert plain.closed()
    extra = half_open(server.port)
    sockets.append(extra)
    assert dropped(extra, timeout=1)
    honest = ClientFrom(server.port, HONEST)
    sockets.append(honest.sock)
    assert honest.register("honest") == OK
    sockets.append(tls_register(server.port, tmp_path / "tls" / "cert.pem", "secure"))
    assert wait_for(lambda: counted(server) == 7 and handshaking(server) == 5)
    for sock in sockets:
        sock.close()
    assert wait_for(lambda: all_gone(server, fds))


def test_honest_clients_served_while_one_address_fills_its_handshake_cap(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket]
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path)
    assert server.server is not None
    server.server.admission.max_handshakes_per_address = 3
    sockets += [half_open(server.port) for _ in range(3)]
    assert wait_for(lambda: handshaking(server) == 3)
    extra = half_open(server.port)
    sockets.append(extra)
    assert dropped(extra, timeout=1)  # at once, not after the handshake timeout
    same_address = ClientFrom(server.port, ATTACKER)  # plain clients are no handshake
    sockets.append(same_address.sock)
    assert same_address.register("plain") == OK
    sockets.append(tls_register(server.port, tmp_path / "tls" / "cert.pem", "elsewhere"))
    assert wait_for(lambda: counted(server) == 5 and handshaking(server) == 3)


def test_total_handshake_cap(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket]
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path, tls_port=0)
    assert server.server is not None and server.server.tls_port is not None
    tls_port = server.server.tls_port
    server.server.admission.max_handshakes = 2
    sockets += [half_open(tls_port, ATTACKER), half_open(tls_port, HONEST)]
    assert wait_for(lambda: handshaking(server) == 2)
    third = half_open(tls_port, "127.0.0.3")
    sockets.append(third)
    assert dropped(third, timeout=1)
    assert wait_for(lambda: counted(server) == 2)


@pytest.mark.parametrize("port_kind", ["shared", "tls-port"])
def test_half_open_handshakes_dropped_after_the_timeout(
    make_server: MakeServer,
    tmp_path: Path,
    sockets: list[socket.socket],
    monkeypatch: pytest.MonkeyPatch,
    port_kind: str,
) -> None:
    monkeypatch.setattr(listeners, "HANDSHAKE_TIMEOUT", 0.5)
    extra = {"tls_port": 0} if port_kind == "tls-port" else {}
    server = make_server(tls="self-signed", data_dir=tmp_path, **extra)
    assert server.server is not None and server.server.tls_port is not None
    fds = settled_fds(server)
    sockets += [half_open(server.server.tls_port) for _ in range(8)]
    assert wait_for(lambda: counted(server) == 8)
    assert all(dropped(sock, timeout=3) for sock in sockets)
    assert wait_for(lambda: all_gone(server, fds + len(sockets)))
    for sock in sockets:
        sock.close()
    assert wait_for(lambda: fd_count() <= fds)


def test_tls_port_counts_connections_at_accept(
    make_server: MakeServer,
    tmp_path: Path,
    sockets: list[socket.socket],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listeners, "HANDSHAKE_TIMEOUT", 1.0)
    server = make_server(tls="self-signed", data_dir=tmp_path, tls_port=0, max_per_address=3)
    assert server.server is not None and server.server.tls_port is not None
    tls_port = server.server.tls_port
    sockets += [connect_from(tls_port) for _ in range(3)]  # not even the first byte
    assert wait_for(lambda: counted(server) == 3)
    refused = ClientFrom(server.port, ATTACKER)  # the plain port shares the address limit
    sockets.append(refused.sock)
    assert refused.line() == b"503 Connection refused: too many connections from your address"
    another = connect_from(tls_port)
    sockets.append(another)
    assert dropped(another, timeout=1)  # closed at once: no plain line on a TLS port
    honest = ClientFrom(server.port, HONEST)
    sockets.append(honest.sock)
    assert honest.register("honest") == OK
    assert wait_for(lambda: counted(server) == 1, timeout=4)  # the handshakes timed out
    later = ClientFrom(server.port, ATTACKER)
    sockets.append(later.sock)
    assert later.register("later") == OK


@pytest.mark.parametrize("port_kind", ["shared", "tls-port"])
def test_tls_connection_counted_once(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket], port_kind: str
) -> None:
    extra = {"tls_port": 0} if port_kind == "tls-port" else {}
    server = make_server(tls="self-signed", data_dir=tmp_path, max_per_address=1, **extra)
    assert server.server is not None and server.server.tls_port is not None
    fds = settled_fds(server)
    secure = tls_register(server.server.tls_port, tmp_path / "tls" / "cert.pem", "alice")
    assert (counted(server), handshaking(server), server.server.connection_count) == (1, 0, 1)
    secure.close()
    assert wait_for(lambda: all_gone(server, fds))
    plain = ClientFrom(server.port, HONEST)  # counted once, released once: room for one
    sockets.append(plain.sock)
    assert plain.register("bob") == OK
    assert counted(server) == 1


def test_failed_handshake_gives_its_count_back(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket]
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path, max_per_address=1)
    fds = settled_fds(server)
    junk = connect_from(server.port)
    junk.sendall(b"\x16\x03\x01\x00\x05hello")  # a record that is no ClientHello
    sockets.append(junk)
    assert dropped(junk)
    junk.close()
    assert wait_for(lambda: all_gone(server, fds))


def test_shutdown_gives_back_connections_still_in_handshake(
    make_server: MakeServer, tmp_path: Path, sockets: list[socket.socket]
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path)
    sockets += [half_open(server.port) for _ in range(4)]
    silent = connect_from(server.port)  # still being sniffed
    sockets.append(silent)
    assert wait_for(lambda: counted(server) == 5)
    assert server.stop() < 3
    assert all(dropped(sock, timeout=2) for sock in sockets)
    assert counted(server) == handshaking(server) == 0


def test_wait_for_the_first_byte_is_bounded(
    make_server: MakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listeners, "MAX_SNIFF_WAIT", 0.3)
    server = make_server(tls="self-signed", data_dir=tmp_path, greet_delay=60)
    person = LineClient(server.port)
    assert person.line(timeout=3) == b"Welcome to Parley. Type your name and press Enter."
    person.close()
