"""The plain door over a real socket: a person with netcat, and seed 002/003 clients.

Nothing here waits for a fixed time. A check that something did not arrive sends a marker
after it (``/who``, answered in order) and reads that next; a test about pauses waits on the
server's own loop clock, whose timers fire in order (see `pause_on_server`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import TypeVar

import pytest

from tests.server.conftest import LineClient, MakeServer, ServerThread, wait_for

T = TypeVar("T")


@pytest.fixture
def server(make_server: MakeServer) -> ServerThread:
    return make_server(greet_delay=0.2, fragment_pause=0.1)


def person(server: ServerThread, name: str) -> LineClient:
    """Connect, wait for the greeting, answer the name prompt."""
    client = LineClient(server.port)
    assert client.lines(2) == [b"Welcome to Parley. Type your name and press Enter.", b"Name: "]
    client.send(f"{name}\r\n".encode())
    assert client.line().startswith(f"Registration successful. Welcome, {name}!".encode())
    assert client.line() == b"Type to chat in the lobby; /help lists the commands."
    return client


def seed003(server: ServerThread, name: str) -> LineClient:
    with server_held(server):  # it speaks before the server has even seen the connection
        client = LineClient(server.port)
        client.send(f"server:register {name}".encode())  # one write, no line end
    assert client.line().startswith(b"Registration successful.")
    return client


@contextlib.contextmanager
def server_held(server: ServerThread) -> Iterator[None]:
    """The server's event loop stands still (in a callback of ours) for the block.

    What a client sends meanwhile is waiting when the server accepts its connection, so it
    is read at once, never after the greeting delay.
    """
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(10)

    server.call(hold)
    assert holding.wait(5), "the server's loop is not running"
    try:
        yield
    finally:
        release.set()


def on_server_loop(server: ServerThread, fn: Callable[[], T]) -> T:
    """`fn()`, run on the server's loop between two of its callbacks."""
    result: Future[T] = Future()

    def run() -> None:
        try:
            result.set_result(fn())
        except BaseException as error:
            result.set_exception(error)

    server.call(run)
    return result.result(timeout=5)


def pending_bytes(server: ServerThread, client: LineClient) -> int | None:
    """Bytes of an unfinished line the server has read from `client` (None: not accepted)."""
    address = "{}:{}".format(*client.sock.getsockname()[:2])
    chat = server.server
    assert chat is not None

    def look() -> int | None:
        for connection in chat.connections():
            if connection.address == address:
                return connection._framer.pending
        return None

    return on_server_loop(server, look)


def read_up_to(server: ServerThread, client: LineClient, count: int) -> bool:
    """Wait until the server holds `count` bytes of `client`'s unfinished line."""
    return wait_for(lambda: pending_bytes(server, client) == count)


def pause_on_server(server: ServerThread, seconds: float) -> None:
    """Return once `seconds` have passed on the server's loop clock from now.

    The loop runs its timers in the order they are due, so every timer the server set
    before now for at most `seconds` (a greeting, a fragment pause) has run by then.
    """
    passed = threading.Event()
    loop = server.loop
    assert loop is not None
    on_server_loop(server, lambda: loop.call_later(seconds, passed.set))
    assert passed.wait(seconds + 5)


def type_slowly(server: ServerThread, typist: LineClient, keys: bytes, typed: int = 0) -> None:
    """Send `keys` one write each, as seed 000's client does; after each key but the last the
    server has read it (on its own: the one before was read already) and has then heard
    nothing for twice its fragment pause. `typed`: bytes of this line read already."""
    for count, key in enumerate(keys[:-1], typed + 1):
        typist.send(bytes([key]))
        assert read_up_to(server, typist, count), f"key {count} not read"
        pause_on_server(server, 2 * server.config.fragment_pause)
    typist.send(keys[-1:])


