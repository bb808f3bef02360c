"""Plain line mode: standard input in, standard output and standard error out.

Used when standard input is not a terminal (scripts, pipes, files) or with ``--plain``. No
prompt is printed and nothing is echoed: stdout carries only the conversation, a line as it
came. Only when a person reads it on a terminal is a long line wrapped to the terminal's
width, its continuation rows marked (`parley.client.wrapping`), so that no piece of one
message can pass for a message of its own.

Standard input is read by one daemon thread with `os.read` on the file descriptor, because
asyncio cannot watch regular files and a thread blocked in Python's buffered stdin would hold
its lock at interpreter exit. The thread hands lines over through a small bounded queue, so
a huge input file is read only as fast as it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from parley.client.appearance import PLAIN, Appearance, paint
from parley.client.completion import Recent
from parley.client.render import Channel, Line
from parley.client.wrapping import wrap
from parley.protocol.framing import LineFramer, LineTooLong

STDIN_FD = 0
MAX_INPUT_LINE = 64 * 1024
READ_SIZE = 64 * 1024
QUEUE_SIZE = 64

_Item = bytes | LineTooLong | None


class LineFrontend:
    """Lines from a file descriptor (standard input by default), lines to stdout/stderr."""

    def __init__(
        self,
        fd: int | None = None,
        *,
        max_line: int = MAX_INPUT_LINE,
        looks: Appearance = PLAIN,
    ) -> None:
        """`looks`: how lines are painted (`PLAIN`, a script's default: as the server said)."""
        self._looks = looks
        self._fd = STDIN_FD if fd is None else fd
        self._max_line = max_line
        self._queue: asyncio.Queue[_Item] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended = False

    @property
    def interactive(self) -> bool:
        try:
            return os.isatty(self._fd)
        except OSError:
            return False

    @property
    def live_capable(self) -> bool:
        return False

    @property
    def status_width(self) -> int:
        return 80

    def __enter__(self) -> LineFrontend:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(QUEUE_SIZE)
        threading.Thread(target=self._pump, name="parley-stdin", daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop = None

    async def ask_name(self) -> str | None:
        if self.interactive:
            sys.stderr.write("Your name: ")
            sys.stderr.flush()
        line = await self.read_line()
        return None if line is None else line.strip()

    async def ask(self, question: str) -> str | None:
        if self.interactive:
            sys.stderr.write(question)
            sys.stderr.flush()
        return await self.read_line()

    async def ask_secret(self, question: str) -> str | None:
        """At a terminal, a line read with echo off; None without a terminal (or at its end)."""
        if not self.interactive:
            return None
        sys.stderr.write(question)
        sys.stderr.flush()
        with _echo_off(self._fd):
            answer = await self.read_line()
        sys.stderr.write("\n")  # the Enter that ended the line was not echoed either
        sys.stderr.flush()
        return answer

    async def confirm(self, question: str) -> bool:
        if not self.interactive:
            return False
        answer = await self.ask(question)
        return answer is not None and answer.strip().lower() in ("y", "yes")

    def set_prompt(self, text: str) -> None:
        """No prompt in line mode: standard output carries only the conversation."""

    def set_status(self, lines: Sequence[str]) -> None:
        """No status in line mode (live typing needs the terminal UI)."""

    def watch_typing(self, callback: Callable[[str], None] | None) -> None:
        """Lines arrive whole in line mode: there are no keystrokes to report."""

    def complete_from(self, recent: Recent, joined: Callable[[], Sequence[str]]) -> None:
        """No completion in line mode (no line editor)."""

    async def read_line(self) -> str | None:
        if self._queue is None:
            raise RuntimeError("LineFrontend used outside its 'with' block")
        while not self._ended:
            item = await self._queue.get()
            if item is None:
                self._ended = True
            elif isinstance(item, LineTooLong):
                self.show(Line.notice(f"input line longer than {item.limit} bytes not sent"))
            else:
                return item.decode("utf-8", errors="replace")
        return None

    def show(self, line: Line) -> None:
        if line.channel is Channel.CHAT:
            self._write(sys.stdout, line)
        elif line.channel is Channel.NOTICE or _is_terminal(sys.stderr):
            self._write(sys.stderr, line)

    def _write(self, stream: TextIO | None, line: Line) -> None:
        if self._looks.plain:  # the seed's lines exactly (wrapped only for a person)
            _write_line(stream, line.text, dim=line.dim, bell=line.mention and self._looks.bell)
            return
        if stream is None:
            return
        shown = paint(line, self._looks, now=time.time(), columns=_columns(stream))
        _write_line(stream, shown, raw=True, bell=line.mention and self._looks.bell)

    def _pump(self) -> None:
        """Thread body: read the descriptor until end of file, queue each line, then None."""
        framer = LineFramer(self._max_line)
        while True:
            try:
                data = os.read(self._fd, READ_SIZE)
            except OSError:
                data = b""
            if not data:
                tail = framer.flush()
                if tail is None or self._put(tail):
                    self._put(None)
                return
            for line in framer.feed(data):
                if not self._put(line):
                    return

    def _put(self, item: _Item) -> bool:
        """Queue `item`, waiting while the queue is full; False once the loop is gone."""
        loop, queue = self._loop, self._queue
        if loop is None or queue is None:
            return False
        try:
            asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
        except (RuntimeError, asyncio.CancelledError):
            return False
        return True


@contextlib.contextmanager
def _echo_off(fd: int) -> Iterator[None]:
    """Turn the terminal's echo off while a password is typed (and back on, whatever happens).

    The reader thread is blocked in `os.read` all along; the terminal driver echoes (or not)
    as each key is typed, so the setting applies to the line typed next.
    """
    try:
        import termios
    except ImportError:  # not a POSIX system: no way to hide the typing here
        yield
        return
    try:
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError):
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    try:
        termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)
        yield
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


DIM, NORMAL = "\x1b[2m", "\x1b[22m"


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


def _columns(stream: TextIO) -> int | None:
    """The width of the terminal `stream` writes to; None if it is not a terminal."""
    if not _is_terminal(stream):
        return None
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        return None
    return columns or None  # 0: a terminal that does not know its size


def _write_line(
    stream: TextIO | None, text: str, *, dim: bool = False, raw: bool = False, bell: bool = False
) -> None:
    """Write `text` and a line end (`raw`: painted already, else wrapped for a terminal)."""
    if stream is None:  # started with that descriptor closed: nowhere to write
        return
    columns = None if raw else _columns(stream)
    if columns is not None:  # a person reads it: rows that fit, marked after the first
        rows = wrap(text, columns)
        text = "\n".join(f"{DIM}{row}{NORMAL}" if dim else row for row in rows)
    try:
        stream.write(text + ("\a" if bell else "") + "\n")
        stream.flush()
    except BrokenPipeError:
        # Nobody reads us any more (``parley ... | head -1``): keep chatting, stop writing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
