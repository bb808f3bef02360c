"""The ``parley`` command over TLS against the real server (``--tls self-signed``).

Each test runs the client as a user would (line mode, piped input) with its own known_hosts
file: first use pinned with --tofu, the next connection silent, an explicit
--trust-fingerprint, a regenerated certificate on the same port refused, --cafile with the
server's cert.pem, and plain chat:// on the same port all along.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.client.address import ServerAddress
from parley.client.known_hosts import parse
from parley.client.session import ChatClient, Registered
from parley.protocol.chat1 import IncomingMessage
from tests.client.processes import Finished, RunningServer, chat_server, run_client


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-data")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[RunningServer]:
    with chat_server("real", ["--tls", "self-signed", "--data-dir", str(data_dir)]) as running:
        yield running


def ok(result: Finished) -> Finished:
    assert result.status == 0, result
    assert not any("Traceback" in line for line in result.stderr), result
    return result


def refused(result: Finished, *fragments: str) -> str:
    assert result.status == 2, result
    assert len(result.stderr) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr[0], result.stderr[0]
    return result.stderr[0]


def pinned(known_hosts: Path) -> dict[str, str]:
    return parse(known_hosts.read_text())


def test_first_use_is_pinned_then_later_connections_are_silent(
    server: RunningServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    args = ["--known-hosts", str(known_hosts)]

    async def watch() -> None:
        # A plain chat:// client on the same port sees what alice sends over TLS.
        async with await ChatClient.connect(ServerAddress("127.0.0.1", server.port)) as watcher:
            assert isinstance(await watcher.register("watcher"), Registered)
            first = await asyncio.to_thread(
                run_client, "alice", server.tls_address, "--tofu", *args, stdin_text="secret\n"
            )
            ok(first)
            assert first.stderr == []
            assert await asyncio.wait_for(watcher.receive(), 5) == IncomingMessage(
                "alice", "secret"
            )

    asyncio.run(asyncio.wait_for(watch(), 15))
    assert pinned(known_hosts) == {f"127.0.0.1:{server.port}": server.fingerprint}
    again = ok(run_client("alice", server.tls_address, *args, stdin_text="again\n"))
    assert again.stderr == []


def test_unknown_certificate_is_refused_without_a_person_to_ask(
    server: RunningServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    result = run_client(
        "alice", server.tls_address, "--known-hosts", str(known_hosts), stdin_text="hi\n"
    )
    refused(result, "self-signed", server.fingerprint, "--trust-fingerprint", "--tofu")
    assert not known_hosts.exists()


def test_explicit_fingerprint_is_pinned_and_a_wrong_one_refused(
    server: RunningServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    args = ["--known-hosts", str(known_hosts)]
    wrong = ":".join(["00"] * 32)
    result = run_client("bob", server.tls_address, "--trust-fingerprint", wrong, *args)
    refused(result, server.fingerprint, f"not the expected {wrong}")
    assert not known_hosts.exists()
    spelled = server.fingerprint.replace(":", "").lower()
    ok(run_client("bob", server.tls_address, "--trust-fingerprint", spelled, *args))
    assert pinned(known_hosts) == {f"127.0.0.1:{server.port}": server.fingerprint}


def test_cafile_with_the_servers_certificate_verifies(
    server: RunningServer, data_dir: Path, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    cafile = data_dir / "tls" / "cert.pem"
    for address in (server.tls_address, f"chats://localhost:{server.port}"):
        result = run_client(
            "carol", address, "--cafile", str(cafile), "--known-hosts", str(known_hosts)
        )
        assert ok(result).stderr == []
    assert not known_hosts.exists()  # verified, nothing to pin


def test_bad_cafile_is_a_usage_error(server: RunningServer, tmp_path: Path) -> None:
    result = run_client("dan", server.tls_address, "--cafile", str(tmp_path / "missing.pem"))
    refused(result, "cannot use --cafile")


def test_regenerated_certificate_on_the_same_port_is_refused(tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    args = ["--known-hosts", str(known_hosts)]
    with chat_server("real", ["--tls", "self-signed", "--data-dir", str(tmp_path / "a")]) as old:
        port, old_fingerprint = old.port, old.fingerprint
        ok(run_client("erin", old.tls_address, "--tofu", *args))
        old.stop()
    new_args = ["--tls", "self-signed", "--data-dir", str(tmp_path / "b"), "--port", str(port)]
    with chat_server("real", new_args) as new:
        assert new.port == port
        assert new.fingerprint != old_fingerprint
        for extra in ([], ["--tofu"]):
            result = run_client("erin", new.tls_address, *extra, *args, stdin_text="hi\n")
            message = refused(result, "CHANGED", old_fingerprint, new.fingerprint, str(known_hosts))
            assert f"127.0.0.1:{port}" in message
        assert pinned(known_hosts) == {f"127.0.0.1:{port}": old_fingerprint}
        ok(run_client("erin", new.address, *args))  # plain chat:// is not affected


def test_tls_to_a_server_without_tls_fails_clearly() -> None:
    with chat_server("real") as plain:
        result = run_client(
            "fay", plain.tls_address, "--tofu", "--timeout", "3", stdin_text="hi\n", timeout=8
        )
    refused(result, "TLS handshake with", "chat:// address")
