"""Which door a first line picks."""

from __future__ import annotations

import pytest

from parley.protocol.framing import LineTooLong
from parley.server.doors import registry


@pytest.mark.parametrize(
    ("line", "door"),
    [
        (b"REGISTER alice CHAT/1.0", "chat1"),
        (b"EXTEND rooms CHAT/1.0", "chat1"),
        (LineTooLong(8192), "chat1"),
        (b"CAP LS 302", "irc"),
        (b"NICK alice", "irc"),
        (b"nick alice", "irc"),
        (b"PASS :secret", "irc"),
        (b"USER a 0 * :A", "irc"),
        (b"@label=1 CAP LS", "irc"),
        (b"Nick", "plain"),  # a person called Nick at the name prompt
        (b"user", "plain"),
        (b"NICKY", "plain"),
        (b"alice", "plain"),
        (b"server:register joe", "plain"),
        (b"", "plain"),
    ],
)
def test_first_line_picks_the_door(line: bytes | LineTooLong, door: str) -> None:
    assert registry.choose(line).name == door
