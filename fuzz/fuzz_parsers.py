"""Coverage-guided fuzzing of every parser with atheris (``make fuzz``).

Each input is cut into chunks and fed through the line framer (both line-end modes), and
every framed line through the CHAT/1.0 client and server parsers, the plain door's parser in
both modes and the IRC codec (what it parses must encode back to one line); the whole input
is also one web page message for the web door's JSON codec (`parley.protocol.web`), which
must answer anything with a message or a `BadMessage`. Any exception, or a line longer than
the framer's limit, is a crash. ``FUZZ_ONLY=irc`` fuzzes the framer and the IRC codec alone
(``FUZZ_ONLY=irc make fuzz``), so that its million inputs all reach it.
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports():
    from parley.protocol import chat1, irc, plain, web
    from parley.protocol.framing import LineFramer, LineTooLong

LIMIT = 256
IRC_ONLY = os.environ.get("FUZZ_ONLY", "") == "irc"


def check_line(line: bytes | LineTooLong) -> None:
    assert isinstance(line, LineTooLong) or len(line) <= LIMIT
    if IRC_ONLY:
        check_irc(line)
        return
    chat1.parse_client_line(line)
    chat1.parse_server_line(line)
    chat1.is_typing_line(line)
    if isinstance(line, bytes):
        text = line.decode("utf-8", errors="replace")
        for mode in ("default", "seed003"):
            plain.parse_line(text, mode, in_room=False)  # type: ignore[arg-type]
            plain.parse_line(text, mode, in_room=True)  # type: ignore[arg-type]
        plain.parse_name_answer(text)
    check_irc(line)


def check_irc(line: bytes | LineTooLong) -> None:
    """The IRC codec takes any line; a message it parses encodes back to exactly one line."""
    message = irc.parse_message(line)
    if isinstance(message, irc.Message):
        data = irc.encode(message)
        assert data.endswith(b"\r\n") and b"\n" not in data[:-1] and b"\r" not in data[:-2]
        again = irc.parse_message(data[:-2])
        assert isinstance(again, irc.Message) and again.command == message.command


def check_web_message(data: bytes) -> None:
    """The web codec takes anything; what it accepts encodes back to valid UTF-8 JSON."""
    parsed = web.parse_client(data)
    if isinstance(parsed, web.BadMessage):
        web.error(parsed.req, parsed.code, parsed.message).decode("utf-8")
    else:
        web.encode({"type": "echo", "fields": repr(parsed)}).decode("utf-8")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    if not IRC_ONLY:
        check_web_message(data)
    step = data[0] % 17 + 1
    payload = data[1:]
    for bare_cr in (False, True):
        framer = LineFramer(LIMIT, accept_bare_cr=bare_cr)
        for start in range(0, len(payload), step):
            for line in framer.feed(payload[start : start + step]):
                check_line(line)
        fragment = framer.flush()
        if fragment is not None:
            check_line(fragment)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
