"""Moderation through every door: a CHAT/1.0 operator and a plain-door operator kick, ban and
mute users of both doors; every refusal has its documented reply."""

from __future__ import annotations

from tests.server.conftest import Connect, LineClient, MakeServer, ServerThread


def _chat1(connect: Connect, name: str) -> LineClient:
    client = connect()
    client.send(b"EXTEND rooms CHAT/1.0\n")
    assert client.line() == b"210 Extensions enabled: rooms"
    assert client.register(name) == b"200 Registration successful"
    return client


def _person(server: ServerThread, name: str) -> LineClient:
    person = LineClient(server.port)
    person.send(f"{name}\n".encode())
    while not person.line().startswith(b"Type to chat"):
        pass
    return person


def _wait_for(client: LineClient, wanted: bytes) -> list[bytes]:
    seen = []
    while (line := client.line()) != wanted:
        seen.append(line)
    return seen


def test_chat1_operator_kicks_bans_and_mutes_across_doors(
    server: ServerThread, connect: Connect
) -> None:
    ann = _chat1(connect, "ann")
    ann.send(b"JOIN dev CHAT/1.0\n")
    assert ann.line() == b"220 Joined dev"
    zoe = _person(server, "zoe")
    zoe.send(b"/join dev\n")
    _wait_for(zoe, b"You are now in dev (2 here).")
    # A non-operator is refused, in each door's words.
    zoe.send(b"/kick ann\n")
    assert zoe.line() == b"! You are not an operator of dev."
    ann.send(b"MODE dev +q zoe CHAT/1.0\n")
    assert ann.line() == b"MODE dev ann +q zoe CHAT/1.0"
    assert ann.line() == b"282 Mode dev +q zoe"
    assert zoe.line() == b"* ann muted zoe in dev"
    zoe.send(b"can I talk?\n")
    assert zoe.line() == b"! You may not speak in dev."
    ann.send(b"PING marker CHAT/1.0\n")
    assert ann.line() == b"290 Pong marker"  # zoe's muted line never reached ann
    ann.send(b"KICK dev zoe spamming links CHAT/1.0\n")
    assert ann.line() == b"KICKED dev zoe ann spamming links CHAT/1.0"
    assert ann.line() == b"283 Kicked zoe"
    assert zoe.line() == b"* zoe was kicked from dev by ann (spamming links)"
    ann.send(b"MODE dev +b zoe CHAT/1.0\n")
    assert ann.lines(2)[1] == b"282 Mode dev +b zoe"
    zoe.send(b"/join dev\n")
    assert zoe.line() == b"! You are banned from dev."
    zoe.send(b"hello lobby\n")  # the kick left zoe in the lobby, where she may talk
    assert ann.line() == b"@zoe: hello lobby"


def test_plain_operator_moderates_a_chat1_user(server: ServerThread, connect: Connect) -> None:
    zoe = _person(server, "zoe")
    zoe.send(b"/join ops\n")
    _wait_for(zoe, b"You are now in ops (1 here).")
    bob = _chat1(connect, "bob")
    bob.send(b"JOIN ops CHAT/1.0\n")
    assert bob.line() == b"220 Joined ops"
    assert zoe.line() == b"* bob joined ops"
    bob.send(b"MODE ops +m CHAT/1.0\n")
    assert bob.line() == b"419 Not an operator of ops"
    zoe.send(b"/mode +m\n")
    assert zoe.line() == b"* zoe made moderated: ops"
    assert bob.line() == b"MODE ops zoe +m CHAT/1.0"
    bob.send(b"@bob #ops: may I?\n")
    assert bob.line() == b"421 You may not speak in ops"
    zoe.send(b"/voice bob\n")
    assert zoe.line() == b"* zoe gave bob a voice in ops"
    assert bob.line() == b"MODE ops zoe +v bob CHAT/1.0"
    bob.send(b"@bob #ops: thanks\n")
    assert zoe.line() == b"bob (in ops): thanks"
    zoe.send(b"/mode +i\n")
    zoe.line()
    zoe.send(b"/kick bob\n")
    assert zoe.line() == b"* bob was kicked from ops by zoe"
    assert bob.line() == b"MODE ops zoe +i CHAT/1.0"
    assert bob.line() == b"KICKED ops bob zoe CHAT/1.0"
    bob.send(b"JOIN ops CHAT/1.0\n")
    assert bob.line() == b"422 ops is invite-only"
    zoe.send(b"/invite bob\n")
    assert bob.line() == b"INVITED ops zoe CHAT/1.0"
    bob.send(b"JOIN ops CHAT/1.0\n")
    assert bob.line() == b"220 Joined ops"


def test_keyed_room_and_usage_errors(make_server: MakeServer) -> None:
    server = make_server()
    owner = LineClient(server.port)
    owner.send(b"EXTEND rooms CHAT/1.0\nREGISTER kay CHAT/1.0\nJOIN vault CHAT/1.0\n")
    assert owner.lines(3)[1:] == [b"200 Registration successful", b"220 Joined vault"]
    owner.send(b"MODE vault +k CHAT/1.0\nMODE vault +z CHAT/1.0\nKICK vault CHAT/1.0\n")
    assert owner.lines(3) == [
        b"423 Wrong key for vault",
        b"425 Unknown mode +z",
        b"404 Unknown command (KICK <room> <name> [<reason>])",
    ]
    owner.send(b"MODE vault +k s3cret CHAT/1.0\n")
    assert owner.lines(2) == [b"MODE vault kay +k CHAT/1.0", b"282 Mode vault +k"]
    guest = LineClient(server.port)
    guest.send(b"EXTEND rooms CHAT/1.0\nREGISTER gil CHAT/1.0\nJOIN vault CHAT/1.0\n")
    assert guest.lines(3)[2] == b"423 Wrong key for vault"
    guest.send(b"JOIN vault s3cret CHAT/1.0\n")
    assert guest.line() == b"220 Joined vault"


def test_the_console_operator_moderates_any_room(server: ServerThread, connect: Connect) -> None:
    import io
    import os

    from parley.server.console import OperatorConsole

    ann = _chat1(connect, "ann")
    ann.send(b"JOIN dev CHAT/1.0\n")
    assert ann.line() == b"220 Joined dev"
    out = io.StringIO()
    assert server.server is not None
    console = OperatorConsole(server.server, os.open(os.devnull, os.O_RDONLY), out)
    server.call(lambda: console.run_command("/mode dev +q ann"))
    assert ann.line() == b"MODE dev server +q ann CHAT/1.0"
    ann.send(b"@ann #dev: hello?\n")
    assert ann.line() == b"421 You may not speak in dev"
    server.call(lambda: console.run_command("/roomkick dev ann enough"))
    assert ann.line() == b"KICKED dev ann server enough CHAT/1.0"
    server.call(lambda: console.run_command("/mode dev"))
    server.call(lambda: console.run_command("/roomkick nowhere ann"))
    ann.send(b"PING done CHAT/1.0\n")
    assert ann.line() == b"290 Pong done"
    assert "usage: /mode" in out.getvalue()
    assert "/roomkick nowhere ann: no such room" in out.getvalue()
