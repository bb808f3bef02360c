"""Tests of parley.client.lines.LineFrontend reading a real pipe and writing to a terminal,
and of stopping."""

from __future__ import annotations

import asyncio
import os
import select
import sys
import time

import pytest

from parley.client.lines import DIM, NORMAL, LineFrontend
from parley.client.render import Line
from parley.client.stopping import StopRequestedError, until_stopped
from parley.client.wrapping import CONTINUATION


def read_all(data: bytes, *, max_line: int = 1024) -> list[str | None]:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, data)
    os.close(write_fd)

    async def main() -> list[str | None]:
        with LineFrontend(read_fd, max_line=max_line) as frontend:
            lines: list[str | None] = []
            while (line := await frontend.read_line()) is not None:
                lines.append(line)
            lines.append(await frontend.read_line())
            return lines

    try:
        return asyncio.run(asyncio.wait_for(main(), 5))
    finally:
        os.close(read_fd)


def test_lines_then_none_at_end_of_input() -> None:
    assert read_all(b"one\r\ntwo\n\nlast without newline") == [
        "one",
        "two",
        "",
        "last without newline",
        None,
    ]


def test_invalid_utf8_is_replaced_and_long_lines_are_skipped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert read_all(b"caf\xe9\n" + b"y" * 2000 + b"\nok\n") == ["caf\ufffd", "ok", None]
    assert "input line longer than 1024 bytes not sent" in capsys.readouterr().err


def test_many_lines_flow_through_the_bounded_queue() -> None:
    lines = [f"line {n}" for n in range(500)]
    assert read_all("\n".join(lines).encode() + b"\n") == [*lines, None]


def test_not_a_terminal() -> None:
    read_fd, write_fd = os.pipe()
    try:
        assert not LineFrontend(read_fd).interactive
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_until_stopped_returns_or_raises() -> None:
    async def main() -> None:
        stop = asyncio.Event()
        assert await until_stopped(asyncio.sleep(0, result=7), stop) == 7
        cancelled = asyncio.Event()

        async def forever() -> None:
            try:
                await asyncio.sleep(100)
            finally:
                cancelled.set()

        asyncio.get_running_loop().call_later(0.05, stop.set)
        with pytest.raises(StopRequestedError):
            await until_stopped(forever(), stop)
        assert cancelled.is_set()

    asyncio.run(asyncio.wait_for(main(), 5))


def test_no_secret_is_asked_without_a_terminal() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"not a password\n")
    os.close(write_fd)

    async def main() -> list[str | None]:
        with LineFrontend(read_fd) as frontend:
            assert await frontend.ask_secret("Password: ") is None
            # The line is still there for the chat, and the reader has reached the end of
            # the input: it reads no more (its descriptor is closed next, and then reused).
            return [await frontend.read_line(), await frontend.read_line()]

    try:
        assert asyncio.run(asyncio.wait_for(main(), 5)) == ["not a password", None]
    finally:
        os.close(read_fd)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_secret_is_typed_without_echo_at_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    import pty
    import termios

    main_fd, terminal_fd = pty.openpty()

    async def main() -> tuple[str | None, bytes, bool, str | None]:
        with LineFrontend(terminal_fd) as frontend:
            asking = asyncio.create_task(frontend.ask_secret("Password: "))
            await asyncio.sleep(0)  # one step: it asks, and now waits for the line
            assert not termios.tcgetattr(terminal_fd)[3] & termios.ECHO  # before any key
            os.write(main_fd, b"hunter22\n")
            secret = await asking
            echo_back = bool(termios.tcgetattr(terminal_fd)[3] & termios.ECHO)
            os.write(main_fd, b"visible\n")  # the marker: echoed after anything before it
            line = await frontend.read_line()
            echoed = _echo_until(main_fd, b"visible\r\n")
            os.close(main_fd)  # hang up: the reader thread stops before the test ends
            assert await frontend.read_line() is None
            return secret, echoed, echo_back, line

    try:
        secret, echoed, echo_back, line = asyncio.run(asyncio.wait_for(main(), 5))
    finally:
        os.close(terminal_fd)
    assert secret == "hunter22"
    assert echo_back
    assert echoed == b"visible\r\n"  # no "hunter22" before it: that line was not echoed
    assert line == "visible"
    assert capsys.readouterr().err == "Password: \n"


def _echo_until(fd: int, marker: bytes, timeout: float = 5.0) -> bytes:
    """What the terminal has echoed, up to and including `marker` (fails without it).

    The terminal echoes input in the order it was typed, so whatever would have been echoed
    before the marker is in this.
    """
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(marker):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no {marker!r} echoed; got {data!r}")
        chunk = os.read(fd, 1024)
        if not chunk:
            raise AssertionError(f"the terminal closed; got {data!r}")
        data += chunk
    return data


PADDED = "@mallory: ok" + " " * 88 + "@alice: please send me your password"


def test_lines_go_out_as_they_came_when_no_terminal_reads_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    LineFrontend().show(Line(PADDED))
    assert capsys.readouterr().out == PADDED + "\n"  # a script reads one line per message


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_long_line_is_wrapped_to_the_terminal_and_marked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pty
    import termios

    main_fd, terminal_fd = pty.openpty()
    try:
        termios.tcsetwinsize(terminal_fd, (24, 40))
        with open(terminal_fd, "w", encoding="utf-8", closefd=False) as terminal:
            monkeypatch.setattr(sys, "stdout", terminal)
            frontend = LineFrontend()
            frontend.show(Line(PADDED))
            frontend.show(Line("[08:00] @bob: " + " ".join(["earlier"] * 5), dim=True))
        shown = _echo_until(main_fd, b"earlier\x1b[22m\r\n").decode()
    finally:
        os.close(main_fd)
        os.close(terminal_fd)
    assert shown.split("\r\n") == [
        "@mallory: ok",
        f"{CONTINUATION}@alice: please send me your password",  # no row starts with "@alice:"
        f"{DIM}[08:00] @bob: earlier earlier earlier{NORMAL}",
        f"{DIM}{CONTINUATION}earlier earlier{NORMAL}",
        "",
    ]
