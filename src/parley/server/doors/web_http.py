"""The web door's HTTP/1.1 side: h11 driven from the connection, routing, static files.

`HttpSide` feeds the connection's bytes to an `h11.Connection` and answers each request in
turn (h11 holds a pipelined request until the one before is answered): the page and its
files from the package (`parley/web/static/`, read through importlib.resources), `/healthz`,
`/metrics`, and `/ws`, which it hands to the door for the WebSocket handshake. Every answer
carries the same security headers (`SECURITY_HEADERS`), and nothing a client sent is ever
copied into a header.

Limits: a request line and headers of at most `MAX_HEAD` bytes and `MAX_HEADERS` fields
(431), a body of at most `MAX_BODY` bytes (413; bodies are read and dropped, no route takes
one), a request not whole within `http_request_timeout` seconds (408), a keep-alive
connection idle for `http_idle_timeout` seconds between requests (closed).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Protocol

import h11
from websockets.datastructures import Headers
from websockets.http11 import Response

from parley.server.doors.base import Link

MAX_HEAD = 8 * 1024
MAX_HEADERS = 50
MAX_BODY = 8 * 1024
HEALTH_PROBE_TIMEOUT = 2.0
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
    "json": "application/json",
    "webmanifest": "application/manifest+json",
    "woff2": "font/woff2",
    "txt": "text/plain; charset=utf-8",
}
_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_REASONS = {
    200: b"OK", 400: b"Bad Request", 403: b"Forbidden", 404: b"Not Found",
    405: b"Method Not Allowed", 408: b"Request Timeout", 413: b"Content Too Large",
    426: b"Upgrade Required", 431: b"Request Header Fields Too Large",
    500: b"Internal Server Error", 503: b"Service Unavailable",
}  # fmt: skip


class WebLink(Link, Protocol):
    """The connection as the web door sees it: a `Link`, and what HTTP needs besides."""

    reason: str  # why the server is closing the connection (for `bye`)

    @property
    def shutting_down(self) -> bool:
        """Whether the server has begun to shut down (then /healthz is 503)."""

    def metrics_text(self) -> bytes:
        """The server's metrics in Prometheus text format."""

    def before_flush(self, callback: Callable[[], None]) -> None:
        """Call `callback` once, just before queued output is next written."""

    def defer(self, delay: float, callback: Callable[[], None]) -> None:
        """Call `callback` after `delay` seconds, unless a deferred call is already pending."""


def security_headers(content_type: str, length: int) -> list[tuple[str, str]]:
    """The headers of every answer."""
    return [("Content-Type", content_type), ("Content-Length", str(length)), *SECURITY_HEADERS]


def raw_response(status: int, text: str) -> bytes:
    """A complete answer, then the connection closes: for when h11 cannot send one (a request
    that never arrived whole, a request h11 refused)."""
    body = text.encode()
    headers = Headers(security_headers("text/plain; charset=utf-8", len(body)))
    headers["Connection"] = "close"
    reason = _REASONS.get(status, b"Error").decode()
    return Response(status, reason, headers, body).serialize()


_STATIC: dict[str, tuple[bytes, str] | None] = {}


def static_file(name: str) -> tuple[bytes, str] | None:
    """The bytes and content type of `parley/web/static/<name>`, or None (read once)."""
    if name in _STATIC:
        return _STATIC[name]
    found: tuple[bytes, str] | None = None
    kind = CONTENT_TYPES.get(name.rpartition(".")[2])
    if _FILE_NAME.fullmatch(name) and kind is not None:
        entry = resources.files("parley.web").joinpath("static").joinpath(name)
        try:
            found = (entry.read_bytes(), kind) if entry.is_file() else None
        except OSError:
            found = None
    if found is not None or len(_STATIC) < 256:
        _STATIC[name] = found
    return found


def _head_size(request: h11.Request) -> int:
    """The size of `request`'s line and headers as sent (h11 bounds only an incomplete one)."""
    line = len(request.method) + len(request.target) + 12
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers) + 2


Upgrade = Callable[[h11.Request, bytes], tuple[int, str] | None]


