"""CHAT/1.0 extensions over a real socket: negotiation, rooms, direct and offline messages."""

from __future__ import annotations

import re

from parley.protocol.chat1 import encode_queued_unclaimed
from tests.server.conftest import Connect, LineClient, MakeServer, ServerThread, wait_for


def unclaimed(name: str) -> bytes:
    """The 230 for a name without an account (the sender is warned)."""
    return encode_queued_unclaimed(name).rstrip(b"\n")


def extended(
    connect: Connect, name: str, extensions: str = "rooms dm who presence live"
) -> LineClient:
    client = connect(name)
    client.send(f"EXTEND {extensions} CHAT/1.0\n".replace("  ", " ").encode())
    assert client.line().startswith(b"210 Extensions enabled:")
    return client


def test_extend_lists_what_was_enabled(connect: Connect) -> None:
    client = connect("alice")
    client.send(b"EXTEND rooms bogus CHAT/1.0\n")
    assert client.line() == b"210 Extensions enabled: rooms"
    client.send(b"EXTEND CHAT/1.0\n")
    assert client.line() == (
        b"210 Extensions enabled: rooms dm who presence live history auth ack search"
    )


def test_extension_commands_refused_until_asked_for(connect: Connect) -> None:
    client = connect("alice")
    client.send(b"JOIN teamchat CHAT/1.0\n")
    assert client.line() == b"404 Unknown command (send 'EXTEND rooms CHAT/1.0' first)"
    client.send(b"WHO CHAT/1.0\n")
    assert client.line() == b"404 Unknown command (send 'EXTEND who CHAT/1.0' first)"


def test_rooms_scope_messages_and_announce_members(connect: Connect) -> None:
    alice = extended(connect, "alice")
    bob = extended(connect, "bob")
    strict = connect("carol")
    alice.send(b"JOIN teamchat CHAT/1.0\n")
    assert alice.lines(2) == [b"JOINED teamchat alice CHAT/1.0", b"220 Joined teamchat"]
    bob.send(b"JOIN #teamchat CHAT/1.0\n")
    assert bob.lines(2) == [b"JOINED teamchat bob CHAT/1.0", b"220 Joined teamchat"]
    assert alice.line() == b"JOINED teamchat bob CHAT/1.0"
    alice.send(b"@alice #teamchat: Hello team!\n")
    assert bob.line() == b"@alice #teamchat: Hello team!"
    assert strict.silent()
    strict.send(b"@carol: lobby still works\n")
    assert alice.line() == b"@carol: lobby still works"
    assert bob.line() == b"@carol: lobby still works"
    bob.send(b"LEAVE teamchat CHAT/1.0\n")
    assert alice.line() == b"LEFT teamchat bob CHAT/1.0"
    assert bob.line() == b"LEFT teamchat bob CHAT/1.0"
    assert bob.line() == b"221 Left teamchat"
    bob.send(b"@bob #teamchat: am I still here?\n")
    assert bob.line() == b"411 Not in room teamchat"


def test_who_and_rooms(connect: Connect) -> None:
    alice = extended(connect, "alice")
    connect("bob")
    alice.send(b"JOIN dev CHAT/1.0\n")
    alice.lines(2)
    alice.send(b"WHO CHAT/1.0\n")
    assert alice.line() == b"250 alice bob"
    alice.send(b"ROOMS CHAT/1.0\n")
    assert alice.lines(3) == [b"251 lobby alice bob", b"251 dev alice", b"252 End of rooms"]


def test_direct_message_to_extended_and_strict_clients(connect: Connect) -> None:
    alice = extended(connect, "alice")
    bob = extended(connect, "bob")
    carol = connect("carol")
    alice.send(b"@alice > bob: just for you\n")
    assert bob.line() == b"@alice > bob: just for you"
    alice.send(b"@alice > carol: hi carol\n")
    assert carol.line() == b"@alice: [private] hi carol"
    assert alice.silent()
    alice.send(b"@alice > nobody: hello?\n")
    assert alice.line() == b"410 No such user nobody"
    alice.send(b"@bob > carol: forged\n")
    assert alice.line() == b"403 Sender does not match registration"


