"""Our client against strict seed-004 servers that treat EXTEND in different ways.

The client asks for extensions in the same write as its REGISTER, so that a seed-004 server
never receives EXTEND from a registered client (a naive one relays every line to everyone).
These servers are real sockets written to seed 004's words, each reacting to the early
EXTEND the way a student's server might.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.client.processes import run_client


@contextmanager
def strict_server(*, hang_up_on_bad_first_line: bool) -> Iterator[tuple[str, list[bytes]]]:
    """A seed-004 server: ``400 Invalid registration`` to a bad first line (and, if asked,
    the connection closed); ``200`` to REGISTER; every later line relayed back to nobody but
    recorded, so a test sees exactly what it was sent."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            registered = False
            for raw in lines:
                line = raw.rstrip(b"\r\n")
                seen.append(line)
                if not registered and line.startswith(b"REGISTER "):
                    conn.sendall(b"200 Registration successful\n")
                    registered = True
                elif not registered:
                    conn.sendall(b"400 Invalid registration\n")
                    if hang_up_on_bad_first_line:
                        return
                elif line.startswith(b"DISCONNECT"):
                    return

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"chat://127.0.0.1:{listener.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def test_server_that_refuses_the_early_extend_and_carries_on() -> None:
    with strict_server(hang_up_on_bad_first_line=False) as (address, seen):
        result = run_client("alice", address, stdin_text="hello\n")
    assert result.status == 0, result.stderr
    assert seen[1:] == [b"REGISTER alice CHAT/1.0", b"@alice: hello", b"DISCONNECT alice CHAT/1.0"]
    assert seen[0].startswith(b"EXTEND ")
    assert not any(b"EXTEND" in line for line in seen[1:])  # never after registering


def test_server_that_hangs_up_on_the_early_extend_gets_a_plain_retry() -> None:
    with strict_server(hang_up_on_bad_first_line=True) as (address, seen):
        result = run_client("alice", address, stdin_text="hello\n")
    assert result.status == 0, result.stderr
    assert seen[0].startswith(b"EXTEND ")
    assert seen[-3:] == [b"REGISTER alice CHAT/1.0", b"@alice: hello", b"DISCONNECT alice CHAT/1.0"]
    assert sum(line.startswith(b"EXTEND") for line in seen) == 1
