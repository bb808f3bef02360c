"""End-to-end tests of the ``parley`` command, run as a user would run it.

The client is a subprocess (``python -m parley``) with piped stdin, so it is in line mode;
the terminal UI is tested in tests/client/test_tmux.py. Servers are real sockets on
127.0.0.1: the project's server (or the spec server until it exists) where behaviour is
normal, a `ScriptedServer` where the test needs the server to refuse, stay silent, say
goodbye, break or send garbage.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from parley.client.address import ServerAddress
from parley.client.session import ChatClient, Registered
from parley.protocol.chat1 import IncomingMessage
from tests.client.peers import ScriptedServer
from tests.client.processes import (
    Finished,
    Process,
    chat_server,
    client_command,
    run_client,
)

GOODBYE = b"DISCONNECT CHAT/1.0\n"
EXTEND = b"EXTEND rooms dm who presence CHAT/1.0"
"""What the client asks for right after 200 (the scripted server never answers it)."""
CHATTING = b"@server: you are in\n"
"""Sent by the scripted server after its 200, so a test knows the client is chatting."""


def assert_clean_exit(result: Finished, status: int) -> None:
    assert result.status == status, result
    assert not any("Traceback" in line for line in result.stderr), result.stderr


def assert_one_error_line(result: Finished, fragment: str) -> None:
    assert_clean_exit(result, 2)
    assert len(result.stderr) == 1, result.stderr
    assert result.stderr[0].startswith("parley: ")
    assert fragment in result.stderr[0]
    assert result.stdout == []


# Every command-line form connects, registers, sends and says goodbye --------------------


@pytest.mark.parametrize(
    ("args", "stdin_text"),
    [
        (["alice", "{url}"], "hello\n"),
        (["127.0.0.1", "{port}"], "alice\nhello\n"),
        (["--host", "127.0.0.1", "--port", "{port}", "--name", "alice"], "hello\n"),
        (["--host", "127.0.0.1", "--port", "{port}"], "alice\nhello\n"),
        (["--name", "alice", "{url}"], "hello\n"),
    ],
)
def test_each_form_registers_sends_and_disconnects(args: list[str], stdin_text: str) -> None:
    with ScriptedServer() as server:
        filled = [arg.format(url=server.address, port=server.port) for arg in args]
        result = run_client(*filled, stdin_text=stdin_text)
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        lines = server.lines
    assert_clean_exit(result, 0)
    assert lines == [
        b"REGISTER alice CHAT/1.0",
        EXTEND,
        b"@alice: hello",
        b"DISCONNECT alice CHAT/1.0",
    ]
    assert result.stderr == []  # progress lines are for terminals only


def test_console_script_is_the_same_client() -> None:
    script = Path(sys.executable).with_name("parley")
    if not script.exists():
        pytest.skip(f"no console script at {script} (package not installed with pip -e?)")
    with ScriptedServer() as server:
        process = Process([str(script), "alice", server.address], stdin_text="via script\n")
        result = process.finish()
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        assert b"@alice: via script" in server.lines
    assert_clean_exit(result, 0)


def test_empty_lines_are_not_sent_and_quit_stops() -> None:
    with ScriptedServer() as server:
        result = run_client(
            "alice", server.address, stdin_text="\n   \nfirst\n\tindented\n/quit\nnever sent\n"
        )
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        lines = server.lines
    assert_clean_exit(result, 0)
    assert lines == [
        b"REGISTER alice CHAT/1.0",
        EXTEND,
        b"@alice: first",
        b"@alice: \tindented",
        b"DISCONNECT alice CHAT/1.0",
    ]


# Address and connection errors: one line on stderr, exit status 2 ------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["alice", "chat://127.0.0.1"], "missing port"),
        (["alice", "chat://127.0.0.1:0"], "bad port '0'"),
        (["alice", "chat://127.0.0.1:70000"], "bad port '70000'"),
        (["alice", "chat://127.0.0.1:abc"], "bad port 'abc'"),
        (["alice", "http://127.0.0.1:5000"], "unsupported scheme 'http'"),
        (["alice", "chat://:5000"], "missing host"),
        (["127.0.0.1", "abc"], "bad port 'abc'"),
        (["--host", "127.0.0.1", "--port", "0"], "bad port '0'"),
        ([], "no server address given"),
        (["--bogus"], "unrecognized arguments"),
        (["alice", "chat://no-such-host.invalid:5000"], "unknown host 'no-such-host.invalid'"),
    ],
)
def test_address_errors_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    assert_one_error_line(run_client(*args), fragment)


def test_refused_connection_exits_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert_one_error_line(run_client("alice", f"chat://127.0.0.1:{port}"), "connection refused")


def test_silent_server_times_out_with_exit_2() -> None:
    with ScriptedServer([None]) as server:
        result = run_client("--timeout", "0.3", "alice", server.address, stdin_text="hi\n")
    assert_clean_exit(result, 2)
    assert result.stderr == [f"parley: no reply from {server.address} to registration within 0.3 s"]


# Name refused: exit status 1 when nobody can be asked for another ------------------------


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (b"401 Client already registered\n", "the name 'alice' is already taken"),
        (b"400 Invalid registration\n", "the server says the name 'alice' is invalid"),
    ],
)
def test_refused_name_exits_1(reply: bytes, fragment: str) -> None:
    with ScriptedServer([reply]) as server:
        result = run_client("alice", server.address, stdin_text="hi\n")
        lines = server.lines
    assert_clean_exit(result, 1)
    assert len(result.stderr) == 1
    assert fragment in result.stderr[0]
    assert reply.decode().strip() in result.stderr[0]
    assert b"@alice: hi" not in lines


def test_name_that_cannot_go_on_the_wire_exits_1_without_connecting() -> None:
    with ScriptedServer() as server:
        result = run_client(server.address, stdin_text="two words\n")
        assert server.lines == []
    assert_clean_exit(result, 1)
    assert "single word" in result.stderr[0]


def test_no_name_before_end_of_input_exits_2() -> None:
    with ScriptedServer() as server:
        result = run_client("127.0.0.1", str(server.port), stdin_text="")
    assert_one_error_line(result, "no name given")


# Leaving: signals, the server's goodbye, a dropped connection ----------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_sends_disconnect_and_exits_0(signum: signal.Signals) -> None:
    with ScriptedServer(after_register=CHATTING) as server:
        client = Process(client_command("alice", server.address))
        try:
            client.wait_stdout("^@server: you are in$")
            client.signal(signum)
            server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 0)
    assert result.stderr == []


def test_server_goodbye_prints_notice_and_exits_0() -> None:
    with ScriptedServer(after_register=CHATTING) as server:
        client = Process(client_command("alice", server.address))
        try:
            client.wait_stdout("you are in")
            server.send(b"@bob: bye all\n" + GOODBYE)
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 0)
    assert result.stdout == ["@server: you are in", "@bob: bye all"]
    assert result.stderr == ["Disconnected from server ... exiting now!"]


def test_dropped_connection_exits_3() -> None:
    with ScriptedServer(after_register=CHATTING) as server:
        client = Process(client_command("alice", server.address))
        try:
            client.wait_stdout("you are in")
            server.drop()
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 3)
    assert result.stderr == ["parley: connection to server lost"]


# What the server says ---------------------------------------------------------------------


def test_other_lines_before_200_are_shown_and_any_200_wording_is_accepted() -> None:
    with ScriptedServer([b"200 OK\n"], before_reply=b"Welcome!\n") as server:
        result = run_client("alice", server.address, stdin_text="hi\n")
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
    assert_clean_exit(result, 0)
    assert result.stdout == ["Welcome!"]


def test_error_replies_are_shown_on_stderr_and_do_not_end_the_session() -> None:
    with ScriptedServer(after_register=CHATTING) as server:
        client = Process(client_command("alice", server.address))
        try:
            client.wait_stdout("you are in")
            server.send(b"403 Sender does not match registration\n@bob: still here\n")
            client.wait_stdout("^@bob: still here$")
            client.write("reply\n")
            server.wait_for_line(b"@alice: reply")
            server.send(GOODBYE)
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 0)
    assert "server: 403 Sender does not match registration" in result.stderr


def test_garbage_from_the_server_is_shown_harmlessly() -> None:
    flood = b"@flood: " + b"x" * 70_000 + b"\n"
    garbage = b"caf\xe9 \xff\n" + flood + b"\x1b[2Jclear?\n@bob: ok\n" + GOODBYE
    with ScriptedServer(after_register=CHATTING) as server:
        client = Process(client_command("alice", server.address))
        try:
            client.wait_stdout("you are in")
            server.send(garbage)
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 0)
    assert result.stdout == [
        "@server: you are in",
        "caf\ufffd \ufffd",
        "[a line longer than 65536 bytes was dropped]",
        "\ufffd[2Jclear?",
        "@bob: ok",
    ]


# Against the project's server (or the spec server until it exists) -----------------------


def test_two_users_talk_through_a_real_server() -> None:
    with chat_server() as server:
        client = Process(client_command("bob", server.address))
        try:

            async def alice_side() -> None:
                address = ServerAddress("127.0.0.1", server.port)
                async with await ChatClient.connect(address) as alice:
                    assert isinstance(await alice.register("alice"), Registered)
                    # Alice is registered before bob reads this line, so she must receive it.
                    client.write("first from bob\n")
                    event = await asyncio.wait_for(alice.receive(), 5)
                    assert event == IncomingMessage("bob", "first from bob")
                    await alice.send("hello bob")
                    await asyncio.to_thread(client.wait_stdout, "^@alice: hello bob$")
                    await alice.disconnect()

            asyncio.run(asyncio.wait_for(alice_side(), 10))
            client.close_stdin()
            result = client.finish()
        finally:
            client.kill()
    assert_clean_exit(result, 0)
    assert "@alice: hello bob" in result.stdout
