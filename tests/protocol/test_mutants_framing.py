"""LineFramer cases that mutation testing found unchecked: a line of exactly the limit, an
overlong fragment at `flush`, and bare CR at the edges of a chunk."""

from __future__ import annotations

from parley.protocol.framing import LineFramer, LineTooLong


def test_a_line_of_exactly_the_limit_is_a_line() -> None:
    assert LineFramer(max_line=4).feed(b"abcd\n") == [b"abcd"]
    split = LineFramer(max_line=4)
    assert split.feed(b"ab") == []
    assert split.feed(b"cd\n") == [b"abcd"]
    waiting = LineFramer(max_line=4)
    assert waiting.feed(b"abcd") == []  # held, not yet too long
    assert waiting.pending == 4
    assert waiting.feed(b"e") == [LineTooLong(4)]


def test_a_bare_cr_is_a_line_end_only_when_asked_for() -> None:
    assert LineFramer().feed(b"a\rb\n") == [b"a\rb"]
    assert LineFramer(accept_bare_cr=True).feed(b"a\rb\n") == [b"a", b"b"]


def test_bare_cr_at_the_start_and_crlf_split_after_the_cr() -> None:
    framer = LineFramer(accept_bare_cr=True)
    assert framer.feed(b"\rx\r") == [b"", b"x"]
    assert framer.feed(b"\ny\n") == [b"y"]  # the LF of the CRLF is not an empty line
    assert framer.feed(b"z\r\n\r\n") == [b"z", b""]


def test_a_cr_after_the_newline_is_not_taken_for_the_line_end() -> None:
    framer = LineFramer(accept_bare_cr=True)
    assert framer.feed(b"ab\ncd\rok\n") == [b"ab", b"cd", b"ok"]


def test_flush_drops_an_overlong_fragment_and_starts_afresh() -> None:
    framer = LineFramer(max_line=3)
    assert framer.feed(b"abcdef") == [LineTooLong(3)]
    assert framer.flush() is None
    assert framer.feed(b"ok\n") == [b"ok"]


def test_a_cr_left_in_the_buffer_is_dropped_when_the_lf_comes() -> None:
    framer = LineFramer()
    assert framer.feed(b"abc\r") == []
    assert framer.feed(b"\nnext\n") == [b"abc", b"next"]
    assert framer.feed(b"\r") == []
    assert framer.feed(b"\n") == [b""]
