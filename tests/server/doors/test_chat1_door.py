"""The CHAT/1.0 door line by line, against a fake transport and a real chat core."""

from __future__ import annotations

from parley.protocol.chat1 import encode_password
from parley.server.doors.chat1 import Chat1Door
from tests.server.doors.conftest import FakeLink, Rig, run


async def _registered(rig: Rig, name: str, extend: bytes = b"") -> FakeLink:
    link = rig.link(Chat1Door)
    if extend:
        await link.line(b"EXTEND " + extend + b" CHAT/1.0")
    await link.line(f"REGISTER {name} CHAT/1.0".encode())
    assert link.take()[-1] == b"200 Registration successful"
    assert link.is_registered
    return link


def test_seed004_exactly() -> None:
    async def body(rig: Rig) -> None:
        alice, bob = await _registered(rig, "alice"), await _registered(rig, "bob")
        await alice.line(b"@alice: hello")
        assert bob.take() == [b"@alice: hello"] and alice.take() == []
        await alice.line(b"@bob: not me")
        assert alice.take() == [b"403 Sender does not match registration"]
        await alice.line(b"JOIN dev CHAT/1.0")
        assert alice.take() == [b"404 Unknown command (send 'EXTEND rooms CHAT/1.0' first)"]
        await alice.line(b"REGISTER carol CHAT/1.0")
        assert alice.take() == [b"401 Client already registered"]
        await alice.line(b"DISCONNECT alice CHAT/1.0")
        assert alice.closed == "client disconnected" and alice.take() == []

    run(body)


def test_unregistered_lines_get_400() -> None:
    async def body(rig: Rig) -> None:
        link = rig.link(Chat1Door)
        for line in (b"@alice: hi", b"WHO CHAT/1.0", b"nonsense"):
            await link.line(line)
        assert link.take() == [b"400 Invalid registration"] * 3
        await link.line(b"PING x CHAT/1.0")
        assert link.take() == [b"290 Pong x"]

    run(body)


def test_lines_of_one_read_are_one_delivery() -> None:
    async def body(rig: Rig) -> None:
        alice, bob = await _registered(rig, "alice"), await _registered(rig, "bob")
        assert alice.door is not None
        alice.door.handle_line(b"@alice: one")
        alice.door.handle_line(b"@alice: two")
        assert bob.sent == []  # held until the read ends
        alice.door.end_of_read()
        assert bob.sent == [b"@alice: one\n@alice: two\n"]

    run(body)


def test_own_name_lines_take_the_short_path_and_mean_the_same() -> None:
    """``@name: text`` in the registered spelling skips parsing; every variant still gives
    what the general path gives."""

    async def body(rig: Rig) -> None:
        alice, bob = await _registered(rig, "Alice"), await _registered(rig, "bob")
        lines = [
            b"@Alice: plain",
            b"@Alice:no space",
            b"@Alice:  two spaces",
            b"@alice: another spelling",  # not the registered bytes: parsed, same name
            b"@Alice: bell\x07 and \x1b[2J escape",
            b"@Alice: caf\xc3\xa9",
            b"@Alice:",
        ]
        for line in lines:
            await alice.line(line)
        assert bob.take() == [
            b"@Alice: plain",
            b"@Alice: no space",
            b"@Alice:  two spaces",
            b"@Alice: another spelling",
            "@Alice: bell\ufffd and \ufffd[2J escape".encode(),
            "@Alice: caf\u00e9".encode(),
            b"@Alice: ",
        ]
        await alice.line(b"@Alice: bad \xff byte")  # not UTF-8: refused, as by the parser
        await alice.line(b"@Alicex: longer name")  # the prefix alone is not the name
        assert alice.take() == [b"415 Invalid UTF-8", b"403 Sender does not match registration"]
        assert bob.take() == []

    run(body)


def test_extensions_rooms_moderation_and_acks() -> None:
    async def body(rig: Rig) -> None:
        ann = await _registered(rig, "ann", b"rooms dm ack")
        bob = await _registered(rig, "bob", b"rooms")
        await ann.line(b"JOIN dev CHAT/1.0")
        assert ann.take() == [b"220 Joined dev"]
        await bob.line(b"JOIN dev CHAT/1.0")
        bob.take()
        await bob.line(b"@bob #dev: hi")
        assert ann.take() == [b"@bob #dev: hi"]
        await ann.line(b"MODE dev +q bob CHAT/1.0")
        assert ann.take() == [b"MODE dev ann +q bob CHAT/1.0", b"282 Mode dev +q bob"]
        assert bob.take() == [b"MODE dev ann +q bob CHAT/1.0"]
        await bob.line(b"@bob #dev: muted?")
        assert bob.take() == [b"421 You may not speak in dev"] and ann.take() == []
        await ann.line(b"@ann > bob: psst")
        await rig.keeper.drain()
        assert bob.take() == [b"@ann: [private] psst"]
        assert ann.take() == [b"240 Stored 2"]  # ack: the direct message was committed

    run(body)


def test_password_required_depends_on_auth() -> None:
    async def body(rig: Rig) -> None:
        owner = rig.link(Chat1Door)
        secret = encode_password("a long password")
        await owner.line(f"SIGNUP ann {secret} CHAT/1.0".encode())
        assert owner.take() == [b"200 Registration successful"]
        await owner.line(b"DISCONNECT ann CHAT/1.0")
        plain = rig.link(Chat1Door)
        await plain.line(b"REGISTER ann CHAT/1.0")
        assert plain.take() == [b"401 Client already registered"]  # seed 004 knows no 406
        extended = await _registered(rig, "zed", b"auth")
        del extended
        other = rig.link(Chat1Door)
        await other.line(b"EXTEND auth CHAT/1.0")
        await other.line(b"REGISTER ann CHAT/1.0")
        assert other.take()[-1] == b"406 Password required"
        await other.line(f"LOGIN ann {secret} CHAT/1.0".encode())
        assert other.take() == [b"200 Registration successful"]

    run(body)