def test_silent_connection_is_greeted_and_can_chat_with_chat1_clients(server: ServerThread) -> None:
    alice = person(server, "alice")
    bob = LineClient(server.port)
    assert bob.register("bob") == b"200 Registration successful"
    alice.send(b"hello from netcat\n")
    assert bob.line() == b"@alice: hello from netcat"
    bob.send(b"@bob: hi alice\n")
    assert alice.line() == b"bob: hi alice"


def test_name_taken_and_invalid_prompt_again(server: ServerThread) -> None:
    alice = person(server, "alice")
    client = LineClient(server.port)
    client.lines(2)
    client.send(b"Alice\n")
    assert client.lines(2) == [
        b"Username Alice is already taken, please choose another.",
        b"Name: ",
    ]
    client.send(b"two words\n")
    assert client.line().startswith(b"Invalid username")
    assert client.line() == b"Name: "
    client.send(b"carol\n")
    assert client.line().startswith(b"Registration successful. Welcome, carol!")
    alice.close()


def test_first_line_without_waiting_is_the_name(server: ServerThread) -> None:
    with server_held(server):
        client = LineClient(server.port)
        client.send(b"dave\n")
    assert client.line().startswith(b"Registration successful. Welcome, dave!")


def test_seed002_commands_question_mark_and_arrow(server: ServerThread) -> None:
    alice, joe = person(server, "alice"), person(server, "Joe")
    alice.send(b"?\n")
    assert alice.line() == b"Online (2): alice, Joe"
    alice.send(b"Hi how are you > Joe\n")
    assert joe.line() == b"alice (private): Hi how are you"
    alice.send(b"hello > nobody\n")
    assert alice.line() == b"! No such user nobody."
    joe.send(b"/who\n")  # answered after anything sent to joe before it
    assert joe.line() == b"Online (2): alice, Joe"  # so nothing was


def test_slash_commands_rooms_and_announcements(server: ServerThread) -> None:
    alice, bob, carol = person(server, "alice"), person(server, "bob"), person(server, "carol")
    alice.send(b"/join teamchat\n")
    assert alice.lines(2) == [b"* alice joined teamchat", b"You are now in teamchat (1 here)."]
    bob.send(b"/join teamchat\n")
    assert bob.lines(2) == [b"* bob joined teamchat", b"You are now in teamchat (2 here)."]
    assert alice.line() == b"* bob joined teamchat"
    alice.send(b"Hello team!\n")
    assert bob.line() == b"alice (in teamchat): Hello team!"
    carol.send(b"/who\n")
    assert carol.line() == b"Online (3): alice, bob, carol"  # not in the room: nothing before it
    bob.send(b"/msg carol a secret\n")
    assert carol.line() == b"bob (private): a secret"
    carol.send(b"/rooms\n")
    assert carol.lines(2) == [b"lobby (3): alice, bob, carol", b"teamchat (2): alice, bob"]
    bob.send(b"/leave\n")
    assert alice.line() == b"* bob left teamchat"
    assert bob.lines(2) == [b"* bob left teamchat", b"You left teamchat; now in lobby."]
    bob.send(b"/frobnicate\n")
    assert bob.line() == b"! unknown command /frobnicate; type /help"
    bob.send(b"/quit\n")
    assert bob.line() == b"Goodbye."
    assert bob.closed()
    assert alice.line() == b"* bob disconnected"


def test_seed003_semantics_outside_and_inside_a_room(server: ServerThread) -> None:
    alice, bob = seed003(server, "Alice"), seed003(server, "Bob")
    alice.send(b"server:who")
    assert alice.line() == b"Online (2): Alice, Bob"
    alice.send(b"Bob:Hello Bob!")
    assert bob.line() == b"Alice: Hello Bob!"
    alice.send(b"just chatting")
    assert alice.line().startswith(b"! Unknown command.")
    alice.send(b"join teamchat\n")
    assert alice.lines(2) == [b"* Alice joined teamchat", b"You are now in teamchat (1 here)."]
    bob.send(b"server:join teamchat\n")
    bob.lines(2)
    alice.line()
    alice.send(b"who\n")  # inside a room every line is chat
    assert bob.line() == b"Alice (in teamchat): who"
    bob.send(b"leave\n")
    assert bob.lines(2)[1] == b"You left teamchat; now in lobby."
    bob.send(b"server:exit\n")
    assert bob.line() == b"Goodbye."
    assert bob.closed()


