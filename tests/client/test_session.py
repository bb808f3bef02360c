"""Socket tests of parley.client.session.ChatClient against scripted peers on 127.0.0.1.

Each test runs its own event loop with an asyncio server on port 0 that behaves as the test
needs: polite, silent, rude or broken.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from parley.client.address import ServerAddress
from parley.client.passwords import Secret
from parley.client.requests import (
    ChatMessage,
    DirectMessage,
    Extend,
    Join,
    Leave,
    Rooms,
    TypingUpdate,
    Who,
)
from parley.client.session import (
    MAX_INCOMING_LINE,
    CertificateError,
    ChatClient,
    ConnectError,
    ConnectionClosed,
    ConnectionLostError,
    Refused,
    Registered,
    RegistrationTimeoutError,
    SessionEvent,
)
from parley.client.trust import pinning_context
from parley.protocol.chat1 import IncomingMessage, Notice, NumericReply, ServerDisconnect

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 10))


class Peer:
    """An asyncio server on 127.0.0.1:0 running `handler` and keeping what clients sent."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.received: list[bytes] = []
        self.server: asyncio.Server | None = None
        self.done = asyncio.Event()

    async def __aenter__(self) -> ServerAddress:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await self.handler(reader, writer)
                while line := await reader.readline():
                    self.received.append(line)
            finally:
                writer.close()
                self.done.set()

        self.server = await asyncio.start_server(serve, "127.0.0.1", 0)
        return ServerAddress("127.0.0.1", self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None
        self.server.close()


def replying(*chunks: bytes, then_close: bool = False) -> Handler:
    """A handler that reads REGISTER, records it, sends `chunks`, and maybe hangs up."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        if then_close:
            writer.close()
            await reader.read()

    return handler


async def registered_client(address: ServerAddress, name: str = "alice") -> ChatClient:
    client = await ChatClient.connect(address)
    result = await client.register(name)
    assert isinstance(result, Registered)
    return client


async def collect(client: ChatClient) -> list[SessionEvent]:
    return [event async for event in client.events()]


@pytest.mark.parametrize("reply", [b"200 Registration successful\n", b"200 OK\r\n", b"200\n"])
def test_any_200_is_success_whatever_its_wording(reply: bytes) -> None:
    async def main() -> None:
        async with Peer(replying(reply)) as address:
            client = await ChatClient.connect(address)
            result = await client.register("alice")
            assert isinstance(result, Registered)
            assert client.name == "alice"
            await client.close()

    run(main())


def test_lines_before_the_reply_are_kept_as_preamble() -> None:
    async def main() -> None:
        peer = Peer(replying(b"Welcome to the chat\n", b"100 hello\n", b"200 Yes\n"))
        async with peer as address:
            client = await ChatClient.connect(address)
            result = await client.register("alice")
            assert result == Registered(
                "alice", "Yes", (Notice("Welcome to the chat"), NumericReply(100, "hello"))
            )
            await client.close()

    run(main())


@pytest.mark.parametrize(
    ("reply", "code"),
    [(b"401 Client already registered\n", 401), (b"400 Invalid registration\n", 400)],
)
def test_400_and_401_are_refusals(reply: bytes, code: int) -> None:
    async def main() -> None:
        async with Peer(replying(reply)) as address:
            client = await ChatClient.connect(address)
            result = await client.register("alice")
            assert isinstance(result, Refused)
            assert result.code == code
            assert client.name is None
            await client.close()

    run(main())


def test_register_sends_the_seed_line_and_disconnect_says_goodbye() -> None:
    async def main() -> None:
        peer = Peer(replying(b"200 Registration successful\n"))
        async with peer as address:
            client = await registered_client(address)
            await client.send("hello there")
            await client.disconnect()
            await asyncio.wait_for(peer.done.wait(), 5)
        assert peer.received == [b"@alice: hello there\n", b"DISCONNECT alice CHAT/1.0\n"]

    run(main())


def test_silent_server_times_out() -> None:
    async def main() -> None:
        async with Peer(replying()) as address:
            client = await ChatClient.connect(address)
            with pytest.raises(RegistrationTimeoutError, match="no reply"):
                await client.register("alice", timeout=0.2)
            await client.close()

    run(main())


@pytest.mark.parametrize(
    ("chunks", "message"),
    [((), "closed the connection"), ((b"DISCONNECT CHAT/1.0\n",), "said DISCONNECT")],
)
def test_server_leaving_during_registration_is_connection_lost(
    chunks: tuple[bytes, ...], message: str
) -> None:
    async def main() -> None:
        async with Peer(replying(*chunks, then_close=True)) as address:
            client = await ChatClient.connect(address)
            with pytest.raises(ConnectionLostError, match=message):
                await client.register("alice")
            await client.close()

    run(main())


def test_events_until_server_disconnect() -> None:
    async def main() -> None:
        peer = Peer(
            replying(b"200 OK\n@bob: hi\n", b"* notice\n404 Unknown command\nDISCONNECT CHAT/1.0\n")
        )
        async with peer as address:
            client = await registered_client(address)
            assert await collect(client) == [
                IncomingMessage("bob", "hi"),
                Notice("* notice"),
                NumericReply(404, "Unknown command"),
                ServerDisconnect(),
            ]
            await client.close()

    run(main())


def test_garbage_never_breaks_the_client() -> None:
    huge = b"@flood: " + b"x" * (MAX_INCOMING_LINE + 10) + b"\n"
    chunks = (b"200 OK\n", b"\xff\xfe\xc3(\n", huge, b"\x00\x1b[2J\n", b"@bob: still fine\n")

    async def main() -> None:
        async with Peer(replying(*chunks, then_close=True)) as address:
            client = await registered_client(address)
            events = await collect(client)
            await client.close()
        assert events == [
            Notice("\ufffd\ufffd\ufffd("),
            Notice(f"[a line longer than {MAX_INCOMING_LINE} bytes was dropped]"),
            Notice("\x00\x1b[2J"),  # neutralised when shown, see test_render
            IncomingMessage("bob", "still fine"),
            ConnectionClosed(),
        ]

    run(main())


def test_unterminated_last_line_is_still_delivered() -> None:
    async def main() -> None:
        chunks = (b"200 OK\n", b"DISCONNECT CHAT/1.0")
        async with Peer(replying(*chunks, then_close=True)) as address:
            client = await registered_client(address)
            assert await collect(client) == [ServerDisconnect()]
            assert await client.receive() == ConnectionClosed()
            await client.close()

    run(main())


def test_send_checks_its_arguments() -> None:
    async def main() -> None:
        async with Peer(replying(b"200 OK\n")) as address:
            client = await ChatClient.connect(address)
            with pytest.raises(RuntimeError, match="register"):
                await client.send("too early")
            with pytest.raises(ValueError, match="single word"):
                await client.register("two words")
            await client.register("alice")
            with pytest.raises(ValueError, match="single line"):
                await client.send("one\ntwo")
            await client.close()
            with pytest.raises(ConnectionLostError):
                await client.send("after close")

    run(main())


def test_connection_refused_and_unknown_host() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]

    async def main() -> None:
        with pytest.raises(ConnectError, match="connection refused"):
            await ChatClient.connect(ServerAddress("127.0.0.1", free_port))
        with pytest.raises(ConnectError, match="unknown host"):
            await ChatClient.connect(ServerAddress("no-such-host.invalid", 5000))

    run(main())


def test_requests_and_previews_are_written_in_order() -> None:
    async def main() -> None:
        peer = Peer(replying(b"200 OK\n"))
        async with peer as address:
            client = await registered_client(address)
            await client.request(Extend(("rooms", "live")))
            await client.request(Join("dev"))
            assert client.request_nowait(TypingUpdate("alice", "hel", "dev"))
            await client.request(ChatMessage("alice", "hello", "dev"))
            assert client.request_nowait(TypingUpdate("alice", "", "dev"))
            await client.request(DirectMessage("alice", "bob", "psst"))
            await client.request(Leave("dev"))
            await client.request(Who())
            await client.request(Rooms())
            with pytest.raises(ValueError, match="single line"):
                await client.request(ChatMessage("alice", "a\rb"))
            assert client.certificate_fingerprint is None  # no TLS
            await client.disconnect()
            assert not client.request_nowait(TypingUpdate("alice", "late"))
            await asyncio.wait_for(peer.done.wait(), 5)
        assert peer.received == [
            b"EXTEND rooms live CHAT/1.0\n",
            b"JOIN dev CHAT/1.0\n",
            b"@alice ~#dev: hel\n",
            b"@alice #dev: hello\n",
            b"@alice ~#dev: \n",
            b"@alice > bob: psst\n",
            b"LEAVE dev CHAT/1.0\n",
            b"WHO CHAT/1.0\n",
            b"ROOMS CHAT/1.0\n",
            b"DISCONNECT alice CHAT/1.0\n",
        ]

    run(main())


def test_tls_to_a_plain_peer_is_a_connect_error() -> None:
    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Welcome, this is not TLS\n")  # at once, whatever the client says
        await writer.drain()

    async def main() -> None:
        async with Peer(greet) as address:
            with pytest.raises(ConnectError, match="TLS handshake") as caught:
                await ChatClient.connect(address, timeout=3, tls=pinning_context())
            assert not isinstance(caught.value, CertificateError)

    run(main())


# Accounts: asking for extensions first, logging in, signing up --------------------------------


def answering(script: dict[bytes, list[bytes]], seen: list[bytes]) -> Handler:
    """A handler that answers each line starting with a key with the next of its replies."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            seen.append(line)
            for prefix, replies in script.items():
                if line.startswith(prefix) and replies:
                    writer.write(replies.pop(0))
                    await writer.drain()
                    break

    return handler


def test_extensions_before_registering_then_login() -> None:
    seen: list[bytes] = []
    script = {
        b"EXTEND": [b"Welcome!\n210 Extensions enabled: rooms auth\n"],
        b"REGISTER": [b"406 Password required\n"],
        b"LOGIN": [b"407 Invalid name or password\n", b"200 Registration successful\n"],
    }

    async def main() -> None:
        async with Peer(answering(script, seen)) as address:
            client = await ChatClient.connect(address)
            granted = await client.extend_first(("rooms", "auth", "history"))
            assert granted == frozenset({"rooms", "auth"})
            refused = await client.register("alice")
            assert refused == Refused("alice", 406, "Password required", (Notice("Welcome!"),))
            wrong = await client.login("alice", Secret("not it"))
            assert isinstance(wrong, Refused) and wrong.code == 407
            assert client.name is None
            assert isinstance(await client.login("alice", Secret("correct horse")), Registered)
            assert client.name == "alice"
            await client.close()

    run(main())
    assert seen == [
        b"EXTEND rooms auth history CHAT/1.0\n",
        b"REGISTER alice CHAT/1.0\n",
        b"LOGIN alice bm90IGl0 CHAT/1.0\n",
        b"LOGIN alice Y29ycmVjdCBob3JzZQ== CHAT/1.0\n",
    ]


@pytest.mark.parametrize(
    ("reply", "granted"),
    [
        (b"400 Invalid registration\n", None),  # seed 004: nothing but REGISTER at first
        (b"404 Unknown command\n", None),
        (None, None),  # silence
        (b"210 Extensions enabled:\n", frozenset()),
    ],
)
def test_extensions_before_registering_refused_or_ignored(
    reply: bytes | None, granted: frozenset[str] | None
) -> None:
    seen: list[bytes] = []
    script = {b"EXTEND": [reply] if reply else [], b"REGISTER": [b"200 OK\n"]}

    async def main() -> None:
        async with Peer(answering(script, seen)) as address:
            client = await ChatClient.connect(address)
            # Silence is waited out; an answer is taken whenever it comes, never raced.
            timeout = 0.2 if reply is None else 5
            assert await client.extend_first(("auth",), timeout=timeout) == granted
            assert isinstance(await client.register("alice"), Registered)
            await client.close()

    run(main())


@pytest.mark.parametrize(
    "reply",
    [
        b"408 Unacceptable password (a password has at least 8 characters)\n",
        b"429 Too many registrations from your address; try again in a minute\n",
        b"401 Client already registered\n",
    ],
)
def test_signup_refusals(reply: bytes) -> None:
    seen: list[bytes] = []

    async def main() -> None:
        async with Peer(answering({b"SIGNUP": [reply]}, seen)) as address:
            client = await ChatClient.connect(address)
            result = await client.signup("alice", Secret("short"))
            assert isinstance(result, Refused)
            assert f"{result.code} {result.text}\n".encode() == reply
            await client.close()

    run(main())
    assert seen == [b"SIGNUP alice c2hvcnQ= CHAT/1.0\n"]


def test_a_password_is_never_shown_by_repr() -> None:
    secret = Secret("hunter22")
    assert "hunter22" not in repr(secret)
    assert "hunter22" not in str(secret)
    assert "hunter22" not in f"{secret} {[secret]}"
    assert secret.reveal() == "hunter22"
    assert secret == Secret("hunter22") and secret != Secret("other")


def test_typed_requests_send_their_lines() -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        writer.write(b"200 Registration successful\n")
        await writer.drain()
        while line := await reader.readline():
            seen.append(line)

    async def main() -> None:
        peer = Peer(handler)
        async with peer as address:
            client = await registered_client(address)
            await client.join("dev", "k3y")
            await client.leave("dev")
            await client.who()
            await client.rooms()
            await client.direct("bob", "psst")
            await client.history("#dev", 5, 17)
            await client.search("deploy log", "#dev")
            await client.disconnect()
            await peer.done.wait()  # the peer has read every line

    run(main())
    assert b"".join(seen).decode().splitlines() == [
        "REGISTER alice CHAT/1.0",
        "JOIN dev k3y CHAT/1.0",
        "LEAVE dev CHAT/1.0",
        "WHO CHAT/1.0",
        "ROOMS CHAT/1.0",
        "@alice > bob: psst",
        "HISTORY #dev 5 17 CHAT/1.0",
        "SEARCH deploy log #dev CHAT/1.0",
        "DISCONNECT alice CHAT/1.0",
    ]
