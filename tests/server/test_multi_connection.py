"""One account on two connections at once: both receive, both send, the name stays taken
until the second one leaves; across doors too."""

from __future__ import annotations

from parley.protocol.chat1 import encode_password
from tests.server.conftest import Connect, ServerThread, wait_for

PASSWORD = encode_password("a long password")


def test_two_devices_of_one_account(server: ServerThread, connect: Connect) -> None:
    laptop = connect()
    laptop.send(f"EXTEND rooms dm who auth CHAT/1.0\nSIGNUP ann {PASSWORD} CHAT/1.0\n".encode())
    laptop.lines(2)
    laptop.send(b"JOIN dev CHAT/1.0\n")
    assert laptop.line() == b"220 Joined dev"
    phone = connect()
    phone.send(b"REGISTER ann CHAT/1.0\n")
    assert phone.line() == b"401 Client already registered"  # no password: seed 004's answer
    phone.send(f"EXTEND rooms dm who CHAT/1.0\nLOGIN ann {PASSWORD} CHAT/1.0\n".encode())
    assert phone.lines(2)[1] == b"200 Registration successful"
    phone.send(b"WHO CHAT/1.0\n")
    assert phone.line() == b"250 ann"  # one user, two connections
    bob = connect("bob")
    bob.send(b"@bob: hi ann\n")
    assert laptop.line() == b"@bob: hi ann"
    assert phone.line() == b"@bob: hi ann"
    phone.send(b"@ann #dev: from the phone\n")
    assert laptop.line() == b"@ann #dev: from the phone"
    phone.send(b"@ann: lobby from the phone\n")
    assert laptop.line() == b"@ann: lobby from the phone"
    assert bob.line() == b"@ann: lobby from the phone"
    phone.send(b"@ann > bob: psst\n")
    assert bob.line() == b"@ann: [private] psst"
    assert laptop.line() == b"@ann > bob: psst"  # the laptop sees what the phone sent
    laptop.send(b"DISCONNECT ann CHAT/1.0\n")
    assert laptop.closed()
    other = connect()
    assert other.register("ann") == b"401 Client already registered"
    assert server.who() == ["ann", "bob"]
    phone.send(b"DISCONNECT ann CHAT/1.0\n")
    assert phone.closed()
    assert wait_for(lambda: server.who() == ["bob"])


def test_a_person_on_the_plain_door_joins_an_account_online_elsewhere(
    server: ServerThread, connect: Connect
) -> None:
    from tests.server.conftest import LineClient

    laptop = connect()
    laptop.send(
        f"EXTEND rooms auth CHAT/1.0\nSIGNUP cat {PASSWORD} CHAT/1.0\nJOIN dev CHAT/1.0\n".encode()
    )
    laptop.lines(3)
    person = LineClient(server.port)
    person.send(b"cat\n")
    assert person.line().startswith(b"Password for cat")
    person.send(b"a long password\n")
    assert person.line() == b"Registration successful. Welcome, cat! Nobody else is online."
    assert person.line() == b"Type to chat in the lobby; /help lists the commands."
    assert person.line() == b"You are back in dev (1 here)."
    person.send(b"typed at the terminal\n")
    assert laptop.line() == b"@cat #dev: typed at the terminal"
