"""History and acknowledgements over real sockets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.server.conftest import LineClient, MakeServer, ServerThread

OK = b"200 Registration successful"


@pytest.fixture
def server(make_server: MakeServer) -> ServerThread:
    return make_server(greet_delay=0.2, history_lines=3)


def client(server: ServerThread, name: str, extensions: str) -> LineClient:
    connection = LineClient(server.port)
    assert connection.register(name) == OK
    if extensions:
        connection.send(f"EXTEND {extensions} CHAT/1.0\n".encode())
        assert connection.line().startswith(b"210 ")
    return connection


def test_acknowledged_only_after_storing(server: ServerThread) -> None:
    alice = client(server, "alice", "ack")
    bob = client(server, "bob", "")
    alice.send(b"@alice: one\n@alice: two\n")
    acks = alice.lines(2)
    assert all(re.fullmatch(rb"240 Stored \d+", ack) for ack in acks)
    first, second = (int(ack.split()[-1]) for ack in acks)
    assert second > first
    assert bob.lines(2) == [b"@alice: one", b"@alice: two"]


def test_history_request_pages_back(server: ServerThread) -> None:
    alice = client(server, "alice", "history ack")
    for k in range(5):
        alice.send(f"@alice: line {k}\n".encode())
    ids = [int(line.split()[-1]) for line in alice.lines(5)]
    alice.send(b"HISTORY #lobby 2 CHAT/1.0\n")
    newest = alice.lines(3)
    assert [line.split(b" ", 3)[3] for line in newest[:2]] == [b"@alice: line 3", b"@alice: line 4"]
    assert newest[2] == b"261 End of history"
    alice.send(f"HISTORY #lobby 2 {ids[3]} CHAT/1.0\n".encode())
    older = alice.lines(3)
    assert [int(line.split()[1]) for line in older[:2]] == ids[1:3]


def test_joining_a_room_shows_its_recent_lines(server: ServerThread) -> None:
    alice = client(server, "alice", "rooms history ack")
    alice.send(b"JOIN dev CHAT/1.0\n")
    assert alice.lines(2) == [b"220 Joined dev", b"261 End of history"]
    for k in range(5):
        alice.send(f"@alice #dev: dev {k}\n".encode())
    assert all(line.startswith(b"240 Stored") for line in alice.lines(5))
    bob = client(server, "bob", "rooms history")
    bob.send(b"JOIN dev CHAT/1.0\n")
    lines = bob.lines(5)
    assert lines[0] == b"220 Joined dev"
    assert [line.split(b" ", 3)[3] for line in lines[1:4]] == [
        b"@alice #dev: dev 2",
        b"@alice #dev: dev 3",
        b"@alice #dev: dev 4",
    ]
    assert lines[4] == b"261 End of history"


def test_room_history_only_for_members(server: ServerThread) -> None:
    alice = client(server, "alice", "rooms history")
    alice.send(b"JOIN secret CHAT/1.0\n")
    alice.lines(2)
    alice.send(b"@alice #secret: hush\n")
    eve = client(server, "eve", "history")
    eve.send(b"HISTORY #secret CHAT/1.0\n")
    assert eve.line() == b"411 Not in room secret"


def test_direct_history_between_two_users(server: ServerThread) -> None:
    alice = client(server, "alice", "dm history")
    bob = client(server, "bob", "dm")
    alice.send(b"@alice > bob: hello bob\n")
    assert bob.line() == b"@alice > bob: hello bob"
    bob.send(b"@bob > alice: hi alice\n")
    assert alice.line() == b"@bob > alice: hi alice"
    alice.send(b"HISTORY @bob CHAT/1.0\n")
    lines = alice.lines(3)
    assert [line.split(b" ", 3)[3] for line in lines[:2]] == [
        b"@alice > bob: hello bob",
        b"@bob > alice: hi alice",
    ]


def test_plain_door_join_shows_history_and_history_command(server: ServerThread) -> None:
    alice = client(server, "alice", "rooms ack")
    alice.send(b"JOIN team CHAT/1.0\n")
    alice.line()
    for k in range(4):
        alice.send(f"@alice #team: hello {k}\n".encode())
    alice.lines(4)
    person = LineClient(server.port)
    person.lines(2)
    person.send(b"zed\n")
    person.lines(2)
    person.send(b"/join team\n")
    lines = person.lines(7)
    assert lines[1] == b"You are now in team (2 here)."
    assert lines[2] == b"--- the last 3 messages in team ---"
    assert re.fullmatch(rb"\[\d\d:\d\d\] alice \(in team\): hello 1", lines[3])
    assert lines[6] == b"--- end of history ---"
    person.send(b"/history 1\n")
    assert person.lines(3)[1].endswith(b"alice (in team): hello 3")


def test_retention_drops_old_history(make_server: MakeServer, tmp_path: Path) -> None:
    import asyncio
    import threading

    server = make_server(ephemeral=False, data_dir=tmp_path, history_max_mb=0.000001)
    alice = LineClient(server.port)
    alice.send(b"EXTEND history CHAT/1.0\nREGISTER alice CHAT/1.0\n")
    alice.lines(2)
    alice.send(b"@alice: one\n@alice: two\n@alice: three\n")
    assert server.server is not None and server.loop is not None
    done = threading.Event()
    dropped: list[int] = []

    async def trim() -> None:
        assert server.server is not None
        dropped.append(await server.server.trim_history())
        done.set()

    asyncio.run_coroutine_threadsafe(trim(), server.loop)
    assert done.wait(5)
    assert dropped[0] >= 2
    alice.send(b"HISTORY #lobby CHAT/1.0\n")
    lines = []
    while (line := alice.line()) != b"261 End of history":
        lines.append(line)
    assert len(lines) <= 1
