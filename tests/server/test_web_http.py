"""The web door's HTTP side at the socket: routes, security headers, limits and timeouts."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from parley.server.listeners import listen_http
from tests.server.conftest import MakeServer, ServerThread
from tests.server.web_client import (
    WebClient,
    body_of,
    get,
    header,
    http_request,
    read_answer,
    status_of,
)

CSP_START = "default-src 'none'; script-src 'self'"


def test_healthz_is_ok_with_security_headers(server: ServerThread) -> None:
    answer = get(server.port, "/healthz")
    assert status_of(answer) == 200
    assert json.loads(body_of(answer)) == {"status": "ok"}
    csp = header(answer, "Content-Security-Policy") or ""
    assert csp.startswith(CSP_START) and "frame-ancestors 'none'" in csp
    assert header(answer, "X-Content-Type-Options") == "nosniff"
    assert header(answer, "Referrer-Policy") == "no-referrer"
    assert header(answer, "Cache-Control") == "no-store"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"GET /static/../pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"GET /static/.hidden.js HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", 405),
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # HTTP/1.1 without Host
        (b"GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n", 400),
    ],
)
def test_every_answer_has_the_csp(server: ServerThread, request_bytes: bytes, status: int) -> None:
    answer = http_request(server.port, request_bytes)
    assert status_of(answer) == status
    assert (header(answer, "Content-Security-Policy") or "").startswith(CSP_START)


def test_static_files_and_the_page(server: ServerThread) -> None:
    icon = get(server.port, "/static/icon.svg")
    assert status_of(icon) == 200
    assert header(icon, "Content-Type") == "image/svg+xml"
    assert b"<svg" in body_of(icon)
    page = get(server.port, "/")
    assert status_of(page) in (200, 404)  # 404 until the page's index.html is there
    head = http_request(
        server.port, b"HEAD /static/icon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status_of(head) == 200 and body_of(head) == b""
    assert header(head, "Content-Length") == header(icon, "Content-Length")


def test_keep_alive_answers_pipelined_requests_in_order(server: ServerThread) -> None:
    one = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = http_request(server.port, one + b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + one)
    assert [int(part.split(b" ", 2)[0]) for part in answer.split(b"HTTP/1.1 ")[1:]] == [
        200,
        404,
        200,
    ]


def test_request_head_over_8_kib_is_431(server: ServerThread) -> None:
    big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    assert status_of(http_request(server.port, big)) == 431


def test_more_than_50_headers_is_431(server: ServerThread) -> None:
    fields = b"".join(b"X-H%d: v\r\n" % i for i in range(51))
    answer = http_request(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")
    assert status_of(answer) == 431


def test_a_slow_request_gets_408(make_server: MakeServer) -> None:
    server = make_server(http_request_timeout=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the empty line
        started = time.monotonic()
        answer = read_answer(sock, quiet=3)
    assert status_of(answer) == 408
    assert 0.2 < time.monotonic() - started < 3


def test_an_idle_keep_alive_connection_is_closed(make_server: MakeServer) -> None:
    server = make_server(http_idle_timeout=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        answer = read_answer(sock, quiet=3)  # reads until the server closes
    assert status_of(answer) == 200
    assert 0.2 < time.monotonic() - started < 3


def test_metrics_loopback_on_and_off(make_server: MakeServer) -> None:
    server = make_server()
    answer = get(server.port, "/metrics")
    assert status_of(answer) == 200  # the tests connect from 127.0.0.1
    text = body_of(answer).decode()
    for name in (
        "parley_connections",
        "parley_users_online",
        "parley_registered_users",
        "parley_messages_in_total",
        "parley_deliveries_total",
        "parley_drops_total",
        "parley_store_commit_seconds_bucket",
        "parley_event_loop_lag_seconds_bucket",
    ):
        assert name in text
    assert 'parley_connections{door="web"}' in text
    off = make_server(metrics="off")
    assert status_of(get(off.port, "/metrics")) == 404


def test_metrics_count_connections_and_drops(server: ServerThread) -> None:
    client = WebClient(server.port)
    client.sign_in("counted")
    text = body_of(get(server.port, "/metrics")).decode()
    assert "parley_users_online 1.0" in text
    client.close()


@pytest.mark.parametrize(
    ("origin", "status"),
    [(None, 403), ("http://evil.example", 403), ("http://127.0.0.1:1", 403)],
)
def test_upgrade_from_another_origin_is_403(
    server: ServerThread, origin: str | None, status: int
) -> None:
    origin_line = f"Origin: {origin}\r\n" if origin else ""
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: parley.v1\r\n{origin_line}\r\n"
    )
    answer = http_request(server.port, request.encode())
    assert status_of(answer) == status
    assert (header(answer, "Content-Security-Policy") or "").startswith(CSP_START)


def test_upgrade_from_a_listed_origin_works(make_server: MakeServer) -> None:
    server = make_server(web_origins=("https://chat.example.org",))
    client = WebClient(server.port, origin="https://chat.example.org")
    assert client.hello["type"] == "hello"
    client.close()


def test_upgrade_without_the_subprotocol_is_400(server: ServerThread) -> None:
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{server.port}\r\n\r\n"
    )
    answer = http_request(server.port, request.encode())
    assert status_of(answer) == 400
    assert header(answer, "Sec-WebSocket-Accept") is None


def test_healthz_is_503_while_shutting_down(server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(read_answer(sock, quiet=0.3)) == 200
        assert server.server is not None
        server.call(server.server.request_shutdown)
        time.sleep(0.1)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        read_answer(sock, quiet=0.5)  # closed by the shutdown: nothing or a 503


def test_http_port_serves_the_web_door(make_server: MakeServer) -> None:
    server = make_server(http_port=0)
    assert server.loop is not None and server.server is not None
    started = asyncio.run_coroutine_threadsafe(listen_http(server.server), server.loop)
    listener = started.result(5)
    assert listener is not None and listener.port != server.port
    assert status_of(get(listener.port, "/healthz")) == 200
    web = WebClient(listener.port)
    assert web.sign_in("porter")["type"] == "welcome"
    web.close()
    server.loop.call_soon_threadsafe(listener.close)
