"""End-to-end tests of the ``parley`` command, run as a user would run it.

The client is a subprocess (``python -m parley``) with piped stdin, so it is in line mode;
the terminal UI is tested in tests/client/test_tmux*.py. Servers are real sockets on
127.0.0.1: the project's server where behaviour is normal (every command form of every
seed goes through it), a `ScriptedServer` where the test needs the server to refuse, stay
silent, lack the extensions, say goodbye, break or send garbage, and the seed-only spec
server for a server that ignores EXTEND.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.client.address import ServerAddress
from parley.client.session import ChatClient, Registered
from parley.protocol.chat1 import IncomingMessage
from tests.client.peers import ScriptedServer
from tests.client.processes import (
    Finished,
    Process,
    RunningServer,
    chat_server,
    client_command,
    poll_until,
    run_client,
)

GOODBYE = b"DISCONNECT CHAT/1.0\n"
EXTEND = b"EXTEND rooms who presence history auth CHAT/1.0"
"""What the client asks for in the same write as REGISTER (the scripted server ignores it,
like a seed-004 server, so nothing else is ever asked of it)."""
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
        EXTEND,
        b"REGISTER alice CHAT/1.0",
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
        EXTEND,
        b"REGISTER alice CHAT/1.0",
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


# Every seed's commands through the real server ------------------------------------------


class User:
    """A ``parley`` process in line mode: lines typed to its stdin, its screen on stdout."""

    def __init__(
        self, server: RunningServer, name: str, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.process = Process(client_command(name, server.address, *args), env=env)

    def type(self, *lines: str) -> None:
        self.process.write("".join(f"{line}\n" for line in lines))

    def sees(self, pattern: str) -> None:
        self.process.wait_stdout(pattern)

    def is_told(self, pattern: str) -> None:
        self.process.wait_stderr(pattern)

    def ready(self, who: str = "/who") -> User:
        """Wait until registered with extensions on (the answer to `who` lists us)."""
        self.type(who)
        self.sees(rf"^Online \(\d+\): .*\b{self.name}\b")
        return self

    def leave(self) -> Finished:
        self.process.close_stdin()
        result = self.process.finish()
        assert_clean_exit(result, 0)
        return result

    def kill(self) -> None:
        self.process.kill()


@pytest.fixture(scope="module")
def real() -> Iterator[RunningServer]:
    with chat_server("real") as server:
        yield server


@pytest.fixture
def users() -> Iterator[list[User]]:
    started: list[User] = []
    yield started
    for user in started:
        user.kill()


def test_rooms_join_talk_list_and_leave(real: RunningServer, users: list[User]) -> None:
    alice, bob, carol = (User(real, name) for name in ("r_alice", "r_bob", "r_carol"))
    users += [alice, bob, carol]
    for user in users:
        user.ready()
    alice.type("/join teamchat")
    alice.sees("^You are now in teamchat")
    bob.type("/join #TeamChat")
    bob.sees("^You are now in teamchat")
    alice.sees(r"^\* r_bob joined teamchat$")
    alice.type("Hello team!")
    bob.sees(r"^r_alice \(in teamchat\): Hello team!$")
    bob.type("/rooms")
    bob.sees(r"^teamchat \(2\): r_alice, r_bob$")
    bob.type("/leave")
    bob.sees("^You left teamchat; now in the lobby.$")
    alice.sees(r"^\* r_bob left teamchat$")
    bob.type("back in the lobby")
    carol.sees("^@r_bob: back in the lobby$")
    alice.sees("^@r_bob: back in the lobby$")  # everyone stays in the lobby too
    # A script may talk right after /join: the line waits for the join to be answered.
    bob.type("/join teamchat", "straight after joining")
    alice.sees(r"^r_bob \(in teamchat\): straight after joining$")
    bob.leave()
    alice.sees(r"^\* r_bob disconnected$")
    assert not any("Hello team!" in line for line in carol.process.stdout)


def test_direct_messages_offline_delivery_and_unknown_names(
    real: RunningServer, users: list[User]
) -> None:
    alice, bob = User(real, "d_alice").ready(), User(real, "d_bob").ready()
    users += [alice, bob]
    alice.type("/msg d_bob psst")
    bob.sees(r"^d_alice \(private\): psst$")
    bob.type("fine thanks > d_alice")
    alice.sees(r"^d_bob \(private\): fine thanks$")
    bob.leave()
    alice.type("/msg d_bob see you later")
    alice.sees(
        "^d_bob is offline and has no account; whoever takes the name next will receive the"
        " message.$"
    )
    alice.type("/msg nobody_here hi")
    alice.is_told("^No such user nobody_here: nobody by that name has been online")
    back = User(real, "d_bob")
    users.append(back)
    back.sees(r"^d_alice \(private\): see you later \(sent [0-9][-0-9: ]+[0-9]\)$")


def test_seed002_question_mark_and_arrow(real: RunningServer, users: list[User]) -> None:
    erin = User(real, "s2_erin", "--commands", "seed002").ready("?")
    frank = User(real, "s2_frank").ready("?")  # the default style has them too
    users += [erin, frank]
    erin.type("Hi how are you > s2_frank")
    frank.sees(r"^s2_erin \(private\): Hi how are you$")
    erin.type("/who")  # no slash commands in seed 002: chat
    frank.sees("^@s2_erin: /who$")


def test_seed003_commands_outside_and_inside_a_room(real: RunningServer, users: list[User]) -> None:
    gina = User(real, "s3_gina", "--commands", "seed003").ready("who")
    hal = User(real, "s3_hal").ready()
    users += [gina, hal]
    gina.type("server:who")
    poll_until(lambda: sum(line.startswith("Online") for line in gina.process.stdout) == 2, "2")
    gina.type("s3_hal:Hello Hal!")
    hal.sees(r"^s3_gina \(private\): Hello Hal!$")
    gina.type("message", "s3_hal", "composed in two steps")
    hal.sees(r"^s3_gina \(private\): composed in two steps$")
    hal.type("s3_gina:hi")  # in the default style that is chat
    gina.sees("^@s3_hal: s3_gina:hi$")
    gina.type("leave")
    gina.is_told("^You are not in a chat room.$")
    gina.type("hello?")
    gina.is_told("^Unknown command")
    gina.type("join den")
    gina.sees("^You are now in den: what you type goes there")
    hal.type("/join den")
    hal.sees("^You are now in den")
    gina.type("who", "exit")  # in a room every line is chat, except leave
    hal.sees(r"^s3_gina \(in den\): who$")
    hal.sees(r"^s3_gina \(in den\): exit$")
    gina.type("leave", "server:exit")
    gina.sees("^You left den; now in the lobby.$")
    assert gina.process.finish().status == 0
    hal.sees(r"^\* s3_gina disconnected$")
    ivan = User(real, "s3_ivan", "--commands", "seed003")
    users.append(ivan)
    ivan.type("exit")
    assert ivan.process.finish().status == 0


def test_help_lists_the_commands(real: RunningServer, users: list[User]) -> None:
    jo = User(real, "h_jo").ready()
    users.append(jo)
    jo.type("/help")
    jo.sees(r"^  /msg NAME TEXT")
    jo.sees(r"^  /live \[on\|off\]")


def test_seed004_style_sends_exactly_seed_004() -> None:
    with ScriptedServer() as server:
        result = run_client(
            "alice",
            server.address,
            "--commands",
            "seed004",
            stdin_text="/quit\n?\na > bob\n/join x\n",
        )
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        lines = server.lines
    assert_clean_exit(result, 0)
    assert lines == [
        b"REGISTER alice CHAT/1.0",
        b"@alice: /quit",
        b"@alice: ?",
        b"@alice: a > bob",
        b"@alice: /join x",
        b"DISCONNECT alice CHAT/1.0",
    ]
    assert result.stderr == []


def test_server_without_extensions_gets_plain_chat_and_clear_refusals() -> None:
    with ScriptedServer() as server:
        result = run_client(
            "alice",
            server.address,
            stdin_text="/join teamchat\n/msg bob hi\n?\nhi > bob\n/live\nhello\n",
        )
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        lines = server.lines
    assert_clean_exit(result, 0)
    assert lines == [
        EXTEND,
        b"REGISTER alice CHAT/1.0",
        b"@alice: hello",
        b"DISCONNECT alice CHAT/1.0",
    ]
    assert result.stderr == [
        "This server does not support rooms.",
        "This server does not support direct messages.",
        "This server does not support listing who is online.",
        "This server does not support direct messages.",
        "Live typing needs the terminal UI; it is not available with --plain or piped input.",
    ]


def test_silent_seed004_server_is_waited_for_briefly() -> None:
    with chat_server("spec") as server:
        result = run_client(
            "--timeout", "1", "alice", server.address, stdin_text="/who\nhello\n", timeout=8
        )
    assert_clean_exit(result, 0)
    assert result.stderr == ["This server does not support listing who is online."]


def test_a_script_gets_the_answers_to_its_last_commands(real: RunningServer) -> None:
    result = run_client(
        "probe", real.address, stdin_text="/who\n/rooms\n/msg nobody_at_all hi\n/quit\n"
    )
    assert_clean_exit(result, 0)
    assert any(line.startswith("Online (") and "probe" in line for line in result.stdout)
    assert any(line.startswith("lobby (") for line in result.stdout)
    assert result.stderr == [
        "No such user nobody_at_all: nobody by that name has been online since the server "
        "started. The message was not sent."
    ]


# Accounts, history and topics through the real server -------------------------------------

SECRET = "correct horse battery"
NEW_SECRET = "staple of the new age"
STAMP = r"\[(\d{4}-\d\d-\d\d )?\d\d:\d\d\]"
"""How a stored message's time is shown: ``[08:00]``, or with its date if not today."""


