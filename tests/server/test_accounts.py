"""Password accounts over real sockets: CHAT/1.0 and plain door alike."""

from __future__ import annotations

import pytest

from parley.protocol.chat1 import encode_password, encode_queued_unclaimed
from tests.server.conftest import LineClient, MakeServer, ServerThread


def unclaimed(name: str) -> bytes:
    """The 230 for a name without an account (the sender is warned)."""
    return encode_queued_unclaimed(name).rstrip(b"\n")


OK = b"200 Registration successful"
SECRET = "correct horse battery"


@pytest.fixture
def server(make_server: MakeServer) -> ServerThread:
    return make_server(greet_delay=0.2, fragment_pause=0.1)


def chat1(server: ServerThread, *extensions: str) -> LineClient:
    client = LineClient(server.port)
    if extensions:
        client.send(f"EXTEND {' '.join(extensions)} CHAT/1.0\n".encode())
        assert client.line().startswith(b"210 ")
    return client


def signup(server: ServerThread, name: str, password: str = SECRET) -> LineClient:
    client = chat1(server, "auth", "dm")
    client.send(f"SIGNUP {name} {encode_password(password)} CHAT/1.0\n".encode())
    assert client.line() == OK
    return client


def account_line(action: str, *passwords: str) -> bytes:
    encoded = " ".join(encode_password(p) for p in passwords)
    return f"ACCOUNT {action} {encoded} CHAT/1.0\n".encode()


def login_line(name: str, password: str) -> bytes:
    return f"LOGIN {name} {encode_password(password)} CHAT/1.0\n".encode()


def test_account_protects_the_name(server: ServerThread) -> None:
    signup(server, "alice").close()
    strict = chat1(server)
    assert strict.register("alice") == b"401 Client already registered"
    aware = chat1(server, "auth")
    assert aware.register("alice") == b"406 Password required"
    aware.send(login_line("alice", "wrong password"))
    assert aware.line() == b"407 Invalid name or password"
    aware.send(login_line("ALICE", SECRET))
    assert aware.line() == OK


def test_unknown_name_and_wrong_password_look_the_same(server: ServerThread) -> None:
    signup(server, "alice").close()
    client = chat1(server, "auth")
    client.send(login_line("alice", "not the password"))
    wrong = client.line()
    client.send(login_line("nobody", "not the password"))
    assert client.line() == wrong == b"407 Invalid name or password"


def test_failed_logins_are_slowed_down(server: ServerThread) -> None:
    signup(server, "alice").close()
    client = chat1(server, "auth")
    replies = []
    for _ in range(5):
        client.send(login_line("alice", "guess guess"))
        replies.append(client.line())
    assert replies[:3] == [b"407 Invalid name or password"] * 3
    assert replies[3].startswith(b"429 Too many failed attempts; wait ")
    client.send(login_line("alice", SECRET))  # even the right password waits now
    assert client.line().startswith(b"429 ")


def test_change_and_delete_password(server: ServerThread) -> None:
    alice = signup(server, "alice")
    new = "an even better password"
    alice.send(account_line("PASSWORD", "wrong one!", new))
    assert alice.line() == b"407 Invalid name or password"
    alice.send(account_line("PASSWORD", SECRET, new))
    assert alice.line() == b"271 Password changed"
    alice.close()
    again = chat1(server, "auth")
    again.send(login_line("alice", new))
    assert again.line() == OK
    again.send(f"ACCOUNT DELETE {encode_password(new)} CHAT/1.0\n".encode())
    assert again.line() == b"272 Account deleted"
    again.close()
    assert chat1(server).register("bob") == OK
    free = chat1(server)
    for _ in range(50):  # the name is first-come again once alice has gone
        if free.register("alice") == OK:
            break
    else:
        raise AssertionError("alice never became free")


def test_claim_a_registered_name_and_bad_passwords(server: ServerThread) -> None:
    carol = chat1(server, "auth")
    assert carol.register("carol") == OK
    carol.send(f"ACCOUNT CREATE {encode_password('short')} CHAT/1.0\n".encode())
    assert carol.line().startswith(b"408 Unacceptable password")
    carol.send(f"ACCOUNT CREATE {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert carol.line() == b"270 Account created"
    carol.send(f"ACCOUNT CREATE {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert carol.line() == b"401 Client already registered"
    carol.send(b"ACCOUNT CREATE not-base64!! CHAT/1.0\n")
    assert carol.line().startswith(b"407 ")


def test_offline_messages_for_an_account_wait_for_its_owner(server: ServerThread) -> None:
    signup(server, "dora").close()
    bob = chat1(server, "dm")
    assert bob.register("bob") == OK
    bob.send(b"@bob > dora: first\n@bob > dora: second\n")
    assert bob.lines(2) == [b"230 Queued for dora (offline)"] * 2
    impostor = chat1(server)
    assert impostor.register("dora") == b"401 Client already registered"
    owner = chat1(server, "auth", "dm")
    owner.send(login_line("dora", SECRET))
    assert owner.lines(3) == [OK, b"@bob > dora: first", b"@bob > dora: second"]


def test_plain_door_password_prompt_and_commands(server: ServerThread) -> None:
    signup(server, "erin").close()
    person = LineClient(server.port)
    person.lines(2)
    person.send(b"erin\n")
    assert person.line().startswith(b"Password for erin")
    person.send(b"wrong password\n")
    assert person.lines(2) == [b"! Wrong name or password.", b"Name: "]
    person.send(b"erin\n")
    person.line()
    person.send(f"{SECRET}\n".encode())
    assert person.line().startswith(b"Registration successful. Welcome, erin!")
    person.line()
    person.send(b"/password nope newpassword1\n")
    assert person.line() == b"! Wrong name or password."
    person.send(b"/password onlyone\n")
    assert person.line() == b"! usage: /password OLD NEW"


def test_plain_door_register_command(server: ServerThread) -> None:
    person = LineClient(server.port)
    person.lines(2)
    person.send(b"frank\n")
    person.lines(2)
    person.send(b"/register secretpassword\n")
    assert person.line() == b"Your name frank is now protected by your password."
    person.send(b"/unregister secretpassword\n")
    assert person.line() == b"Account dropped; the name frank is first-come again."


def test_required_accounts(make_server: MakeServer) -> None:
    server = make_server(require_accounts=True, greet_delay=0.2)
    strict = chat1(server)
    assert strict.register("gina") == b"401 Client already registered"
    signup(server, "gina").close()
    person = LineClient(server.port)
    person.lines(2)
    person.send(b"hank\n")
    assert person.line() == b"This server needs an account. Choose a password for hank:"
    person.send(b"a fine password\n")
    assert person.line().startswith(b"Registration successful. Welcome, hank!")
