"""The ``parley`` command line: every accepted form, resolved into one `ClientConfig`.

Accepted forms (the seeds differ, so all are understood)::

    parley NAME chat://HOST:PORT             seeds 001 and 004
    parley HOST PORT                         seeds 000 and 002 (the name is asked)
    parley --host HOST --port PORT [--name NAME]    seed 003
    parley chat://HOST:PORT                  the name is asked (or given with --name)

Parsing never prints and never exits: a bad command line is a `UsageError` whose message is
one line, so `parley.client.cli` decides how it is shown.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from parley import __version__
from parley.client.address import (
    AddressError,
    ServerAddress,
    looks_like_url,
    parse_chat_url,
    parse_host_port,
)
from parley.client.errors import UsageError

DEFAULT_HOST = "localhost"
DEFAULT_TIMEOUT = 10.0

USAGE = """\
parley NAME chat://HOST:PORT
       parley HOST PORT
       parley --host HOST --port PORT [--name NAME]
       parley [options] ..."""

DESCRIPTION = """\
Terminal client for Parley and any CHAT/1.0 server. Each line you type is sent as
'@NAME: line'. Quit with Ctrl-C, Ctrl-D or /quit. When standard input is not a terminal,
each input line is sent and incoming lines are printed to standard output; the end of input
disconnects."""

EPILOG = """\
exit status: 0 quit or server said goodbye; 1 name refused; 2 bad command line or address,
unknown host, connection refused or no reply; 3 connection lost; 4 internal error.
See docs/client.md."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything the client needs to run, from the command line."""

    address: ServerAddress
    name: str | None
    """None: ask for it (on the terminal, or the first line of piped input)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds to wait for the connection and for the reply to REGISTER."""
    plain: bool = False
    """Line mode even when standard input is a terminal (no prompt_toolkit)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises `UsageError` instead of printing and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see parley --help)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``--help`` shows every option with its default."""
    parser = _Parser(
        prog="parley",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="NAME ADDRESS | HOST PORT",
        help="user name and chat://HOST:PORT, or host and port (then the name is asked)",
    )
    parser.add_argument("--host", help=f"server host name or IP (default: {DEFAULT_HOST})")
    parser.add_argument("--port", help="server TCP port, 1-65535 (no default; needed with --host)")
    parser.add_argument("--name", help="user name, one word (default: ask for it)")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait to connect and for the server to accept the name "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="plain line mode even on a terminal: no prompt, no line editing (default: off)",
    )
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> ClientConfig:
    """Turn the command line into a `ClientConfig`, or raise `UsageError` (one line)."""
    args = build_parser().parse_args(argv)
    try:
        address, name = resolve(args.words, host=args.host, port=args.port, name=args.name)
    except AddressError as error:
        raise UsageError(str(error)) from None
    return ClientConfig(address=address, name=name, timeout=args.timeout, plain=args.plain)


def resolve(
    words: Sequence[str], *, host: str | None, port: str | None, name: str | None
) -> tuple[ServerAddress, str | None]:
    """Work out the server address and the name (if given) from positionals and flags."""
    flags_give_address = host is not None or port is not None
    if flags_give_address:
        if len(words) > 1 or (words and looks_like_url(words[0])):
            raise UsageError("give the server address once: as --host/--port or as arguments")
        return _address_from_flags(host, port), _one_name(words[0] if words else None, name)
    if not words:
        raise UsageError("no server address given: parley NAME chat://HOST:PORT (see --help)")
    if len(words) == 1:
        if looks_like_url(words[0]):
            return parse_chat_url(words[0]), name
        raise AddressError(f"bad address {words[0]!r}: expected chat://HOST:PORT")
    if len(words) > 2:
        raise UsageError(f"too many arguments: {' '.join(words[2:])!r} (see parley --help)")
    first, second = words
    if looks_like_url(second):
        return parse_chat_url(second), _one_name(first, name)
    if looks_like_url(first):
        raise UsageError(f"the name comes first: parley {second} {first}")
    if ":" in second and not second.isdigit():
        raise AddressError(f"bad address {second!r}: expected chat://{second}")
    return parse_host_port(first, second), name


def _address_from_flags(host: str | None, port: str | None) -> ServerAddress:
    if port is None:
        raise UsageError("--host needs --port too")
    return parse_host_port(DEFAULT_HOST if host is None else host, port)


def _one_name(positional: str | None, flag: str | None) -> str | None:
    if positional is not None and flag is not None and positional != flag:
        raise UsageError(f"two names given: {positional!r} and --name {flag!r}")
    return positional if positional is not None else flag
