"""A real server on a real SQLite file, killed with SIGKILL in the middle of a burst:
every acknowledged message is in the history afterwards, and every queued direct message is
delivered exactly once."""

from __future__ import annotations

import signal
import socket
import threading
import time
from pathlib import Path

from parley.protocol.chat1 import encode_password, encode_queued_unclaimed
from tests.e2e.procs import Proc, start_server


def unclaimed(name: str) -> bytes:
    """The 230 for a name without an account (the sender is warned)."""
    return encode_queued_unclaimed(name).rstrip(b"\n")


PASSWORD = "carol's long password"


class Wire:
    """A blocking line connection to the server."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.sock.makefile("rb")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def line(self) -> bytes:
        return self.reader.readline().rstrip(b"\n")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def serve(data_dir: Path) -> tuple[Proc, int]:
    return start_server(
        "--data-dir", str(data_dir), "--flood-rate", "0", "--registrations-per-minute", "0"
    )


def stored_ids(port: int) -> set[int]:
    reader = Wire(port)
    reader.send("EXTEND history CHAT/1.0")
    reader.line()
    reader.send("REGISTER auditor CHAT/1.0")
    assert reader.line() == b"200 Registration successful"
    ids: set[int] = set()
    before = ""
    while True:
        reader.send(f"HISTORY #lobby 500 {before} CHAT/1.0".replace("  ", " "))
        page = []
        while (line := reader.line()) != b"261 End of history":
            page.append(int(line.split()[1]))
        ids.update(page)
        if len(page) < 500:
            return ids
        before = str(min(page))


def queue_notes_for_offline_carol(port: int) -> None:
    carol = Wire(port)
    carol.send(f"SIGNUP carol {encode_password(PASSWORD)} CHAT/1.0")
    assert carol.line() == b"200 Registration successful"
    carol.send("DISCONNECT carol CHAT/1.0")
    assert carol.line() == b""  # the server closed: carol is offline now
    carol.close()
    bob = Wire(port)
    bob.send("EXTEND dm CHAT/1.0")
    bob.line()
    bob.send("REGISTER bob CHAT/1.0")
    bob.line()
    for k in range(5):
        bob.send(f"@bob > carol: note {k}")
        assert bob.line() == b"230 Queued for carol (offline)"


def burst_until_killed(proc: Proc, port: int) -> list[int]:
    """Send messages as fast as possible; SIGKILL the server after 1,000 acknowledgements."""
    alice = Wire(port)
    alice.send("EXTEND ack CHAT/1.0")
    alice.line()
    alice.send("REGISTER alice CHAT/1.0")
    alice.line()
    acked: list[int] = []

    def read_acks() -> None:
        try:
            while line := alice.line():
                if line.startswith(b"240 Stored "):
                    acked.append(int(line.split()[-1]))
        except OSError:
            pass  # reset by the killed server

    def burst() -> None:
        try:
            for k in range(20000):
                alice.send(f"@alice: burst {k}")
        except OSError:
            pass  # the server died under us, as planned

    reader = threading.Thread(target=read_acks, daemon=True)
    sender = threading.Thread(target=burst, daemon=True)
    reader.start()
    sender.start()
    deadline = time.monotonic() + 20
    while len(acked) < 1000 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    assert len(acked) >= 1000, "the burst never got going"
    return list(acked)


def login_carol(port: int) -> Wire:
    owner = Wire(port)
    owner.send("EXTEND auth dm who CHAT/1.0")
    owner.line()
    owner.send(f"LOGIN carol {encode_password(PASSWORD)} CHAT/1.0")
    assert owner.line() == b"200 Registration successful"
    return owner


def test_acknowledged_messages_survive_sigkill(tmp_path: Path) -> None:
    proc, port = serve(tmp_path)
    try:
        queue_notes_for_offline_carol(port)
        acked = burst_until_killed(proc, port)
    finally:
        proc.kill()

    proc, port = serve(tmp_path)
    try:
        assert set(acked) <= stored_ids(port)
        owner = login_carol(port)
        assert [owner.line() for _ in range(5)] == [
            f"@bob > carol: note {k}".encode() for k in range(5)
        ]
        owner.send("DISCONNECT carol CHAT/1.0")
        owner.close()
        again = login_carol(port)
        again.send("WHO CHAT/1.0")
        assert again.line().startswith(b"250 ")  # nothing was delivered a second time
    finally:
        proc.kill()