def test_signup_then_log_in_with_the_password_from_env_file_or_option(
    real: RunningServer, tmp_path: Path
) -> None:
    created = run_client(
        "--signup",
        "--password",
        SECRET,
        "acct_amy",
        real.address,
        stdin_text="/join amys\nhello amys\n",
    )
    assert_clean_exit(created, 0)
    assert created.stdout[:2] == [
        "Account created: the name acct_amy now needs its password to log in.",
        "You are now in amys: what you type goes there (/leave leaves it).",
    ]
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET + "\n")
    for args, env in (
        (["--password-file", str(secret_file)], None),
        ([], {"PARLEY_PASSWORD": SECRET}),
        (["--password", SECRET], None),
    ):
        result = run_client(*args, "acct_amy", real.address, stdin_text="/history #amys\n", env=env)
        assert_clean_exit(result, 0)
        assert result.stderr == []
        assert result.stdout[0] == (
            "You are in amys again (your rooms are remembered): /join amys talks there."
        )
        assert re.fullmatch(rf"{STAMP} acct_amy \(in amys\): hello amys", result.stdout[1])
        assert result.stdout[2] == "--- end of history of amys (/more for older ones) ---"
    assert SECRET not in " ".join(result.stdout + result.stderr)


def test_a_name_with_an_account_is_refused_without_its_password(real: RunningServer) -> None:
    assert_clean_exit(
        run_client("--signup", "acct_bo", real.address, env={"PARLEY_PASSWORD": SECRET}), 0
    )
    anonymous = run_client("acct_bo", real.address, stdin_text="hi\n")
    assert_clean_exit(anonymous, 1)
    assert anonymous.stderr == [
        "parley: the name 'acct_bo' has an account: give its password with "
        "--password-file FILE or PARLEY_PASSWORD"
    ]
    wrong = run_client("acct_bo", real.address, env={"PARLEY_PASSWORD": "not the password"})
    assert_clean_exit(wrong, 1)
    assert wrong.stderr == [
        "parley: wrong name or password for 'acct_bo' (407 Invalid name or password)"
    ]
    short = run_client("--signup", "--password", "short", "acct_cy", real.address)
    assert_clean_exit(short, 1)
    assert "a password has at least 8 characters" in short.stderr[0]
    taken = run_client("--signup", "--password", SECRET, "acct_bo", real.address)
    assert_clean_exit(taken, 1)
    assert "already taken" in taken.stderr[0]
    unasked = run_client("--signup", "acct_cy", real.address)
    assert_clean_exit(unasked, 2)
    assert "--signup needs the new account's password" in unasked.stderr[0]


