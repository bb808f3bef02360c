"""The IRC codec: parsing is total, encoding stays within the limits."""

from __future__ import annotations

from hypothesis import given, strategies as st

from parley.protocol import irc
from parley.protocol.framing import LineTooLong


def test_parses_prefix_tags_params_and_trailing() -> None:
    message = irc.parse_message(b"@time=12;label=a\\sb :nick!u@h PRIVMSG #dev :hello there")
    assert isinstance(message, irc.Message)
    assert message.command == "PRIVMSG"
    assert message.params == ("#dev", "hello there")
    assert message.prefix == "nick!u@h"
    assert message.tags == {"time": "12", "label": "a b"}
    assert irc.parse_message(b"nick  alice") == irc.Message("NICK", ("alice",))
    assert irc.parse_message(b"USER a 0 * :Alice Liddell") == irc.Message(
        "USER", ("a", "0", "*", "Alice Liddell")
    )
    assert irc.parse_message(b"PRIVMSG #dev ::-)") == irc.Message("PRIVMSG", ("#dev", ":-)"))
    assert irc.parse_message(b"PRIVMSG #dev :") == irc.Message("PRIVMSG", ("#dev", ""))


def test_malformed_lines() -> None:
    for line in (b"", b"   ", b":prefix-only", b"@tags-only"):
        assert isinstance(irc.parse_message(line), irc.Malformed), line
    assert irc.parse_message(LineTooLong(8192)) == irc.Malformed("line too long", too_long=True)
    long_line = b"PRIVMSG #dev :" + b"x" * 600
    assert irc.parse_message(long_line) == irc.Malformed("line too long", too_long=True)


def test_encoding() -> None:
    assert irc.encode(irc.Message("PING", ("tok",))) == b"PING tok\r\n"
    assert irc.encode(irc.Message("PRIVMSG", ("#d", "hi"), "a!a@p", trailing=True)) == (
        b":a!a@p PRIVMSG #d :hi\r\n"
    )
    assert irc.encode(irc.Message("PRIVMSG", ("#d", "two words"))) == b"PRIVMSG #d :two words\r\n"
    assert irc.encode(irc.Message("X", ("",))) == b"X :\r\n"
    tagged = irc.Message("PRIVMSG", ("#d", "x"), tags={"time": "2026", "msgid": "a;b c"})
    assert irc.encode(tagged) == b"@time=2026;msgid=a\\:b\\sc PRIVMSG #d x\r\n"
    long_text = "é" * 400
    encoded = irc.encode(irc.Message("PRIVMSG", ("#d", long_text)))
    assert len(encoded) <= irc.MAX_LINE
    encoded.decode("utf-8")  # never cut inside a character


@given(st.binary(max_size=700))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    result = irc.parse_message(data.replace(b"\n", b"").replace(b"\r", b""))
    assert isinstance(result, irc.Message | irc.Malformed)


@given(
    st.sampled_from(["PRIVMSG", "NOTICE", "TOPIC", "KICK"]),
    st.lists(st.text(alphabet="abc#-_", min_size=1, max_size=10), max_size=3),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=100),
)
def test_round_trip(command: str, middle: list[str], last: str) -> None:
    message = irc.Message(command, (*middle, last))
    parsed = irc.parse_message(irc.encode(message).removesuffix(b"\r\n"))
    assert parsed == message


@given(st.text(max_size=50))
def test_tag_values_round_trip(value: str) -> None:
    assert irc.unescape_tag_value(irc.escape_tag_value(value)) == value
