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


def test_add_tags_keeps_a_line_s_own_tags_first_for_the_same_name() -> None:
    data = b"@batch=inner :a BATCH +x\r\nPING :y\r\n"
    assert irc.add_tags(data, "batch=outer;label=l") == (
        b"@label=l;batch=inner :a BATCH +x\r\n@batch=outer;label=l PING :y\r\n"
    )
    assert irc.add_tags(b"PING :y\r\n", "") == b"PING :y\r\n"
    assert irc.add_tags(b"", "a=b") == b""


def test_server_time_stamps_round_trip() -> None:
    assert irc.format_time(0.0) == "1970-01-01T00:00:00.000Z"
    assert irc.format_time(1.9999) == "1970-01-01T00:00:01.999Z"  # cut, never rounded up
    assert irc.parse_time("2026-12-01T23:35:11.042Z") == 1796168111.042
    assert irc.parse_time("2026-12-01T23:35:11Z") == 1796168111.0
    for bad in ("", "yesterday", "2026-13-01T00:00:00Z", "2026-12-01 23:35:11Z"):
        assert irc.parse_time(bad) is None, bad


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_any_stamp_parses_back_within_a_millisecond(moment: float) -> None:
    parsed = irc.parse_time(irc.format_time(moment))
    assert parsed is not None and 0 <= moment - parsed < 0.001 + 1e-6


def test_format_tags_escapes_values() -> None:
    assert irc.format_tags({"label": "a b;c", "flag": ""}) == "label=a\\sb\\:c;flag"


def test_no_text_can_become_a_second_line() -> None:
    """CR, LF and NUL inside a line are read as spaces, and never written: a text that came
    from any door (or a bug) cannot end the line at the receiver and start a command."""
    parsed = irc.parse_message(b"PRIVMSG #a :x\rQUIT :bye\x00now")
    assert isinstance(parsed, irc.Message) and parsed.params == ("#a", "x QUIT :bye now")
    data = irc.encode(irc.Message("PRIVMSG", ("#a", "hi\r\nQUIT :x\x00"), "n!u@h"))
    assert data == b":n!u@h PRIVMSG #a :hi  QUIT :x \r\n"


def test_a_command_never_reads_back_as_tags() -> None:
    assert isinstance(irc.parse_message(b"    @\x95C"), irc.Malformed)  # spaces, then "@"
    assert irc.parse_message(b"FOO_BAR x") == irc.Message("FOO_BAR", ("x",), "", {})  # 421
    assert irc.parse_message(b"privmsg #a :x") == irc.Message("PRIVMSG", ("#a", "x"), "", {})
    assert irc.parse_message(b"001 me :hi") == irc.Message("001", ("me", "hi"), "", {})
