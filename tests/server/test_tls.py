"""TLS over a real socket: self-signed certificate kept in the data directory, TLS and plain
clients on one port, a separate TLS port, and a certificate that is reused across starts."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from tests.server.conftest import LineClient, MakeServer, ServerThread

OK = b"200 Registration successful\n"


def tls_connect(server: ServerThread, port: int, cafile: Path) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(cafile))
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return context.wrap_socket(raw, server_hostname="localhost")


def read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def test_tls_and_plain_share_one_port(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path)
    cert = tmp_path / "tls" / "cert.pem"
    assert cert.exists()
    assert (tmp_path / "tls" / "key.pem").stat().st_mode & 0o077 == 0
    secure = tls_connect(server, server.port, cert)
    secure.sendall(b"REGISTER alice CHAT/1.0\n")
    assert read_line(secure) == OK
    strict = LineClient(server.port)  # a seed-004 client without TLS, same port
    assert strict.register("bob") == OK[:-1]
    strict.send(b"@bob: plain hello\n")
    assert read_line(secure) == b"@bob: plain hello\n"
    secure.sendall(b"@alice: encrypted hello\n")
    assert strict.line() == b"@alice: encrypted hello"
    secure.close()


def test_silent_plain_connection_is_still_greeted(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path, greet_delay=0.2)
    person = LineClient(server.port)
    assert person.line() == b"Welcome to Parley. Type your name and press Enter."


def test_separate_tls_port(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path, tls_port=0)
    assert server.server is not None and server.server.tls_port not in (None, server.port)
    assert server.server.tls_port is not None
    secure = tls_connect(server, server.server.tls_port, tmp_path / "tls" / "cert.pem")
    secure.sendall(b"REGISTER carol CHAT/1.0\n")
    assert read_line(secure) == OK
    secure.close()


def test_certificate_is_kept_across_restarts(make_server: MakeServer, tmp_path: Path) -> None:
    first = make_server(tls="self-signed", data_dir=tmp_path)
    second = make_server(tls="self-signed", data_dir=tmp_path)
    assert first.server is not None and second.server is not None
    assert first.server.tls_fingerprint == second.server.tls_fingerprint


def test_wrong_certificate_is_refused_by_verifying_client(
    make_server: MakeServer, tmp_path: Path
) -> None:
    server = make_server(tls="self-signed", data_dir=tmp_path / "one")
    other = make_server(tls="self-signed", data_dir=tmp_path / "two")
    assert other.server is not None
    try:
        tls_connect(server, server.port, tmp_path / "two" / "tls" / "cert.pem")
    except ssl.SSLCertVerificationError:
        pass
    else:
        raise AssertionError("a certificate from another server was accepted")
    alive = LineClient(server.port)
    assert alive.register("dave") == OK[:-1]  # a failed handshake cost nothing else
