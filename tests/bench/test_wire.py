"""The bench's message format: fixed widths a receiver reads with two slices."""

from __future__ import annotations

import random

from parley.bench import wire


def test_a_relayed_message_gives_back_its_sender_and_send_time() -> None:
    tag = wire.new_tag(random.Random(1))
    name = wire.client_name(tag, 42)
    data = wire.encode_messages(wire.message_prefix(name), 5, 7, b"xyz", 123_456_789)
    lines = data.split(b"\n")
    assert lines[-1] == b""
    assert lines[0] == b"@" + name + b": 0000005 xyz" + b"%020d" % 123_456_789
    assert [wire.read_sender(line) for line in lines[:-1]] == [42, 42]
    assert {wire.read_sent_at(line) for line in lines[:-1]} == {123_456_789}


def test_names_are_valid_chat1_names_of_fixed_length() -> None:
    names = {wire.client_name(wire.new_tag(), i) for i in (0, 999_999)}
    assert {len(n) for n in names} == {wire.TAG_LENGTH + wire.INDEX_DIGITS}
    assert all(n.decode().isalnum() for n in names)
    assert wire.register_line(b"abc") == b"REGISTER abc CHAT/1.0\n"
    assert wire.disconnect_line(b"abc") == b"DISCONNECT abc CHAT/1.0\n"
