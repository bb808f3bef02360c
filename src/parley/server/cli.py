"""``parley-server``: parse options, start the server, run until a signal or ``/quit``.

A user error (bad option, port in use) is one line on stderr and exit status 2; SIGINT,
SIGTERM and ``/quit`` notify every client and exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
import socket
import ssl
import sys
from collections.abc import Awaitable, Callable

from parley.chat.store import StoreError
from parley.server.app import ChatServer
from parley.server.config import ServerConfig, config_from_args
from parley.server.console import OperatorConsole
from parley.server.listeners import ExtraListener, listen_http, listen_irc


def _connect_hint(config: ServerConfig, port: int) -> str:
    host = config.host
    if host in (None, "", "*", "::", "0.0.0.0"):
        host = socket.gethostname() or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"Connect with: parley NAME chat://{host}:{port}  (on this machine: chat://localhost:{port})"


def raise_descriptor_limit() -> tuple[int, int]:
    """Raise the soft limit on open files to the hard limit; return (before, after).

    Each connection is a file descriptor, and a default soft limit of 1,024 would cap the
    server far below what it can hold.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft, soft
    return soft, resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def serve(config: ServerConfig) -> int:
    """Run the server until it is told to stop; return the exit status."""
    server = ChatServer(config)
    try:
        await server.start()
    except ssl.SSLError as exc:
        print(f"parley-server: cannot use the TLS certificate: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"parley-server: cannot open the store: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{config.host or '*'}:{config.port}"
        print(f"parley-server: cannot listen on {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    doors = await _door_ports(server)
    if doors is None:
        return 2
    print(f"Will wait for client messages at port {server.port}", flush=True)
    print(_connect_hint(config, server.port), flush=True)
    if server.tls_port is not None:
        shared = " (shared with plain connections)" if server.tls_port == server.port else ""
        print(f"TLS on port {server.tls_port}{shared}: chats://HOST:{server.tls_port}", flush=True)
        print(f"TLS certificate SHA-256 fingerprint: {server.tls_fingerprint}", flush=True)
    scheme = "https" if server.tls_port is not None else "http"
    web_port = doors["--http-port"].port if "--http-port" in doors else server.port
    print(f"Web page: {scheme}://localhost:{web_port}/", flush=True)
    where = "in memory only (--ephemeral)" if config.ephemeral else str(config.data_dir)
    print(f"History, accounts and offline messages: {where}", flush=True)
    print("Waiting for incoming client connections ...", flush=True)
    before, after = raise_descriptor_limit()
    if after != before:
        logging.getLogger("parley.server").info(
            "open-file limit raised from %d to %d (one per connection)", before, after
        )

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, server.request_shutdown, signal.Signals(signum).name)

    console: OperatorConsole | None = None
    stdin = sys.stdin
    use_console = config.console == "on" or (
        config.console == "auto" and stdin is not None and stdin.isatty()
    )
    if use_console and stdin is not None:
        console = OperatorConsole(server, stdin.fileno())
        if console.start():
            print("Operator console ready: /who, /quit, /help, or type to talk", flush=True)
    await server.wait_stopped()
    for listener in doors.values():
        listener.close()
    if console is not None:
        console.stop()
    print("Server stopped.", flush=True)
    return 0


_DOOR_PORTS: tuple[tuple[str, Callable[[ChatServer], Awaitable[ExtraListener | None]]], ...] = (
    ("--http-port", listen_http),
    ("--irc-port", listen_irc),
)


async def _door_ports(server: ChatServer) -> dict[str, ExtraListener] | None:
    """The doors' own listeners that are configured, by flag; None if one could not be bound
    (said on stderr; the others are closed and the server is shut down)."""
    doors: dict[str, ExtraListener] = {}
    for flag, start in _DOOR_PORTS:
        try:
            listener = await start(server)
        except OSError as exc:
            print(f"parley-server: cannot listen on {flag}: {exc.strerror or exc}", file=sys.stderr)
            for opened in doors.values():
                opened.close()
            await server.shutdown()
            return None
        if listener is not None:
            doors[flag] = listener
    if "--irc-port" in doors:
        port, scheme = doors["--irc-port"].port, "ircs" if server.tls_port is not None else "irc"
        print(f"IRC on port {port}: {scheme}://HOST:{port}", flush=True)
    return doors


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``parley-server``."""
    config = config_from_args(argv)
    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    loop_factory = _loop_factory(config)
    if loop_factory is None and config.loop == "uvloop":
        print("parley-server: --loop uvloop, but uvloop is not installed", file=sys.stderr)
        return 2
    try:
        if loop_factory is None:
            return asyncio.run(serve(config))
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(serve(config))
    except KeyboardInterrupt:
        return 0


def _loop_factory(config: ServerConfig) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when wanted and installed (an optional extra: pip install parley[fast])."""
    if config.loop == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
