"""LineFramer: line ends, split input, the bound, and totality on arbitrary bytes."""

from __future__ import annotations

from hypothesis import given, strategies as st

from parley.protocol.framing import LineFramer, LineTooLong


def feed_all(framer: LineFramer, chunks: list[bytes]) -> list[bytes | LineTooLong]:
    out: list[bytes | LineTooLong] = []
    for chunk in chunks:
        out.extend(framer.feed(chunk))
    return out


def test_lf_and_crlf_lines() -> None:
    assert LineFramer().feed(b"a\nb\r\nc") == [b"a", b"b"]


def test_line_split_across_chunks_including_crlf() -> None:
    framer = LineFramer()
    assert feed_all(framer, [b"hel", b"lo\r", b"\nwor", b"ld\n"]) == [b"hello", b"world"]


def test_empty_lines_are_lines() -> None:
    assert LineFramer().feed(b"\n\r\n") == [b"", b""]


def test_overlong_line_reported_once_and_rest_discarded() -> None:
    framer = LineFramer(max_line=10)
    out = feed_all(framer, [b"x" * 8, b"y" * 8, b"z" * 100, b"\nok\n"])
    assert out == [LineTooLong(10), b"ok"]
    assert framer.pending == 0


def test_overlong_line_in_one_chunk() -> None:
    assert LineFramer(max_line=3).feed(b"abcd\nabc\n") == [LineTooLong(3), b"abc"]


def test_buffer_never_exceeds_limit() -> None:
    framer = LineFramer(max_line=100)
    for _ in range(1000):
        framer.feed(b"a" * 37)
        assert framer.pending <= 100


def test_bare_cr_when_accepted() -> None:
    framer = LineFramer(accept_bare_cr=True)
    assert feed_all(framer, [b"a\rb\r", b"\nc\r\n"]) == [b"a", b"b", b"c"]


def test_flush_takes_unterminated_fragment() -> None:
    framer = LineFramer()
    assert framer.feed(b"server:who") == []
    assert framer.flush() == b"server:who"
    assert framer.flush() is None


@given(st.lists(st.binary(max_size=64), max_size=20), st.integers(1, 40), st.booleans())
def test_any_bytes_never_raise_and_stay_bounded(
    chunks: list[bytes], limit: int, bare_cr: bool
) -> None:
    framer = LineFramer(max_line=limit, accept_bare_cr=bare_cr)
    for item in feed_all(framer, chunks):
        assert isinstance(item, LineTooLong) or len(item) <= limit
    assert framer.pending <= limit


@given(st.lists(st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b)))
def test_lines_round_trip_whatever_the_chunking(lines: list[bytes]) -> None:
    stream = b"".join(line + b"\n" for line in lines)
    for size in (1, 3, 7, len(stream) or 1):
        framer = LineFramer(max_line=64)
        chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
        assert feed_all(framer, chunks) == lines


@given(
    st.lists(st.sampled_from([b"a", b"bc", b"\r", b"\n", b"\r\n", b"x" * 9]), max_size=30),
    st.integers(1, 12),
    st.booleans(),
)
def test_the_fast_path_frames_as_the_general_loop(
    parts: list[bytes], limit: int, bare_cr: bool
) -> None:
    """The one-split fast path for a read of whole lines gives what the general loop does."""
    data = b"".join(parts) + b"\n"
    fast = LineFramer(limit, accept_bare_cr=bare_cr).feed(data)
    assert fast == LineFramer(limit, accept_bare_cr=bare_cr)._feed(data)
