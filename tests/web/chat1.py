"""A CHAT/1.0 client on a raw socket (docs/protocol.md), for talking to the browsers."""

from __future__ import annotations

import contextlib
import re
import socket
import time


class Chat1Client:
    """Blocking lines with deadlines; `expect` skips lines until one matches."""

    def __init__(self, port: int, name: str, extensions: str = "rooms dm history") -> None:
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._buffer = b""
        self.seen: list[str] = []
        self._pings = 0
        if extensions:
            self.send(f"EXTEND {extensions} CHAT/1.0")
            self.expect(r"^210 ")
        self.send(f"REGISTER {name} CHAT/1.0")
        self.expect(r"^200 Registration successful$")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def line(self, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no line from the server; saw {self.seen!r}")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"server closed the connection; saw {self.seen!r}")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\n")
        text = raw.decode()
        self.seen.append(text)
        return text

    def expect(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """The next line matching `pattern` (others are skipped, and kept in `seen`)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.line(max(0.01, deadline - time.monotonic())))
            if match:
                return match

    def sync(self) -> None:
        """Wait until the server has handled everything sent so far."""
        self._pings += 1
        token = f"sync{self._pings}"
        self.send(f"PING {token} CHAT/1.0")
        self.expect(rf"^290 Pong {token}$")

    def say(self, text: str, room: str | None = None) -> None:
        where = f" #{room}" if room else ""
        self.send(f"@{self.name}{where}: {text}")

    def dm(self, to: str, text: str) -> None:
        self.send(f"@{self.name} > {to}: {text}")

    def join(self, room: str) -> None:
        self.send(f"JOIN {room} CHAT/1.0")
        self.expect(rf"^220 Joined {re.escape(room)}$")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send(f"DISCONNECT {self.name} CHAT/1.0")
        self.sock.close()
