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
    # the prefix counts: 174 bytes, but each invalid byte is written back as 3 (found by fuzzing)
    prefixed = b":\xff " + b"\xdd" * 169
    assert irc.parse_message(prefixed) == irc.Malformed("line too long", too_long=True)


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


def test_plain_messages_are_read_without_the_general_parser() -> None:
    """The line nearly every message arrives as takes the short path; anything else does not."""
    assert irc.split_plain_message(b"PRIVMSG #dev :hello there") == (
        "PRIVMSG",
        "#dev",
        "hello there",
    )
    assert irc.split_plain_message(b"NOTICE bob ::-)") == ("NOTICE", "bob", ":-)")
    assert irc.split_plain_message(b"PRIVMSG #dev :") == ("PRIVMSG", "#dev", "")
    for other in (
        b"PRIVMSG :no target",
        b"PRIVMSG :x :y",  # one parameter, "x :y"
        b"PRIVMSG #dev hello",  # no trailing
        b"PRIVMSG #a #b :two middles",
        b"PRIVMSG  #dev :two spaces",
        b"privmsg #dev :lower case",
        b"@label=x PRIVMSG #dev :tagged",
        b":nick PRIVMSG #dev :prefixed",
        b"PRIVMSG #dev :\xff not UTF-8",
        b"PRIVMSG #dev :x\rQUIT",
        b"PRIVMSG #dev :" + b"x" * 600,
        b"JOIN #dev",
    ):
        assert irc.split_plain_message(other) is None, other


_PLAIN_BYTES = st.binary(max_size=40) | st.text(alphabet="# :ab\r\0é\x95", max_size=20).map(
    lambda text: text.encode("utf-8")
)


@given(
    st.sampled_from(
        [b"PRIVMSG ", b"NOTICE ", b"PRIVMSG #a :", b"NOTICE", b"PRIVMSG :", b"NOTICE #"]
    ),
    _PLAIN_BYTES,
)
def test_the_short_path_reads_as_the_general_parser_does(verb: bytes, rest: bytes) -> None:
    """A leading space keeps a line off the short path and changes nothing else."""
    line = (verb + rest).replace(b"\n", b"")
    assert irc.parse_message(line) == irc.parse_message(b" " + line)
    long_line = verb + b"#a :" + rest * 40
    assert irc.parse_message(long_line) == irc.parse_message(b" " + long_line)


@given(
    st.sampled_from(["nick!user@parley", "", "é" * 200, "x" * 520]),
    st.sampled_from(["PRIVMSG", "NOTICE"]),
    st.sampled_from(["#dev", "#é\r", "bob"]),
    st.lists(st.text(max_size=600) | st.sampled_from(["é" * 255, "a" + "é" * 254]), max_size=3),
)
def test_texts_encode_as_their_messages_do(
    prefix: str, command: str, target: str, texts: list[str]
) -> None:
    """The head-once encoding of a room message's lines is `encode`'s, byte for byte."""
    each = b"".join(
        irc.encode(irc.Message(command, (target, text), prefix, trailing=True)) for text in texts
    )
    assert irc.encode_texts(prefix, command, target, tuple(texts)) == each
