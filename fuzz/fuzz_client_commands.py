"""Coverage-guided fuzzing of the terminal client's command parser with atheris.

Run: ``.venv/bin/python fuzz/fuzz_client_commands.py -atheris_runs=1000000 -max_len=512``
(after ``pip install -e '.[fuzz]'``). Each input is split into lines; every line is parsed
as a typed line in every command style, in and out of a room, and carried out by a
`ChatState` whose server granted every extension (the commands' steps, passwords asked for,
history pages, topics); every line is also read as a line from the server and shown, so the
history (``260``), topic (``280``) and account replies are parsed too. Any exception, a
command that breaks its own rules, or a control character on its way to the screen is a crash.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from parley.client.chat import ChatState
    from parley.client.commands import (
        COMMAND_STYLES,
        JoinRoom,
        ManageAccount,
        Say,
        SendDirect,
        ShowHistory,
        chat_hint,
        holds_password,
        parse_command,
    )
    from parley.client.passwords import Secret
    from parley.protocol.chat1 import NumericReply, parse_server_line

ALL = "Extensions enabled: rooms dm who presence live history auth"
NOON = 1763726400.0


def check_command(line: str) -> None:
    for style in COMMAND_STYLES:
        for in_room in (False, True):
            command = parse_command(line, style, in_room=in_room)
            if isinstance(command, Say):
                assert command.text.strip()
            elif isinstance(command, SendDirect):
                assert command.recipient and " " not in command.recipient
                assert command.text == command.text.strip() != ""
            elif isinstance(command, JoinRoom):
                assert command.room and not command.room.startswith("#")
            elif isinstance(command, ShowHistory):
                assert command.target is None or command.target[:1] in "#@"
                assert command.count is None or 1 <= command.count <= 500
            elif isinstance(command, ManageAccount):
                assert holds_password(line)
        chat_hint(line, style)


def check_state(lines: list[str]) -> None:
    for style in COMMAND_STYLES:
        state = ChatState("alice", style, clock=lambda: NOON)
        state.start()
        state.receive(NumericReply(210, ALL), 0.0)
        for now, line in enumerate(lines):
            step = state.perform(state.parse(line))
            if step.account is not None:
                state.account(step.account, (Secret(line), Secret(line)))
            state.preview(line)
            for shown in state.receive(parse_server_line(line.encode()), float(now)):
                assert not any(_is_control(ch) for ch in shown.text), shown
        state.prompt()
        state.typing_lines(float(len(lines)))


def _is_control(ch: str) -> bool:
    """C0 (but TAB) and C1 control characters: none may reach the terminal."""
    code = ord(ch)
    return (code < 32 and ch != "\t") or 0x7F <= code <= 0x9F


def test_one_input(data: bytes) -> None:
    lines = data.decode("utf-8", errors="replace").splitlines()[:32]
    for line in lines:
        check_command(line)
        holds_password(line)
    check_state(lines)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
