"""ROOMS and WHO are bounded: a budget per connection and a bounded answer (review, #7)."""

from __future__ import annotations

from dataclasses import replace

from tests.server.conftest import LineClient, MakeServer


def _client(port: int, name: str) -> LineClient:
    client = LineClient(port)
    client.send(f"EXTEND rooms who CHAT/1.0\nREGISTER {name} CHAT/1.0\n".encode())
    assert client.lines(2)[1] == b"200 Registration successful"
    return client


def test_listings_past_the_budget_are_refused_through_every_door(make_server: MakeServer) -> None:
    server = make_server(listings_per_minute=6)  # a burst of 5, then one every 10 s
    ann = _client(server.port, "ann")
    for _ in range(5):
        ann.send(b"WHO CHAT/1.0\n")
        assert ann.line() == b"250 ann"
    ann.send(b"ROOMS CHAT/1.0\nPING after CHAT/1.0\n")
    assert ann.lines(2) == [b"429 Too many listings; wait a little", b"290 Pong after"]
    person = LineClient(server.port)
    person.send(b"zoe\n")
    person.lines(2)
    for _ in range(5):
        person.send(b"/who\n")
        assert person.line().startswith(b"Online (2)")
    person.send(b"/rooms\n")
    assert person.line() == b"! Too many listings; wait a little."


def test_a_rooms_answer_is_bounded(make_server: MakeServer) -> None:
    server = make_server(listings_per_minute=0)
    assert server.server is not None
    core = server.server.core
    core.config = replace(core.config, max_rooms_listed=3)
    ann = _client(server.port, "ann")
    for room in ("a1", "a2", "a3", "a4", "a5"):
        ann.send(f"JOIN {room} CHAT/1.0\n".encode())
        assert ann.line() == f"220 Joined {room}".encode()
    ann.send(b"ROOMS CHAT/1.0\n")
    assert ann.lines(4) == [
        b"251 lobby ann",
        b"251 a1 ann",
        b"251 a2 ann",
        b"252 End of rooms (3 more)",
    ]


def test_invite_and_mode_refusals_name_the_right_thing(make_server: MakeServer) -> None:
    server = make_server()
    ann, bob = _client(server.port, "ann"), _client(server.port, "bob")
    ann.send(b"JOIN dev CHAT/1.0\n")
    ann.line()
    bob.send(b"JOIN dev CHAT/1.0\n")
    bob.line()
    ann.send(b"INVITE dev bob CHAT/1.0\nMODE dev +o CHAT/1.0\n")
    assert ann.lines(2) == [
        b"426 bob is already in that room",
        b"404 Unknown command (MODE <room> +o <name>)",
    ]
