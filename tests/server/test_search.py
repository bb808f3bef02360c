"""Search at the socket: CHAT/1.0's ``SEARCH`` and the plain door's ``/search`` find what the
asker may read (rooms they are in, their own conversations) and nothing else, on SQLite (its
FTS5 index) and in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import LineClient, MakeServer, ServerThread

OK = b"200 Registration successful"


@pytest.fixture(params=["sqlite", "memory"])
def server(request: pytest.FixtureRequest, make_server: MakeServer, tmp_path: Path) -> ServerThread:
    if request.param == "memory":
        return make_server(greet_delay=0.2)
    return make_server(greet_delay=0.2, ephemeral=False, data_dir=tmp_path / "data")


def client(server: ServerThread, name: str) -> LineClient:
    connection = LineClient(server.port)
    assert connection.register(name) == OK
    connection.send(b"EXTEND rooms dm search ack CHAT/1.0\n")
    assert connection.line().startswith(b"210 ")
    return connection


def found(connection: LineClient, query: str) -> list[bytes]:
    """The lines a SEARCH returns (without ids and times), up to its end line."""
    connection.send(f"SEARCH {query} CHAT/1.0\n".encode())
    lines = []
    while not (line := connection.line()).startswith(b"263 "):
        assert line.startswith(b"262 "), line
        lines.append(line.split(b" ", 3)[3])
    assert line == f"263 End of search: {len(lines)} found".encode()
    return lines


def stored(connection: LineClient, count: int) -> None:
    """Wait for `count` acknowledgements (what others said meanwhile goes by)."""
    acks = 0
    while acks < count:
        acks += connection.line().startswith(b"240 Stored")


def test_search_finds_only_what_the_asker_may_read(server: ServerThread) -> None:
    ann, bob, cid = client(server, "ann"), client(server, "bob"), client(server, "cid")
    for person, room in ((ann, "dev"), (bob, "dev"), (cid, "ops")):
        person.send(f"JOIN {room} CHAT/1.0\n".encode())
        assert person.line() == f"220 Joined {room}".encode()
    ann.send(b"@ann #dev: the Deployment is done\n@ann: deploy notes in the lobby\n")
    stored(ann, 2)
    cid.send(b"@cid #ops: deploy secrets of ops\n@cid > bob: deploy key for bob only\n")
    stored(cid, 2)
    bob.send(b"@bob > ann: where is the deploy log?\n")
    stored(bob, 1)
    assert ann.line() == b"@bob > ann: where is the deploy log?"
    assert found(ann, "deploy") == [
        b"@ann #dev: the Deployment is done",
        b"@ann: deploy notes in the lobby",
        b"@bob > ann: where is the deploy log?",
    ]
    assert found(ann, "deploy #dev") == [b"@ann #dev: the Deployment is done"]
    assert found(ann, "DEPLOY log @bob") == [b"@bob > ann: where is the deploy log?"]
    assert found(ann, "secrets") == []  # ops: not a member
    assert found(ann, "key @cid") == []  # cid's conversation with bob is not ann's
    ann.send(b"SEARCH deploy #ops CHAT/1.0\n")
    assert ann.line() == b"411 Not in room ops"
    assert found(bob, "deploy key") == [b"@cid > bob: deploy key for bob only"]


def test_a_search_needs_words_and_the_extension(server: ServerThread) -> None:
    ann = client(server, "ann")
    ann.send(b"SEARCH CHAT/1.0\n")
    assert ann.line() == b"404 Unknown command (SEARCH words [#room|@user])"
    ann.send(b"SEARCH ... CHAT/1.0\n")  # no word in it
    assert ann.line() == b"404 Unknown command"
    plain_client = LineClient(server.port)
    assert plain_client.register("dan") == OK
    plain_client.send(b"SEARCH deploy CHAT/1.0\n")
    assert plain_client.line() == b"404 Unknown command (send 'EXTEND search CHAT/1.0' first)"


def test_the_plain_door_searches_too(server: ServerThread) -> None:
    ann = client(server, "ann")
    ann.send(b"@ann: release train leaves at noon\n")
    stored(ann, 1)
    person = LineClient(server.port)
    person.send(b"eve\n")
    person.send(b"/search Release\n")
    while not (line := person.line()).startswith(b"--- "):
        pass  # the welcome, and what the lobby said before
    assert line == b"--- 1 messages found (everywhere) ---"
    assert person.line().endswith(b"ann: release train leaves at noon")
    assert person.line() == b"--- end of search ---"
    person.send(b"/search nothing-here #nowhere\n")
    assert person.line() == b"! You are not in room nowhere."
