"""Which bench client speaks which dialect.

Apart from `parley.bench.clients` so that the web client, which needs `picows` (the bench's
own dependency, not the server's), is imported only when the web dialect is asked for and
never by the clients it builds on.
"""

from __future__ import annotations

from parley.bench import wire
from parley.bench.clients import BenchClient, IrcBenchClient


class BenchSetupError(RuntimeError):
    """What the bench needs to run is missing (said in one line, never a traceback)."""


def client_class(dialect: str) -> type[BenchClient]:
    """The client that speaks `dialect` (one of `wire.DIALECTS`)."""
    if dialect == "irc":
        return IrcBenchClient
    if dialect == "web":
        try:
            from parley.bench.web_client import WebBenchClient
        except ImportError as error:  # picows is the bench's own dependency, not the server's
            raise BenchSetupError(
                f"the web dialect needs picows ({error}): pip install 'parley[bench]'"
            ) from error
        return WebBenchClient
    if dialect == "chat1":
        return BenchClient
    raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(wire.DIALECTS)}")