def test_failed_logins_are_slowed_down_and_the_client_says_how_long() -> None:
    throttled = re.compile(
        r"parley: too many failed logins for 'slow': try again in \d+ s "
        r"\(429 Too many failed attempts; wait \d+ s\)"
    )
    with chat_server("real") as server:  # its own server: the failures count per address too
        run_client("--signup", "--password", SECRET, "slow", server.address)
        results = [
            run_client("--password", "guess guess", "slow", server.address) for _ in range(3)
        ]
        # Past three free failures each waits 1, 2, 4 ... s after the last: a client that
        # takes longer than that to start (a loaded machine) is simply checked again.
        for _ in range(5):
            results.append(run_client("--password", "guess guess", "slow", server.address))
            if throttled.fullmatch(results[-1].stderr[0]):
                break
    assert {result.status for result in results} == {1}
    assert all("wrong name or password" in result.stderr[0] for result in results[:3])
    assert throttled.fullmatch(results[-1].stderr[0])


def test_register_change_and_drop_an_account_from_a_script(real: RunningServer) -> None:
    both = {"PARLEY_PASSWORD": SECRET, "PARLEY_NEW_PASSWORD": NEW_SECRET}
    result = run_client(
        "acct_dee", real.address, stdin_text="/register\n/password\n/unregister\n", env=both
    )
    assert_clean_exit(result, 0)
    assert result.stdout == [
        "Account created: the name acct_dee now needs its password to log in.",
        "Password changed.",
        "Account deleted: the name acct_dee no longer needs a password.",
    ]
    assert result.stderr == []
    # Step by step: each one sees what the one before did.
    steps = [
        ("/register\n", {"PARLEY_PASSWORD": SECRET}, "Account created"),
        ("/password\n", both, "Password changed."),
        ("/unregister\n", {"PARLEY_PASSWORD": SECRET}, None),
        ("/unregister\n", {"PARLEY_PASSWORD": NEW_SECRET}, "Account deleted"),
    ]
    for stdin_text, env, shown in steps:
        step = run_client("acct_eve", real.address, stdin_text=stdin_text, env=env)
        if shown is None:  # the old password no longer logs in
            assert_clean_exit(step, 1)
            assert "wrong name or password" in step.stderr[0]
        else:
            assert_clean_exit(step, 0)
            assert step.stdout[0].startswith(shown)
    assert_clean_exit(run_client("acct_eve", real.address, stdin_text="free again\n"), 0)