def test_offline_messages_delivered_once_in_order_on_reconnect(
    server: ServerThread, connect: Connect
) -> None:
    alice = extended(connect, "alice", "dm")
    bob = connect("bob")
    bob.send(b"DISCONNECT bob CHAT/1.0\n")
    assert bob.closed()
    for k in range(3):
        alice.send(f"@alice > bob: note {k}\n".encode())
        assert alice.line() == unclaimed("bob")
    again = connect()
    again.send(b"EXTEND dm CHAT/1.0\nREGISTER bob CHAT/1.0\n")
    assert again.lines(5) == [
        b"210 Extensions enabled: dm",
        b"200 Registration successful",
        b"@alice > bob: note 0",
        b"@alice > bob: note 1",
        b"@alice > bob: note 2",
    ]
    again.send(b"DISCONNECT bob CHAT/1.0\n")
    assert again.closed()
    third = connect()
    assert third.register("bob") == b"200 Registration successful"
    assert third.silent()  # each queued message is delivered once


def test_offline_queue_bound(make_server: MakeServer) -> None:
    server = make_server(offline_limit=2)
    alice, bob = LineClient(server.port), LineClient(server.port)
    alice.register("alice")
    alice.send(b"EXTEND dm CHAT/1.0\n")
    alice.line()
    bob.register("bob")
    bob.close()
    assert wait_for(lambda: server.who() == ["alice"])
    replies = []
    for k in range(3):
        alice.send(f"@alice > bob: {k}\n".encode())
        replies.append(alice.line())
    assert replies == [unclaimed("bob")] * 2 + [b"414 Offline queue full for bob"]
    alice.close()


def test_presence_quit_reaches_extended_clients_only(connect: Connect) -> None:
    alice = extended(connect, "alice", "presence")
    strict = connect("carol")
    bob = connect("bob")
    bob.close()
    assert alice.line() == b"QUIT * bob CHAT/1.0"
    assert strict.silent()


def test_live_typing_reaches_live_members_only(connect: Connect) -> None:
    alice = extended(connect, "alice", "live")
    bob = extended(connect, "bob", "live")
    strict = connect("carol")
    for partial in ("h", "he", "hel"):
        alice.send(f"@alice ~: {partial}\n".encode())
    assert bob.lines(3) == [b"@alice ~: h", b"@alice ~: he", b"@alice ~: hel"]
    alice.send(b"@alice: hello\n")
    assert bob.line() == b"@alice: hello"
    assert strict.line() == b"@alice: hello"
    assert strict.silent()


def test_live_typing_is_throttled(make_server: MakeServer) -> None:
    server = make_server(live_rate=5.0)
    alice, bob = LineClient(server.port), LineClient(server.port)
    for client, name in ((alice, "alice"), (bob, "bob")):
        client.register(name)
        client.send(b"EXTEND live CHAT/1.0\n")
        client.line()
    alice.send(b"".join(f"@alice ~: {'x' * k}\n".encode() for k in range(100)))
    alice.send(b"@alice: done\n")
    received = []
    while (line := bob.line()) != b"@alice: done":
        received.append(line)
    assert 5 <= len(received) <= 12  # the burst (2 x rate), not all 100


def test_queued_message_to_a_seed_client_says_when_it_was_sent(
    server: ServerThread, connect: Connect
) -> None:
    alice = extended(connect, "alice", "dm")
    bob = connect("bob")
    bob.send(b"DISCONNECT bob CHAT/1.0\n")
    assert bob.closed()
    alice.send(b"@alice > bob: while you were out\n")
    assert alice.line() == unclaimed("bob")
    again = connect()
    assert again.register("bob") == b"200 Registration successful"
    line = again.line()
    assert re.fullmatch(
        rb"@alice: \[private, sent \d{4}-\d\d-\d\d \d\d:\d\d UTC\] while you were out", line
    ), line


def test_ping_is_answered_in_order(connect: Connect) -> None:
    client = connect()
    client.send(b"PING early CHAT/1.0\nREGISTER pat CHAT/1.0\nPING CHAT/1.0\n")
    assert client.lines(3) == [
        b"290 Pong early",
        b"200 Registration successful",
        b"290 Pong ",
    ]
