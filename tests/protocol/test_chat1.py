"""CHAT/1.0 codec: every client line form, every server line form, totality."""

from __future__ import annotations

from hypothesis import given, strategies as st

from parley.protocol import chat1
from parley.protocol.chat1 import (
    ChatMessage,
    Disconnect,
    IncomingMessage,
    Malformed,
    Notice,
    NumericReply,
    Register,
    Reply,
    ServerDisconnect,
)
from parley.protocol.framing import LineTooLong


def test_register() -> None:
    assert chat1.parse_client_line(b"REGISTER alice CHAT/1.0") == Register("alice")


def test_register_malformed_forms() -> None:
    for line in (
        b"REGISTER alice",
        b"REGISTER alice CHAT/2.0",
        b"REGISTER CHAT/1.0",
        b"REGISTER al ice CHAT/1.0",
        b"REGISTER -alice CHAT/1.0",
        b"REGISTER " + b"a" * 33 + b" CHAT/1.0",
    ):
        assert chat1.parse_client_line(line) == Malformed(Reply.INVALID_REGISTRATION), line


def test_message_with_and_without_space() -> None:
    assert chat1.parse_client_line(b"@alice: hi: there") == ChatMessage("alice", "hi: there")
    assert chat1.parse_client_line(b"@alice:hi") == ChatMessage("alice", "hi")


def test_message_control_characters_neutralised() -> None:
    event = chat1.parse_client_line(b"@alice: a\rb\x1b[2Jc\td")
    assert event == ChatMessage("alice", "a\ufffdb\ufffd[2Jc\td")


def test_disconnect_forms() -> None:
    assert chat1.parse_client_line(b"DISCONNECT alice CHAT/1.0") == Disconnect("alice")
    assert chat1.parse_client_line(b"DISCONNECT CHAT/1.0") == Disconnect(None)


def test_errors() -> None:
    assert chat1.parse_client_line(b"hello") == Malformed(Reply.UNKNOWN_COMMAND)
    assert chat1.parse_client_line(b"@alice hi").reply is Reply.UNKNOWN_COMMAND  # type: ignore[union-attr]
    assert chat1.parse_client_line(b"\xff\xfe") == Malformed(Reply.INVALID_UTF8)
    assert chat1.parse_client_line(LineTooLong(8192)).reply is Reply.LINE_TOO_LONG  # type: ignore[union-attr]


def test_seed_reply_bytes_are_exact() -> None:
    assert chat1.encode_reply(Reply.REGISTERED) == b"200 Registration successful\n"
    assert chat1.encode_reply(Reply.INVALID_REGISTRATION) == b"400 Invalid registration\n"
    assert chat1.encode_reply(Reply.ALREADY_REGISTERED) == b"401 Client already registered\n"
    assert chat1.SERVER_DISCONNECT == b"DISCONNECT CHAT/1.0\n"
    assert chat1.encode_register("bob") == b"REGISTER bob CHAT/1.0\n"
    assert chat1.encode_client_disconnect("bob") == b"DISCONNECT bob CHAT/1.0\n"
    assert chat1.encode_message("bob", "hi") == b"@bob: hi\n"


def test_server_lines() -> None:
    assert chat1.parse_server_line(b"200 OK") == NumericReply(200, "OK")
    assert chat1.parse_server_line(b"401 Client already registered") == NumericReply(
        401, "Client already registered"
    )
    assert chat1.parse_server_line(b"DISCONNECT CHAT/1.0") == ServerDisconnect()
    assert chat1.parse_server_line(b"@bob: hi") == IncomingMessage("bob", "hi")
    assert chat1.parse_server_line(b"hello world") == Notice("hello world")
    assert chat1.parse_server_line(b"2000 people") == Notice("2000 people")


names = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=32)


@given(names)
def test_register_round_trip(name: str) -> None:
    line = chat1.encode_register(name).rstrip(b"\n")
    assert chat1.parse_client_line(line) == Register(name)


@given(names, st.text().filter(lambda t: t.isprintable()))
def test_message_round_trip(name: str, text: str) -> None:
    line = chat1.encode_message(name, text).rstrip(b"\n")
    assert chat1.parse_client_line(line) == ChatMessage(name, text)
    assert chat1.parse_server_line(line) == IncomingMessage(name, text)


@given(st.binary(max_size=200))
def test_any_bytes_parse_without_exception(data: bytes) -> None:
    event = chat1.parse_client_line(data)
    assert isinstance(event, Register | Disconnect | ChatMessage | Malformed)
    if isinstance(event, ChatMessage):
        assert "\n" not in event.text and "\r" not in event.text
    assert chat1.parse_server_line(data) is not None


def test_typing_lines_recognised_cheaply() -> None:
    assert chat1.is_typing_line(b"@alice ~: hel")
    assert chat1.is_typing_line(b"@alice ~#room: hel")
    assert not chat1.is_typing_line(b"@alice: a ~ b")
    assert not chat1.is_typing_line(b"REGISTER a CHAT/1.0")
    assert not chat1.is_typing_line(LineTooLong(10))


def test_bidi_overrides_and_separators_neutralised() -> None:
    event = chat1.parse_client_line("@alice: a\u202eb\u2028c".encode())
    assert event == ChatMessage("alice", "a\ufffdb\ufffdc")
