"""CHAT/1.0 against a real server over loopback: every reply code and relay rule."""

from __future__ import annotations

import threading
import time

from tests.server.conftest import Connect, LineClient, MakeServer, ServerThread, wait_for

OK = b"200 Registration successful"
INVALID = b"400 Invalid registration"
TAKEN = b"401 Client already registered"


def test_register_ok_and_crlf_accepted(connect: Connect) -> None:
    client = connect()
    client.send(b"REGISTER alice CHAT/1.0\r\n")
    assert client.line() == OK


def test_invalid_registrations_get_400_and_may_retry(connect: Connect) -> None:
    client = connect()
    for bad in (
        b"REGISTER alice\n",
        b"REGISTER alice CHAT/9.9\n",
        b"REGISTER two words CHAT/1.0\n",
        b"REGISTER server CHAT/1.0\n",
        b"REGISTER " + b"x" * 40 + b" CHAT/1.0\n",
        b"hello there\n",
        b"@alice: hi before registering\n",
    ):
        client.send(bad)
        assert client.line() == INVALID, bad
    assert client.register("alice") == OK


def test_name_in_use_gets_401_case_insensitively(connect: Connect) -> None:
    connect("alice")
    other = connect()
    assert other.register("alice") == TAKEN
    assert other.register("ALICE") == TAKEN
    assert other.register("bob") == OK
    assert other.register("carol") == TAKEN  # already registered on this connection


def test_look_alike_name_cannot_impersonate(connect: Connect) -> None:
    connect("alice")
    other = connect()
    assert other.register("\u0430lice") == INVALID  # Cyrillic a among Latin: mixed script
    assert other.register("\uff41lice") == TAKEN  # full-width a: the same name
    assert other.register("\u0251lice") == TAKEN  # Latin alpha: confusable with a


def test_message_relayed_to_every_other_client_not_the_sender(connect: Connect) -> None:
    alice, bob, carol = connect("alice"), connect("bob"), connect("carol")
    alice.send(b"@alice: Hello everyone!\n")
    assert bob.line() == b"@alice: Hello everyone!"
    assert carol.line() == b"@alice: Hello everyone!"
    assert alice.silent()


def test_unregistered_connection_receives_nothing(connect: Connect) -> None:
    lurker = connect()
    alice, bob = connect("alice"), connect("bob")
    alice.send(b"@alice: hi\n")
    assert bob.line() == b"@alice: hi"
    assert lurker.silent()


def test_impersonation_refused_and_not_relayed(connect: Connect) -> None:
    alice, bob = connect("alice"), connect("bob")
    alice.send(b"@bob: I am bob\n")
    assert alice.line() == b"403 Sender does not match registration"
    assert bob.silent()
    alice.send(b"@Alice: case is fine\n")
    assert bob.line() == b"@alice: case is fine"


def test_disconnect_frees_name_without_reply(server: ServerThread, connect: Connect) -> None:
    alice = connect("alice")
    alice.send(b"DISCONNECT alice CHAT/1.0\n")
    assert alice.closed()
    assert wait_for(lambda: server.who() == [])
    assert connect().register("alice") == OK


def test_disconnect_with_another_name_refused(connect: Connect) -> None:
    alice = connect("alice")
    connect("bob")
    alice.send(b"DISCONNECT bob CHAT/1.0\n")
    assert alice.line() == b"403 Sender does not match registration"


def test_abrupt_close_frees_name(server: ServerThread, connect: Connect) -> None:
    alice = connect("alice")
    bob = connect("bob")
    alice.close()
    assert wait_for(lambda: server.who() == ["bob"])
    assert connect().register("alice") == OK
    bob.send(b"@bob: still here\n")


def test_shutdown_sends_disconnect_to_everyone(server: ServerThread, connect: Connect) -> None:
    clients = [connect(f"user{i}") for i in range(5)]
    unregistered = connect()
    assert server.server is not None
    assert wait_for(lambda: server.server is not None and server.server.connection_count == 6)
    took = server.stop()
    assert took < 2.0
    for client in [*clients, unregistered]:
        assert client.line() == b"DISCONNECT CHAT/1.0"
        assert client.closed()


