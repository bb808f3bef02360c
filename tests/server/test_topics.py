"""Room topics: set, shown to joiners, announced to members, kept across a restart."""

from __future__ import annotations

from pathlib import Path

from parley.protocol.chat1 import encode_password
from tests.server.conftest import LineClient, MakeServer, ServerThread

OK = b"200 Registration successful"


def extended(server: ServerThread, name: str) -> LineClient:
    client = LineClient(server.port)
    assert client.register(name) == OK
    client.send(b"EXTEND rooms CHAT/1.0\n")
    assert client.line() == b"210 Extensions enabled: rooms"
    return client


def test_topic_set_announced_and_shown_to_joiners(make_server: MakeServer) -> None:
    server = make_server()
    alice, bob = extended(server, "alice"), extended(server, "bob")
    alice.send(b"JOIN teamchat CHAT/1.0\n")
    assert alice.line() == b"220 Joined teamchat"
    alice.send(b"TOPIC teamchat   Release  on Friday! CHAT/1.0\n")
    assert alice.line() == b"280 teamchat Release  on Friday!"
    bob.send(b"JOIN #teamchat CHAT/1.0\n")
    assert bob.lines(2) == [b"220 Joined teamchat", b"280 teamchat Release  on Friday!"]
    bob.send(b"TOPIC teamchat CHAT/1.0\n")
    assert bob.line() == b"280 teamchat Release  on Friday!"
    bob.send(b"TOPIC lobby anything CHAT/1.0\n")
    assert bob.line() == b"418 Everyone stays in the lobby"
    carol = extended(server, "carol")
    carol.send(b"TOPIC teamchat hijack CHAT/1.0\n")
    assert carol.line() == b"411 Not in room teamchat"
    carol.send(b"JOIN bad/name CHAT/1.0\n")
    assert carol.line() == b"412 Invalid room name bad/name"


def test_plain_door_topic(make_server: MakeServer) -> None:
    server = make_server(greet_delay=0.1)
    alice = extended(server, "alice")
    alice.send(b"JOIN dev CHAT/1.0\n")
    alice.line()
    person = LineClient(server.port)
    person.lines(2)
    person.send(b"zoe\n")
    person.lines(2)
    person.send(b"/join dev\n")
    person.lines(2)
    person.send(b"/topic Ship it\n")
    assert person.line() == b"* zoe set the topic of dev: Ship it"
    assert alice.line() == b"280 dev Ship it"
    person.send(b"/topic\n")
    assert person.line() == b"Topic of dev: Ship it"


def test_topic_survives_restart(make_server: MakeServer, tmp_path: Path) -> None:
    first = make_server(ephemeral=False, data_dir=tmp_path)
    owner = LineClient(first.port)
    owner.send(b"EXTEND rooms auth CHAT/1.0\n")
    owner.line()
    owner.send(f"SIGNUP ann {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == OK
    owner.send(b"JOIN ops CHAT/1.0\nTOPIC ops on call: ann CHAT/1.0\n")
    assert owner.lines(2) == [b"220 Joined ops", b"280 ops on call: ann"]
    owner.close()
    first.stop()
    second = make_server(ephemeral=False, data_dir=tmp_path)
    again = LineClient(second.port)
    again.send(b"EXTEND rooms who auth CHAT/1.0\n")
    again.line()
    again.send(f"LOGIN ann {encode_password('a long password')} CHAT/1.0\n".encode())
    assert again.line() == OK
    again.send(b"TOPIC ops CHAT/1.0\n")
    assert again.line() == b"280 ops on call: ann"  # restored from the store on rejoin
    again.send(b"ROOMS CHAT/1.0\n")
    assert again.lines(3) == [b"251 lobby ann", b"251 ops ann", b"252 End of rooms"]
    newcomer = extended(second, "ned")
    newcomer.send(b"JOIN ops CHAT/1.0\n")
    assert newcomer.lines(2) == [b"220 Joined ops", b"280 ops on call: ann"]