def test_account_commands_in_a_script_without_passwords_say_what_is_missing(
    real: RunningServer,
) -> None:
    result = run_client(
        "acct_fay",
        real.address,
        stdin_text="/register\n/password\n/register secret!!\n",
        env={"PARLEY_PASSWORD": SECRET},
    )
    assert_clean_exit(result, 0)
    assert result.stdout == ["Account created: the name acct_fay now needs its password to log in."]
    assert result.stderr == [
        "/password needs the new password, which is asked for only at a terminal: give it "
        "with --new-password-file FILE or PARLEY_NEW_PASSWORD. Nothing was sent.",
        "/register takes no arguments: the passwords are asked for without echo (in a "
        "script they come from --password-file or PARLEY_PASSWORD)",
    ]
    bare = run_client("acct_gus", real.address, stdin_text="/register\n")
    assert bare.stderr == [
        "/register needs the password, which is asked for only at a terminal: give it with "
        "--password-file FILE or PARLEY_PASSWORD. Nothing was sent."
    ]


def test_history_after_join_and_on_request(real: RunningServer, users: list[User]) -> None:
    hana = User(real, "h_hana").ready()
    users.append(hana)
    hana.type("/join annals", "one", "two", "three")
    hana.type("/topic Minutes of the day")
    hana.sees("^Topic of annals: Minutes of the day$")
    ivo = User(real, "h_ivo").ready()
    users.append(ivo)
    ivo.type("/join annals")
    ivo.sees("^--- end of history of annals")
    shown = ivo.process.stdout
    start = shown.index("You are now in annals: what you type goes there (/leave leaves it).")
    assert shown[start + 1] == "Topic of annals: Minutes of the day"
    assert [re.sub(STAMP, "[T]", line) for line in shown[start + 2 : start + 6]] == [
        "[T] h_hana (in annals): one",
        "[T] h_hana (in annals): two",
        "[T] h_hana (in annals): three",
        "--- end of history of annals (/more for older ones) ---",
    ]
    ivo.type("/history 2", "/more", "/more", "/msg h_hana thanks", "/history @h_hana")
    hana.sees(r"^h_ivo \(private\): thanks$")
    ivo.sees(f"^{STAMP} h_ivo \\(private to h_hana\\): thanks$")
    result = ivo.leave()
    later = result.stdout[start + 6 :]
    assert [re.sub(STAMP, "[T]", line) for line in later] == [
        "[T] h_hana (in annals): two",
        "[T] h_hana (in annals): three",
        "--- end of history of annals (/more for older ones) ---",
        "[T] h_hana (in annals): one",
        "--- end of history of annals (/more for older ones) ---",
        "No earlier messages in annals.",
        "[T] h_ivo (private to h_hana): thanks",
        "--- end of history with h_hana (/more for older ones) ---",
    ]