def test_seed003_name_taken(server: ServerThread) -> None:
    alice = seed003(server, "alice")
    client = LineClient(server.port)
    client.send(b"server:register alice\n")
    assert client.line() == b"Username alice is already taken, please choose another."
    alice.close()


def test_offline_message_through_plain_door(server: ServerThread) -> None:
    alice, bob = seed003(server, "alice"), seed003(server, "bob")
    bob.send(b"exit\n")
    assert bob.closed()
    assert alice.line() == b"* bob disconnected"
    alice.send(b"bob:see you later\n")
    assert alice.line() == (
        b"bob is offline and has no account; whoever takes the name next receives your message."
    )
    again = seed003(server, "bob")
    assert again.line().startswith(b"alice (private, sent ")
    alice.close()


def test_bare_cr_ends_lines(server: ServerThread) -> None:
    alice = person(server, "alice")
    bob = person(server, "bob")
    alice.send(b"one\rtwo\r")
    assert bob.lines(2) == [b"alice: one", b"alice: two"]


def test_oversize_and_bad_utf8_answered(server: ServerThread) -> None:
    alice = person(server, "alice")
    alice.send(b"x" * 10000 + b"\n")
    assert alice.line() == b"! Line too long (limit 8192 bytes)."
    alice.send(b"\xff\xfe\n")
    assert alice.line() == b"! That line was not valid UTF-8; please use UTF-8."
    alice.send(b"/who\n")
    assert alice.line() == b"Online (1): alice"


def test_shutdown_says_goodbye_to_people(server: ServerThread) -> None:
    alice = person(server, "alice")
    server.stop()
    assert alice.line() == b"Server closing your connection. Goodbye."
    assert alice.closed()


def test_lines_sent_together_reach_people_as_separate_lines(server: ServerThread) -> None:
    alice = person(server, "alice")
    bot = LineClient(server.port)
    assert bot.register("bot") == b"200 Registration successful"
    bot.send(b"@bot: one\n@bot: two\n@bot: three\n")
    assert alice.lines(3) == [b"bot: one", b"bot: two", b"bot: three"]


def test_controls_from_people_never_reach_others(server: ServerThread) -> None:
    alice = person(server, "alice")
    bot = LineClient(server.port)
    assert bot.register("bot") == b"200 Registration successful"
    alice.send(b"\x1b[2Jwipe\x07 this\n")
    assert bot.line() == "@alice: \ufffd[2Jwipe\ufffd this".encode()


def test_keystrokes_streamed_one_by_one_make_one_line(make_server: MakeServer) -> None:
    """Seed 000's client sends every key as it is typed, backspaces included; a person types
    slower than the fragment pause, and may take longer than the greeting delay."""
    server = make_server(greet_delay=0.5, fragment_pause=0.05)
    bot = LineClient(server.port)
    assert bot.register("bot") == b"200 Registration successful"
    with server_held(server):
        typist = LineClient(server.port)
        typist.send(b"d")
    assert read_up_to(server, typist, 1)
    pause_on_server(server, server.config.greet_delay)  # no greeting: it is typing
    type_slowly(server, typist, b"an\r", typed=1)
    # It spoke first (before the greeting delay), so its first line is its name.
    assert typist.line().startswith(b"Registration successful. Welcome, dan!")
    typist.line()
    type_slowly(server, typist, b"helo\x7flo!\r")
    assert bot.line() == b"@dan: hello!"
