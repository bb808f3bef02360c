"""Our client against a server written from seed 004 alone (tests/interop/spec_server.py).

That server words its success reply "200 OK", not "200 Registration successful": any 200
must do. Registration, sending, receiving a broadcast and the server's goodbye must all work.
"""

from __future__ import annotations

import asyncio
import signal

from parley.client.address import ServerAddress
from parley.client.session import ChatClient, Refused, Registered
from parley.protocol.chat1 import IncomingMessage, ServerDisconnect
from tests.client.processes import Process, chat_server, client_command


def test_our_client_chats_with_the_spec_server_and_leaves_when_told() -> None:
    with chat_server("spec") as server:
        carol = Process(client_command("carol", server.address))
        try:

            async def watcher_side() -> None:
                address = ServerAddress("127.0.0.1", server.port)
                async with await ChatClient.connect(address) as watcher:
                    assert await watcher.register("watcher") == Registered("watcher", "OK")
                    carol.write("hello from carol\n")
                    assert await asyncio.wait_for(watcher.receive(), 5) == IncomingMessage(
                        "carol", "hello from carol"
                    )
                    await watcher.send("hi carol")
                    await asyncio.to_thread(carol.wait_stdout, "^@watcher: hi carol$")
                    server.process.signal(signal.SIGINT)
                    assert await asyncio.wait_for(watcher.receive(), 5) == ServerDisconnect()

            asyncio.run(asyncio.wait_for(watcher_side(), 10))
            result = carol.finish()
        finally:
            carol.kill()
    assert result.status == 0, result
    assert result.stdout == ["@watcher: hi carol"]
    assert result.stderr == ["Disconnected from server ... exiting now!"]


def test_spec_server_refusing_a_taken_name_ends_our_client_with_1() -> None:
    with chat_server("spec") as server:

        async def hold_name() -> None:
            address = ServerAddress("127.0.0.1", server.port)
            async with await ChatClient.connect(address) as holder:
                assert isinstance(await holder.register("dave"), Registered)
                other = await ChatClient.connect(address)
                assert isinstance(await other.register("dave"), Refused)
                await other.close()
                result = await asyncio.to_thread(
                    Process(client_command("dave", server.address), stdin_text="x\n").finish
                )
                assert result.status == 1, result
                assert "already taken" in result.stderr[0]

        asyncio.run(asyncio.wait_for(hold_name(), 10))