class HttpSide:
    """HTTP/1.1 on one connection until it closes or becomes a WebSocket.

    `upgrade(request, trailing)` is called for ``/ws`` once the request is whole; it returns
    None when the connection is a WebSocket from now on (and takes `trailing`, the bytes that
    followed the request), or the status and text of the refusal.
    """

    __slots__ = ("_body", "_busy", "_conn", "_idle", "_link", "_upgrade", "_ws_request", "done")

    def __init__(self, link: WebLink, upgrade: Upgrade) -> None:
        self._link = link
        self._upgrade = upgrade
        self._conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self._busy = False  # a job is answering the current request
        self._body = 0
        self._idle = False
        self._ws_request: h11.Request | None = None
        self.done = False  # closed, or a WebSocket now
        link.schedule(link.config.http_request_timeout, self._timed_out)

    def receive(self, data: bytes) -> None:
        """Bytes from the client (b"" at the end of the stream)."""
        if self._idle and data:  # a new request begins: it has its own time limit
            self._idle = False
            self._link.schedule(self._link.config.http_request_timeout, self._timed_out)
        self._conn.receive_data(data)
        self.pump()

    def pump(self) -> None:
        """Answer every request that has arrived whole, in order."""
        while not self.done and not self._busy:
            try:
                event = self._conn.next_event()
            except h11.RemoteProtocolError as exc:
                self._fail(exc.error_status_hint, "Bad request")
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self._request(event)
            elif isinstance(event, h11.Data):
                self._body += len(event.data)
                if self._body > MAX_BODY:
                    self._fail(413, "Request body too large")
            elif isinstance(event, h11.EndOfMessage):
                self._end_of_request()
            elif isinstance(event, h11.ConnectionClosed):
                self._finish("client disconnected")

    def _request(self, request: h11.Request) -> None:
        self._body = 0
        if len(request.headers) > MAX_HEADERS or _head_size(request) > MAX_HEAD:
            self._fail(431, "Request header fields too large")
            return
        method = request.method
        path = request.target.partition(b"?")[0].decode("ascii", "replace")
        if method not in (b"GET", b"HEAD"):
            self.respond(405, b"Method not allowed\n", close=True, extra=(("Allow", "GET, HEAD"),))
        elif path == "/ws":
            self._ws_request = request  # answered once the request is whole
        else:
            route = _ROUTES.get(path)
            if route is not None:
                route(self, method == b"HEAD")
            elif path.startswith("/static/"):
                self._static(path.removeprefix("/static/"), method == b"HEAD")
            else:
                self.respond(404, b"Not found\n", head=method == b"HEAD")

    def _end_of_request(self) -> None:
        request, self._ws_request = self._ws_request, None
        if request is not None:
            trailing = self._conn.trailing_data[0]
            refusal = self._upgrade(request, trailing)
            if refusal is None:
                self.done = True
                return
            self.respond(refusal[0], refusal[1].encode(), close=True)
        self._next_cycle()

    # Answers -------------------------------------------------------------------------------

    def respond(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        *,
        head: bool = False,
        close: bool = False,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Send one whole answer through h11 (no body for HEAD; `close`: the last one)."""
        headers = [*security_headers(content_type, len(body)), *extra]
        if close:
            headers.append(("Connection", "close"))
        conn = self._conn
        try:
            reason = _REASONS.get(status, b"")
            data = conn.send(h11.Response(status_code=status, headers=headers, reason=reason))
            if body and not head:
                data = (data or b"") + (conn.send(h11.Data(data=body)) or b"")
            data = (data or b"") + (conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            self._fail(500, "Internal error")
            return
        self._link.send(data)
        if conn.our_state is h11.MUST_CLOSE:
            self._finish("http done")
        else:
            self._next_cycle()

    def _next_cycle(self) -> None:
        conn = self._conn
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self._idle = True
            self._link.schedule(self._link.config.http_idle_timeout, self._timed_out)

    def _fail(self, status: int, text: str) -> None:
        """Answer `status` without h11 (it may not be able to) and close."""
        if not self.done:
            self._link.send(raw_response(status, text + "\n"))
            self._finish("bad request")

    def _finish(self, reason: str) -> None:
        self.done = True
        self._link.close(reason, notify=False)

    def _timed_out(self) -> None:
        if self.done or self._busy:
            return
        if self._idle:
            self._finish("idle")
        else:
            self._fail(408, "Request timeout")

    # Routes --------------------------------------------------------------------------------

    def _page(self, head: bool) -> None:
        self._static("index.html", head)

    def _static(self, name: str, head: bool) -> None:
        found = static_file(name)
        if found is None:
            self.respond(404, b"Not found\n", head=head)
        else:
            self.respond(200, found[0], found[1], head=head)

    def _metrics(self, head: bool) -> None:
        mode = self._link.config.metrics
        if mode == "off":
            self.respond(404, b"Not found\n", head=head)
        elif mode == "loopback" and self._link.host not in LOOPBACK:
            self.respond(403, b"Metrics are only served to this machine\n", head=head)
        else:
            body = self._link.metrics_text()
            self.respond(200, body, "text/plain; version=0.0.4; charset=utf-8", head=head)

    def _health(self, head: bool) -> None:
        if self._link.shutting_down:
            self._health_answer("shutting down", head)
            return
        self._busy = True
        self._link.run_job(self._probe(head))

    async def _probe(self, head: bool) -> None:
        """Ask the store something cheap; it answers, or the server is not healthy."""
        status = "ok"
        try:
            store = self._link.core.ports.store
            await asyncio.wait_for(store.offline_count("\x00health"), HEALTH_PROBE_TIMEOUT)
        except Exception:  # any failure of the store is what this reports
            status = "store unavailable"
        self._busy = False
        if not self.done:
            self._health_answer(status, head)
            self.pump()

    def _health_answer(self, status: str, head: bool) -> None:
        body = json.dumps({"status": status}).encode()
        self.respond(200 if status == "ok" else 503, body, "application/json", head=head)


_Route = Callable[[HttpSide, bool], None]
_ROUTES: dict[str, _Route] = {
    "/": HttpSide._page,
    "/index.html": HttpSide._page,
    "/healthz": HttpSide._health,
    "/metrics": HttpSide._metrics,
}
