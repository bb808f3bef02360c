"""The bench's web client reads a delivery as the web door writes it, without decoding it."""

from __future__ import annotations

import json

from parley.bench import wire
from parley.bench.web_client import read_delivery
from parley.chat.events import RoomMessage
from parley.server.doors.web_encoding import room_frames


def test_a_room_message_from_the_door_gives_its_sender_and_send_time() -> None:
    name = wire.client_name("abcde", 42).decode()
    text = wire.encode_messages(b"", 16, 17, b"pad", 12345678901234567890).decode().rstrip()
    event = RoomMessage(name, (text, "ordinary words"), "lobby", 7, 1764662400.25)
    first, second = room_frames(event, lambda text: text.startswith("ordinary"))
    assert json.loads(first)["text"] == text  # what the door writes is what the bench sent
    assert read_delivery(first) == (42, 12345678901234567890)
    assert read_delivery(second) is None  # not a bench text: decoded, and counted unexpected


def test_anything_else_is_left_to_the_json_decoder() -> None:
    for payload in (
        b'{"type":"ok","req":3,"ids":[5]}',
        b'{"type":"message","id":1}',
        b'{"type":"message","from":"abcde00004x","text":"1 00000000000000000001","mention":false}',
        b"",
    ):
        assert read_delivery(payload) is None


def test_the_send_time_is_read_with_and_without_a_mention() -> None:
    """A frame without a mention has its send time at a fixed place from the end; one with a
    mention is searched: both read the same."""
    name = wire.client_name("fghij", 7).decode()
    for padding in (b"", b"x" * 50):
        text = wire.encode_messages(b"", 3, 4, padding, 98765432109876543210).decode().rstrip()
        event = RoomMessage(name, (text,), "dev", 123456789, 1764662400.123456)
        for mention in (_never, _always):
            (payload,) = room_frames(event, mention)
            assert read_delivery(payload) == (7, 98765432109876543210)


def _never(text: str) -> bool:
    return False


def _always(text: str) -> bool:
    return True
