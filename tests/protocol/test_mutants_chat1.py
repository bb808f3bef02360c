"""CHAT/1.0 forms that mutation testing found unchecked: the exact bytes of the extension
replies, the shortest history targets, and lines that only look like relayed messages."""

from __future__ import annotations

import pytest

from parley.protocol import chat1
from parley.protocol.chat1 import HistoryRequest, IncomingMessage, Malformed, Notice, Reply
from parley.protocol.framing import LineTooLong


def test_kicked_names_room_user_kicker_and_reason_if_any() -> None:
    assert chat1.encode_kicked("dev", "bob", "ann", "spam") == b"KICKED dev bob ann spam CHAT/1.0\n"
    assert chat1.encode_kicked("dev", "bob", "ann", "") == b"KICKED dev bob ann CHAT/1.0\n"


def test_topic_reply_with_and_without_a_topic() -> None:
    assert chat1.encode_topic("dev", "ship it") == b"280 dev ship it\n"
    assert chat1.encode_topic("dev", "") == b"280 dev\n"


def test_history_line_carries_id_time_and_the_line_as_relayed() -> None:
    line = chat1.encode_message("ann", "hi", "dev")
    assert chat1.encode_history(7, 1700000000.25, line) == b"260 7 1700000000.250 @ann #dev: hi\n"


def test_typing_lines_in_the_lobby_and_in_a_room() -> None:
    assert chat1.encode_typing("ann", "hel") == b"@ann ~: hel\n"
    assert chat1.encode_typing("ann", "hel", "dev") == b"@ann ~#dev: hel\n"


def test_presence_and_queued_replies() -> None:
    assert chat1.encode_presence("joined", "dev", "ann") == b"JOINED dev ann CHAT/1.0\n"
    queued = chat1.encode_queued_unclaimed("carol")
    assert queued.startswith(b"230 Queued for carol (") and queued.endswith(b")\n")


def test_an_overlong_line_says_the_limit() -> None:
    assert chat1.parse_client_line(LineTooLong(4096)) == Malformed(
        Reply.LINE_TOO_LONG, "limit 4096 bytes"
    )


@pytest.mark.parametrize(
    ("line", "event"),
    [
        (b"HISTORY #d CHAT/1.0", HistoryRequest("#d")),
        (b"HISTORY @a 5 CHAT/1.0", HistoryRequest("@a", 5)),
        (b"HISTORY @a 5 120 CHAT/1.0", HistoryRequest("@a", 5, 120)),
    ],
)
def test_the_shortest_history_targets(line: bytes, event: HistoryRequest) -> None:
    assert chat1.parse_client_line(line) == event


@pytest.mark.parametrize("line", [b"HISTORY # CHAT/1.0", b"HISTORY @ CHAT/1.0"])
def test_a_history_target_needs_a_name(line: bytes) -> None:
    assert chat1.parse_client_line(line).reply is Reply.UNKNOWN_COMMAND  # type: ignore[union-attr]


def test_a_mode_change_starts_with_plus_or_minus() -> None:
    for change in (b"Xm", b"XX"):
        line = b"MODE dev " + change + b" CHAT/1.0"
        assert chat1.parse_client_line(line).reply is Reply.UNKNOWN_COMMAND  # type: ignore[union-attr]


def test_relayed_text_keeps_its_colons() -> None:
    assert chat1.parse_server_line(b"@ann: a: b") == IncomingMessage("ann", "a: b")
    assert chat1.parse_server_line(b"@ann #dev: 10:30") == IncomingMessage("ann", "10:30", "dev")


def test_a_server_line_without_a_colon_is_a_notice() -> None:
    assert chat1.parse_server_line(b"@ann") == Notice("@ann")
    assert chat1.parse_client_line(b"@alice").reply is Reply.UNKNOWN_COMMAND  # type: ignore[union-attr]


def test_bad_utf_8_from_a_server_is_replaced_not_fatal() -> None:
    assert chat1.parse_server_line(b"\xffhello") == Notice("\ufffdhello")
