"""Tests of parley.client.lines.LineFrontend reading a real pipe, and of stopping."""

from __future__ import annotations

import asyncio
import os
import select
import sys

import pytest

from parley.client.lines import LineFrontend
from parley.client.stopping import StopRequestedError, until_stopped


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

    async def main() -> str | None:
        with LineFrontend(read_fd) as frontend:
            return await frontend.ask_secret("Password: ")

    try:
        assert asyncio.run(asyncio.wait_for(main(), 5)) is None
    finally:
        os.close(read_fd)
        os.close(write_fd)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_secret_is_typed_without_echo_at_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    import pty
    import termios

    main_fd, terminal_fd = pty.openpty()

    async def main() -> tuple[str | None, bytes, str | None]:
        with LineFrontend(terminal_fd) as frontend:
            asking = asyncio.create_task(frontend.ask_secret("Password: "))
            for _ in range(200):  # the echo goes off as soon as it asks: wait for that
                if not termios.tcgetattr(terminal_fd)[3] & termios.ECHO:
                    break
                await asyncio.sleep(0.01)
            os.write(main_fd, b"hunter22\n")
            secret = await asking
            echoed = _drain(main_fd)
            os.write(main_fd, b"visible\n")
            line = await frontend.read_line()
            return secret, echoed + _drain(main_fd), line

    try:
        secret, echoed, line = asyncio.run(asyncio.wait_for(main(), 5))
        assert termios.tcgetattr(terminal_fd)[3] & termios.ECHO  # echo is back
    finally:
        os.close(main_fd)
        os.close(terminal_fd)
    assert secret == "hunter22"
    assert b"hunter22" not in echoed
    assert b"visible" in echoed  # the next line is echoed again
    assert line == "visible"
    assert capsys.readouterr().err == "Password: \n"


def _drain(fd: int) -> bytes:
    """What the terminal has written back (its echo), without waiting for more."""
    data = b""
    while select.select([fd], [], [], 0.1)[0]:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        data += chunk
    return data
