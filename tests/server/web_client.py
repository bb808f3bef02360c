"""A small typed client of the web door for socket tests: the chat WebSocket and raw HTTP.

`WebClient` speaks the page's JSON protocol over a real WebSocket (the `websockets` library's
client, the same sans-I/O protocol core the server uses, in its blocking form, since the
server runs in a thread of its own); `http_request` sends raw bytes and reads one answer.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

Message = dict[str, Any]


class WebClient:
    """One page's WebSocket, with helpers to sign in and wait for messages."""

    def __init__(
        self,
        port: int,
        *,
        origin: str | None = "default",
        subprotocols: list[str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        if origin == "default":
            origin = f"http://{host}:{port}"
        offered = ["parley.v1"] if subprotocols is None else subprotocols
        self.ws: ClientConnection = connect(
            f"ws://{host}:{port}/ws",
            origin=Origin(origin) if origin is not None else None,
            subprotocols=[Subprotocol(name) for name in offered],
            open_timeout=5,
            max_size=2**22,
            legacy=True,
        )
        self._req = 0
        self.seen: list[Message] = []
        self._skipped: list[Message] = []
        self.hello = self.next()

    def send(self, message: Message) -> int:
        """Send `message` with a fresh ``req``; return it."""
        self._req += 1
        self.ws.send(json.dumps({**message, "req": self._req}))
        return self._req

    def send_raw(self, data: str | bytes) -> None:
        self.ws.send(data)

    def next(self, timeout: float = 5.0) -> Message:
        """The next message from the server (ones skipped by `wait` first)."""
        if self._skipped:
            return self._skipped.pop(0)
        return self._receive(timeout)

    def _receive(self, timeout: float) -> Message:
        value = json.loads(self.ws.recv(timeout))
        assert isinstance(value, dict)
        self.seen.append(value)
        return value

    def wait(self, timeout: float = 5.0, **fields: object) -> Message:
        """The first message whose fields include `fields`; the others stay for later."""
        for index, message in enumerate(self._skipped):
            if all(message.get(k) == v for k, v in fields.items()):
                return self._skipped.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no message with {fields}; saw {self.seen[-5:]}")
            message = self._receive(left)
            if all(message.get(k) == v for k, v in fields.items()):
                return message
            self._skipped.append(message)

    def answer(self, req: int, timeout: float = 5.0) -> Message:
        """The answer to request `req`."""
        return self.wait(timeout, req=req)

    def request(self, message: Message, timeout: float = 5.0) -> Message:
        return self.answer(self.send(message), timeout)

    def sign_in(self, name: str, password: str | None = None) -> Message:
        body: Message = {"type": "signin", "name": name}
        if password is not None:
            body["password"] = password
        return self.request(body)

    def silent(self, wait: float = 0.3) -> bool:
        """True if nothing arrives within `wait` seconds."""
        try:
            self._skipped.append(self._receive(wait))
        except TimeoutError:
            return True
        return False

    def closed_with(self, timeout: float = 5.0) -> int | None:
        """The close code once the server closes the socket (messages before are skipped)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._receive(deadline - time.monotonic())
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        return None

    def close(self) -> None:
        self.ws.close()


def http_request(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw `data`; return everything the server sends until it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_answer(sock, timeout)


def read_answer(sock: socket.socket, timeout: float = 5.0, quiet: float = 0.5) -> bytes:
    """What `sock` receives until EOF, or until `quiet` seconds without more after a byte."""
    received = b""
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            sock.settimeout(quiet)
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def get(port: int, path: str, headers: str = "") -> bytes:
    """One GET, with ``Connection: close``."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Connection: close\r\n\r\n"
    return http_request(port, request.encode())


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def header(answer: bytes, name: str) -> str | None:
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def body_of(answer: bytes) -> bytes:
    return answer.partition(b"\r\n\r\n")[2]