def test_oversize_line_answered_while_others_carry_on(connect: Connect) -> None:
    alice, bob = connect("alice"), connect("bob")
    alice.send(b"@alice: " + b"x" * 20000 + b"\n")
    assert alice.line() == b"413 Line too long (limit 8192 bytes)"
    bob.send(b"@bob: unaffected\n")
    assert alice.line() == b"@bob: unaffected"
    alice.send(b"@alice: and I still work\n")
    assert bob.line() == b"@alice: and I still work"


def test_invalid_utf8_answered_while_others_carry_on(connect: Connect) -> None:
    alice, bob = connect("alice"), connect("bob")
    alice.send(b"@alice: caf\xe9\n")
    assert alice.line() == b"415 Invalid UTF-8"
    assert bob.silent()
    alice.send("@alice: café ☕\n".encode())
    assert bob.line() == "@alice: café ☕".encode()


def test_unknown_command_after_registration(connect: Connect) -> None:
    alice = connect("alice")
    alice.send(b"just text\n")
    assert alice.line() == b"404 Unknown command"


def test_terminal_escapes_never_reach_others(connect: Connect) -> None:
    alice, bob = connect("alice"), connect("bob")
    alice.send(b"@alice: \x1b[2Jgotcha\rforged\n")
    assert bob.line() == "@alice: \ufffd[2Jgotcha".encode()  # a bare CR ends a line
    assert alice.line() == b"404 Unknown command"  # "forged" is not a command
    assert bob.silent()


def test_message_split_across_writes(connect: Connect) -> None:
    alice, bob = connect("alice"), connect("bob")
    for piece in (b"@ali", b"ce: hel", b"lo\r", b"\n"):
        alice.send(piece)
        time.sleep(0.02)
    assert bob.line() == b"@alice: hello"


def test_fifty_clients_each_receive_every_message_exactly_once(connect: Connect) -> None:
    clients = [connect(f"user{i:02d}") for i in range(50)]
    per_sender = 3
    expected = {f"@user{i:02d}: message {k}".encode() for i in range(50) for k in range(per_sender)}
    received: dict[int, list[bytes]] = {}

    def read_all(index: int, client: LineClient) -> None:
        received[index] = client.lines((50 - 1) * per_sender, timeout=10)

    readers = [threading.Thread(target=read_all, args=(i, c)) for i, c in enumerate(clients)]
    for reader in readers:
        reader.start()
    for k in range(per_sender):
        for i, client in enumerate(clients):
            client.send(f"@user{i:02d}: message {k}\n".encode())
    for reader in readers:
        reader.join(15)
    for i, client in enumerate(clients):
        lines = received[i]
        assert len(lines) == len(set(lines)) == 49 * per_sender
        assert set(lines) == {m for m in expected if not m.startswith(f"@user{i:02d}:".encode())}
        assert client.silent(0.05)


def test_order_from_one_sender_is_kept(make_server: MakeServer) -> None:
    server = make_server(flood_rate=0)
    alice, bob = LineClient(server.port), LineClient(server.port)
    alice.register("alice")
    bob.register("bob")
    for k in range(200):
        alice.send(f"@alice: {k}\n".encode())
    assert bob.lines(200) == [f"@alice: {k}".encode() for k in range(200)]


def test_reader_that_never_reads_is_dropped_others_unaffected(make_server: MakeServer) -> None:
    server = make_server(write_soft_limit=16 * 1024, write_hard_limit=64 * 1024, flood_rate=0)
    stuck = LineClient(server.port)
    assert stuck.register("stuck") == OK
    alice, bob = LineClient(server.port), LineClient(server.port)
    assert alice.register("alice") == OK
    assert bob.register("bob") == OK
    payload = "y" * 4000
    for k in range(4000):  # 16 MB: more than the kernel's socket buffers can absorb
        alice.send(f"@alice: {k} {payload}\n".encode())
        assert bob.line() == f"@alice: {k} {payload}".encode()
    assert wait_for(lambda: "stuck" not in server.who())
    for client in (stuck, alice, bob):
        client.close()