def test_history_and_accounts_survive_a_restart(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path / "data"))
    with chat_server("real", data) as server:
        first = run_client(
            "--signup",
            "--password",
            SECRET,
            "keeper",
            server.address,
            stdin_text="/join vault\nkept across restarts\n",
        )
        assert_clean_exit(first, 0)
        server.stop()
    with chat_server("real", data) as server:
        again = run_client(
            "keeper",
            server.address,
            stdin_text="/history #vault\n",
            env={"PARLEY_PASSWORD": SECRET},
        )
    assert_clean_exit(again, 0)
    assert again.stdout[0].startswith("You are in vault again")
    assert re.fullmatch(rf"{STAMP} keeper \(in vault\): kept across restarts", again.stdout[1])


def test_a_password_to_a_server_without_accounts_does_no_harm() -> None:
    with chat_server("spec") as server:

        async def listen() -> Finished:
            address = ServerAddress("127.0.0.1", server.port)
            async with await ChatClient.connect(address) as ear:
                assert isinstance(await ear.register("spec_ear"), Registered)
                speaking = asyncio.to_thread(
                    run_client,
                    *("--timeout", "1", "--password", SECRET, "spec_mouth", server.address),
                    stdin_text="hello anyway\n",
                )
                result = await speaking
                heard = await asyncio.wait_for(ear.receive(), 5)
                assert heard == IncomingMessage("spec_mouth", "hello anyway")
                return result

        result = asyncio.run(asyncio.wait_for(listen(), 10))
        signup = run_client(
            "--timeout", "0.5", "--signup", "--password", SECRET, "x", server.address
        )
    assert_clean_exit(result, 0)
    assert_clean_exit(signup, 1)
    assert "does not support accounts, so --signup cannot create one" in signup.stderr[0]


def test_the_wire_with_a_password_and_a_seed_004_server() -> None:
    with ScriptedServer() as server:
        result = run_client(
            "--timeout", "1", "--password", SECRET, "alice", server.address, stdin_text="hi\n"
        )
        server.wait_for_line(b"DISCONNECT alice CHAT/1.0")
        lines = server.lines
    assert_clean_exit(result, 0)
    assert lines == [
        b"EXTEND rooms who presence history auth CHAT/1.0",
        b"REGISTER alice CHAT/1.0",
        b"@alice: hi",  # no EXTEND after 200: a seed-004 server might relay it to everyone
        b"DISCONNECT alice CHAT/1.0",
    ]
