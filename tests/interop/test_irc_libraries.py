"""Bots written with two IRC libraries from PyPI, jaraco's ``irc`` and ``pydle``, chat through
a real Parley server with a CHAT/1.0 user: the lobby both ways, direct messages both ways,
and (pydle) SASL PLAIN to an account that was made from the CHAT/1.0 door.

Neither library knows Parley; what they expect of a server (registration, ISUPPORT, CAP
negotiation, SASL) is what any IRC server gives them. They are dev dependencies; without them
these tests are skipped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from parley.protocol.chat1 import encode_password
from parley.server.config import ServerConfig
from tests.server.conftest import LineClient, ServerThread

pytest.importorskip("irc.client")
pytest.importorskip("pydle")
pytest.importorskip("puresasl")  # pydle's SASL needs it (its "sasl" extra)

import irc.client as irc_client  # after the skips
import pydle


@pytest.fixture
def port() -> Iterator[int]:
    """A real server on a loopback port (in a thread of this process, as tests/server run it)."""
    server = ServerThread(ServerConfig(host="127.0.0.1", console="off", ephemeral=True)).start()
    yield server.port
    server.stop()


def _chat1_user(port: int, name: str, password: str = "") -> LineClient:
    """A CHAT/1.0 client with the rooms and dm extensions (a signed-up account if `password`)."""
    client = LineClient(port)
    client.send(b"EXTEND rooms dm CHAT/1.0\n")
    assert client.line().startswith(b"210 ")
    if password:
        client.send(f"SIGNUP {name} {encode_password(password)} CHAT/1.0\n".encode())
    else:
        client.send(f"REGISTER {name} CHAT/1.0\n".encode())
    assert client.line() == b"200 Registration successful"
    return client


def test_a_jaraco_irc_bot_chats_with_a_chat1_user(port: int) -> None:
    reactor = irc_client.Reactor()
    heard: list[Any] = []
    for kind in ("welcome", "join", "pubmsg", "privmsg"):
        reactor.add_global_handler(kind, lambda connection, event: heard.append(event))

    def pump(until: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, [e.type for e in heard]
            reactor.process_once(0.05)

    def seen(kind: str, text: str = "") -> Callable[[], bool]:
        return lambda: any(e.type == kind and text in " ".join(e.arguments) for e in heard)

    carol = _chat1_user(port, "carol")
    bot = reactor.server().connect("127.0.0.1", port, "jbot", ircname="A jaraco bot")
    try:
        pump(seen("welcome"))
        bot.join("#lobby")  # joined on arrival already: the server's JOIN is what it sees
        pump(lambda: any(e.type == "join" and e.target == "#lobby" for e in heard))
        carol.send(b"@carol: hello, bot\n")
        pump(seen("pubmsg", "hello, bot"))
        said = next(e for e in heard if e.type == "pubmsg")
        assert (said.source.nick, said.target) == ("carol", "#lobby")
        bot.privmsg("#lobby", "hello, carol")
        assert carol.line() == b"@jbot: hello, carol"
        carol.send(b"@carol > jbot: just between us\n")
        pump(seen("privmsg", "just between us"))
        private = next(e for e in heard if e.type == "privmsg")
        assert (private.source.nick, private.target) == ("carol", "jbot")
        bot.privmsg("carol", "understood")
        assert carol.line() == b"@jbot > carol: understood"
    finally:
        bot.close()
        carol.close()


class _PydleBot(pydle.Client):  # type: ignore[misc]
    """Records what others say to it; `ready` once registered (at the end of the MOTD).

    pydle 1.2 keeps `nickname` at "<unregistered>" after registration (against ngircd too),
    so the bot's own lines, which come back with echo-message, are told apart by `nick`.
    """

    def __init__(self, nick: str, **kwargs: Any) -> None:
        super().__init__(nick, **kwargs)
        self.nick = nick
        self.ready = asyncio.Event()
        self.heard: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
        self.logged_in = False

    async def on_connect(self) -> None:
        await super().on_connect()
        self.ready.set()

    async def on_raw_900(self, message: Any) -> None:  # RPL_LOGGEDIN
        self.logged_in = True

    async def on_channel_message(self, target: str, by: str, message: str) -> None:
        if by != self.nick:  # its own lines come back as echoes (echo-message)
            await self.heard.put((target, by, message))

    async def on_private_message(self, target: str, by: str, message: str) -> None:
        if by != self.nick:
            await self.heard.put((target, by, message))


def test_a_pydle_bot_logs_in_with_sasl_and_chats(port: int) -> None:
    dave = _chat1_user(port, "dave")
    owner = _chat1_user(port, "pyacct", password="a long password")
    owner.close()  # the account stays; its name is now registered

    async def scenario() -> None:
        bot = _PydleBot("pyacct", sasl_username="pyacct", sasl_password="a long password")
        await bot.connect("127.0.0.1", port, tls=False)
        try:
            await asyncio.wait_for(bot.ready.wait(), 10)
            assert bot.logged_in  # 900: without SASL the name would be refused (433)
            await bot.join("#lobby")
            dave.send(b"@dave: morning, pydle\n")
            heard = await asyncio.wait_for(bot.heard.get(), 5)
            assert heard == ("#lobby", "dave", "morning, pydle")
            await bot.message("#lobby", "morning, dave")
            assert await asyncio.to_thread(dave.line) == b"@pyacct: morning, dave"
            dave.send(b"@dave > pyacct: a word in private\n")
            heard = await asyncio.wait_for(bot.heard.get(), 5)
            assert heard == ("pyacct", "dave", "a word in private")
            await bot.message("dave", "noted")
            assert await asyncio.to_thread(dave.line) == b"@pyacct > dave: noted"
        finally:
            await bot.disconnect()

    try:
        asyncio.run(scenario())
    finally:
        dave.close()
