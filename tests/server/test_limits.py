"""Hostile and broken clients against a real server: floods, slow readers, slowloris,
connection and registration limits, descriptor leaks. Everyone else keeps being served."""

from __future__ import annotations

import os
import socket
import threading
import time

from tests.server.conftest import LineClient, MakeServer, ServerThread, wait_for

OK = b"200 Registration successful"


def registered(port: int, name: str) -> LineClient:
    client = LineClient(port)
    assert client.register(name) == OK
    return client


def test_flooder_is_slowed_told_and_dropped_while_others_chat(make_server: MakeServer) -> None:
    server = make_server(flood_rate=5, flood_burst=5, flood_kick_after=1.0)
    flooder, alice, bob = (registered(server.port, n) for n in ("flooder", "alice", "bob"))
    flooder.send(b"".join(f"@flooder: spam {k}\n".encode() for k in range(500)))
    assert flooder.line() == b"429 You are sending too fast; lines are delayed to 5/s."
    alice.send(b"@alice: are you there bob?\n")
    lines = [bob.line() for _ in range(5)]  # REGISTER and 4 lines used the burst of 5
    assert lines[:4] == [f"@flooder: spam {k}".encode() for k in range(4)]
    assert lines[4] == b"@alice: are you there bob?"  # not stuck behind the flood
    assert wait_for(lambda: "flooder" not in server.who(), timeout=5)
    tail = []
    while (line := flooder.line()) != b"DISCONNECT CHAT/1.0":  # told, then dropped
        tail.append(line)
    assert tail == [b"@alice: are you there bob?"]
    assert flooder.closed()
    bob.send(b"@bob: yes\n")
    while (line := alice.line()) != b"@bob: yes":
        assert line.startswith(b"@flooder: spam")


def test_flood_notice_is_a_numbered_reply(make_server: MakeServer) -> None:
    server = make_server(flood_rate=5, flood_burst=2)
    client = registered(server.port, "fast")
    client.send(b"WHO CHAT/1.0\n" * 5)
    replies = client.lines(2)
    assert replies[0] == b"404 Unknown command (send 'EXTEND who CHAT/1.0' first)"
    assert replies[1] == b"429 You are sending too fast; lines are delayed to 5/s."


class QueuedBytes:
    """Samples, from another thread, the bytes the server holds for all its clients."""

    def __init__(self, server: ServerThread) -> None:
        self.most = 0
        self._server = server
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while self._running:
            chat = self._server.server
            assert chat is not None
            total = sum(c.queued_bytes() for c in chat.connections())
            self.most = max(self.most, total)
            time.sleep(0.005)

    def stop(self) -> int:
        self._running = False
        self._thread.join()
        return self.most


def receive_bytes(sock: socket.socket, count: int, out: list[int]) -> None:
    """Read exactly `count` bytes (or until EOF), counting them in `out`."""
    got = 0
    sock.settimeout(20)
    while got < count:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    out.append(got)


def test_reader_that_never_reads_is_dropped_while_fifty_chat(make_server: MakeServer) -> None:
    server = make_server(write_soft_limit=16 * 1024, write_hard_limit=64 * 1024, flood_rate=0)
    stuck = socket.socket()
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    stuck.connect(("127.0.0.1", server.port))
    stuck.sendall(b"REGISTER stuck CHAT/1.0\n")
    chatters = [registered(server.port, f"user{i:02d}") for i in range(50)]
    queued = QueuedBytes(server)
    per_sender, size = 20, 3000
    line_length = len(f"@user00: {'x' * size}\n")
    expected = 49 * per_sender * line_length
    totals: list[int] = []
    readers = [
        threading.Thread(target=receive_bytes, args=(c.sock, expected, totals)) for c in chatters
    ]
    for reader in readers:
        reader.start()
    for _ in range(per_sender):
        for i, chatter in enumerate(chatters):
            chatter.send(f"@user{i:02d}: {'x' * size}\n".encode())
    for reader in readers:
        reader.join(30)
    assert totals == [expected] * 50  # every chatter got every message
    assert wait_for(lambda: "stuck" not in server.who())
    # 147 MB went through the server; what it held for clients stayed near the hard limit.
    assert queued.stop() < 2 * 1024 * 1024
    assert server.server is not None
    assert wait_for(lambda: server.server is not None and server.server.connection_count == 50)
    stuck.close()


def test_silent_connection_dropped_after_registration_timeout(make_server: MakeServer) -> None:
    server = make_server(register_timeout=0.5, greet_delay=5)
    lazy = LineClient(server.port)
    alice = registered(server.port, "alice")
    assert lazy.line(timeout=3) == b"DISCONNECT CHAT/1.0"
    assert lazy.closed()
    alice.send(b"WHO CHAT/1.0\n")
    assert alice.line() == b"404 Unknown command (send 'EXTEND who CHAT/1.0' first)"


def test_connections_per_address_limited(make_server: MakeServer) -> None:
    server = make_server(max_per_address=3)
    first = [LineClient(server.port) for _ in range(3)]
    extra = LineClient(server.port)
    assert extra.line() == b"503 Connection refused: too many connections from your address"
    assert extra.closed()
    first[0].close()
    assert wait_for(lambda: server.server is not None and server.server.connection_count <= 3)
    assert registered(server.port, "later").sock


def test_total_connections_limited(make_server: MakeServer) -> None:
    server = make_server(max_connections=2)
    kept = [registered(server.port, "a"), registered(server.port, "b")]
    extra = LineClient(server.port)
    assert extra.line() == b"503 Connection refused: server full"
    assert len(kept) == 2


def test_registrations_per_address_limited(make_server: MakeServer) -> None:
    server = make_server(registrations_per_minute=3)
    client = LineClient(server.port)
    assert client.register("taken") == OK
    other = LineClient(server.port)
    assert other.register("taken") == b"401 Client already registered"
    assert other.register("taken") == b"401 Client already registered"
    assert other.register("fresh") == (
        b"429 Too many registrations from your address; try again in a minute"
    )


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_two_thousand_connections_open_and_close_without_leaks(make_server: MakeServer) -> None:
    server = make_server(max_per_address=0, registrations_per_minute=0, flood_rate=0)
    assert server.server is not None

    def churn(count: int) -> None:
        for i in range(count):
            client = socket.create_connection(("127.0.0.1", server.port))
            client.sendall(f"REGISTER churn{i % 7} CHAT/1.0\n".encode())
            client.recv(100)
            client.close()

    # Warm up the allocator and caches: the process's high-water mark is reached within the
    # first thousands of connections (about 4 MiB), and a leak shows as growth after it.
    churn(2000)
    assert wait_for(lambda: server.server is not None and server.server.connection_count == 0)
    fds, rss = fd_count(), rss_kib()
    churn(2000)
    assert wait_for(lambda: server.server is not None and server.server.connection_count == 0)
    assert server.who() == []
    assert fd_count() <= fds + 2
    assert rss_kib() - rss < 4096, "RSS grew by more than 4 MiB over 2,000 connections"
