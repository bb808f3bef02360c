"""Bounded line framing shared by every line-based dialect.

A `LineFramer` turns a byte stream into lines. It accepts ``\\n`` and ``\\r\\n`` line ends
(and, when asked, a bare ``\\r`` as raw-mode terminals send). It never holds more than
``max_line`` bytes of an unfinished line: a longer line is reported once as `LineTooLong`
and the rest of it, up to the next line end, is discarded. It never raises on any input.
"""

from __future__ import annotations

from typing import cast

from parley.records import record

DEFAULT_MAX_LINE = 8192


@record
class LineTooLong:
    """A line exceeded the limit; its bytes were dropped."""

    limit: int


class LineFramer:
    """Splits a byte stream into lines without unbounded buffering.

    Feed bytes with `feed`; it returns the complete lines (without their line end) and
    `LineTooLong` markers, in order. ``feed(b"")`` is not special: end of stream is the
    caller's business, and a trailing unterminated fragment can be taken with `flush`.
    """

    __slots__ = ("_buffer", "_discarding", "_skip_lf", "accept_bare_cr", "max_line")

    def __init__(self, max_line: int = DEFAULT_MAX_LINE, *, accept_bare_cr: bool = False) -> None:
        self.max_line = max_line
        self.accept_bare_cr = accept_bare_cr
        self._buffer = bytearray()
        self._discarding = False
        self._skip_lf = False

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line held right now."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | LineTooLong]:
        """Add received bytes; return every line they complete."""
        if not (self._buffer or self._discarding or self._skip_lf) and data.endswith(b"\n"):
            # The usual read: whole lines and nothing held; one split in C instead of a
            # Python loop per line, when it gives what the loop would.
            lines = data.split(b"\n")
            lines.pop()
            if b"\r" in data:
                # A CR that ends a line on its own (IRC's old clients) takes the loop; one in
                # every CR LF (the usual IRC read) is stripped as without `accept_bare_cr`.
                if self.accept_bare_cr and data.count(b"\r") != data.count(b"\r\n"):
                    return self._feed(data)
                lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
            if len(data) <= self.max_line or max(map(len, lines)) <= self.max_line:
                return cast("list[bytes | LineTooLong]", lines)
        return self._feed(data)

    def _feed(self, data: bytes) -> list[bytes | LineTooLong]:
        out: list[bytes | LineTooLong] = []
        if self._skip_lf and data[:1] == b"\n":
            data = data[1:]
        self._skip_lf = False
        start = 0
        end = len(data)
        while start < end:
            newline = data.find(b"\n", start)
            if self.accept_bare_cr:
                cr = data.find(b"\r", start, newline if newline >= 0 else end)
                if cr >= 0:
                    stop, after = cr, cr + 1
                    if after < end and data[after] == 0x0A:
                        after += 1
                    elif after == end:
                        self._skip_lf = True
                    self._complete(data[start:stop], out)
                    start = after
                    continue
            if newline < 0:
                self._append_partial(data[start:], out)
                break
            stop = newline
            if stop > start and data[stop - 1] == 0x0D:
                stop -= 1
            elif stop == start and self._buffer.endswith(b"\r"):
                del self._buffer[-1]
            self._complete(data[start:stop], out)
            start = newline + 1
        return out

    def flush(self) -> bytes | None:
        """Take the unterminated fragment, if any, as a line (for pause-terminated input)."""
        if self._discarding:
            self._discarding = False
            self._buffer.clear()
            return None
        if not self._buffer:
            return None
        line = bytes(self._buffer)
        self._buffer.clear()
        return line

    def _append_partial(self, chunk: bytes, out: list[bytes | LineTooLong]) -> None:
        if self._discarding:
            return
        if len(self._buffer) + len(chunk) > self.max_line:
            self._buffer.clear()
            self._discarding = True
            out.append(LineTooLong(self.max_line))
            return
        self._buffer += chunk

    def _complete(self, chunk: bytes, out: list[bytes | LineTooLong]) -> None:
        if self._discarding:
            self._discarding = False
            return
        if self._buffer:
            if len(self._buffer) + len(chunk) > self.max_line:
                self._buffer.clear()
                out.append(LineTooLong(self.max_line))
                return
            self._buffer += chunk
            line = bytes(self._buffer)
            self._buffer.clear()
        else:
            if len(chunk) > self.max_line:
                out.append(LineTooLong(self.max_line))
                return
            line = chunk
        out.append(line)
