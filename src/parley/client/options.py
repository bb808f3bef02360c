"""The ``parley`` command line: every accepted form, resolved into one `ClientConfig`.

Accepted forms (the seeds differ, so all are understood)::

    parley NAME chat://HOST:PORT             seeds 001 and 004 (chats:// for TLS)
    parley HOST PORT                         seeds 000 and 002 (the name is asked)
    parley --host HOST --port PORT [--name NAME]    seed 003
    parley chat://HOST:PORT                  the name is asked (or given with --name)

Parsing never prints and never exits: a bad command line is a `UsageError` whose message is
one line, so `parley.client.cli` decides how it is shown.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from pathlib import Path
from typing import NoReturn

from parley import __version__
from parley.client.address import (
    AddressError,
    ServerAddress,
    looks_like_url,
    parse_chat_url,
    parse_host_port,
)
from parley.client.commands import COMMAND_STYLES, DEFAULT_STYLE, CommandStyle
from parley.client.errors import UsageError
from parley.client.known_hosts import normalise_fingerprint
from parley.client.passwords import (
    NEW_PASSWORD_ENV,
    PASSWORD_ENV,
    Secret,
    choose_password,
    read_password_file,
)
from parley.client.settings import (
    COLOR_MODES,
    ColorMode,
    FileSettings,
    load_settings,
    time_format_problem,
)
from parley.client.trust import TlsSettings
from parley.records import record

DEFAULT_HOST = "localhost"
DEFAULT_TIMEOUT = 10.0
DEFAULT_TIME_FORMAT = "%H:%M"

USAGE = """\
parley NAME chat://HOST:PORT      (chats://HOST:PORT for TLS)
       parley HOST PORT
       parley --host HOST --port PORT [--name NAME]
       parley [options] ..."""

DESCRIPTION = """\
Terminal client for Parley and any CHAT/1.0 server. Each line you type is chat in your
current room ('@NAME: line' in the lobby); /help lists the commands (/msg, /join, /leave,
/who, /rooms, /history, /more, /mentions, /topic, /register, /password, /live, /quit);
Tab completes names, rooms and commands. Quit with Ctrl-C, Ctrl-D or /quit. When standard
input is not a terminal, each input line is handled the same way and incoming lines are
printed to standard output; the end of input disconnects."""

EPILOG = """\
exit status: 0 quit or server said goodbye; 1 name or password refused; 2 bad command line
or address, unknown host, connection refused or no reply, TLS certificate not trusted;
3 connection lost (in a script or with --no-reconnect; at a terminal the client
reconnects); 4 internal error. See docs/usage.md and docs/client.md."""

STYLE_HELP = """\
what a typed line means (default: %(default)s): slash = /commands, '?' and 'TEXT > NAME',
everything else is chat; seed002 = only '?' and 'TEXT > NAME'; seed003 = outside a room
every line is a command (who, message, join ROOM, leave, exit, NAME:MESSAGE, server:who,
server:exit), in a room every line is chat except 'leave'; seed004 = every line is chat"""


@record
class ClientConfig:
    """Everything the client needs to run, from the command line."""

    address: ServerAddress
    name: str | None
    """None: ask for it (on the terminal, or the first line of piped input)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds to wait for the connection and for the reply to REGISTER."""
    plain: bool = False
    """Line mode even when standard input is a terminal (no prompt_toolkit)."""
    full_screen: bool = False
    """At a terminal, the full-screen mode: a buffer per room (``--full-screen``, the file)."""
    commands: CommandStyle = DEFAULT_STYLE
    """What a typed line means (see `parley.client.commands`)."""
    live: bool = False
    """Start in live-typing mode."""
    tls: TlsSettings = field(default_factory=TlsSettings)
    """How to trust the server's certificate (with a ``chats://`` address)."""
    password: Secret | None = None
    """The account's password (``--password``, ``--password-file``, ``PARLEY_PASSWORD``)."""
    new_password: Secret | None = None
    """The new password for ``/password`` in a script (``--new-password-file``, env)."""
    signup: bool = False
    """Create an account for the name while registering (``SIGNUP``)."""
    color: ColorMode = "auto"
    """Names in colour and highlights: never, auto (on a terminal) or always."""
    time_format: str = DEFAULT_TIME_FORMAT
    """The time before each line on a terminal (`time.strftime`); "" for none."""
    time_everywhere: bool = False
    """``--time-format`` was given: the time goes before each line in a script too."""
    highlight: tuple[str, ...] = ()
    """Words highlighted (and ringing the bell) like your own name."""
    bell: bool = True
    """Ring the terminal bell when a line mentions you (on a terminal only)."""
    reconnect: bool = True
    """At a terminal, retry a dropped connection (``--no-reconnect``: exit with status 3)."""
    config_file: Path | None = None
    """The configuration file read, if any."""


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
    parser.add_argument(
        "--full-screen",
        action="store_true",
        help="at a terminal, a full-screen window with a buffer per room and conversation, "
        "a room list and a member list (default: off; full_screen in the config file)",
    )
    parser.add_argument(
        "--commands",
        choices=COMMAND_STYLES,
        default=DEFAULT_STYLE,
        metavar="STYLE",
        help=STYLE_HELP + f" (one of {', '.join(COMMAND_STYLES)})",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="live typing from the start: others in live mode see your line as you type, "
        "and you see theirs; /live toggles it (default: off)",
    )
    accounts = parser.add_argument_group(
        "accounts (a name protected by a password)",
        f"At a terminal the password of a protected name is asked for (without echo).\n"
        f"{PASSWORD_ENV} gives it too, and {NEW_PASSWORD_ENV} the new one for /password\n"
        "in a script. Prefer --password-file or the environment to --password: others on\n"
        "this computer can read command lines.",
    )
    accounts.add_argument(
        "--password",
        metavar="PASSWORD",
        help="the password of your name's account (log in with it)",
    )
    accounts.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="read that password from the first line of FILE",
    )
    accounts.add_argument(
        "--signup",
        action="store_true",
        help="create an account for your name as you register (asks the password twice at "
        "a terminal); from then on the name needs the password",
    )
    accounts.add_argument(
        "--new-password-file",
        type=Path,
        metavar="FILE",
        help="the new password for /password when it cannot be asked (input not a terminal)",
    )
    tls = parser.add_argument_group("TLS (chats:// addresses)")
    tls.add_argument(
        "--tls",
        action="store_true",
        help="use TLS with the HOST PORT and --host/--port forms, as chats:// does",
    )
    tls.add_argument(
        "--cafile",
        type=Path,
        metavar="FILE",
        help="verify the server's certificate against the certificates in FILE (PEM), such "
        "as the server's own cert.pem, instead of the system's authorities",
    )
    tls.add_argument(
        "--trust-fingerprint",
        metavar="FP",
        help="trust exactly the certificate with this SHA-256 fingerprint (as the server "
        "prints it, AA:BB:...) and remember it",
    )
    tls.add_argument(
        "--tofu",
        action="store_true",
        help="trust a certificate not seen before without asking, and remember it (trust on "
        "first use); a changed certificate is still refused",
    )
    tls.add_argument(
        "--known-hosts",
        type=Path,
        metavar="FILE",
        help="where trusted certificates are remembered "
        "(default: $XDG_DATA_HOME/parley/known_hosts or ~/.local/share/parley/known_hosts)",
    )
    looks = parser.add_argument_group(
        "appearance and configuration",
        "Settings may also be kept in $XDG_CONFIG_HOME/parley/client.toml (else\n"
        "~/.config/parley/client.toml): server, name, password_file, color, time_format,\n"
        "highlight, bell, reconnect, full_screen. Options win over the environment, which\n"
        "wins over the file.",
    )
    looks.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read the settings from FILE instead of the default client.toml",
    )
    looks.add_argument(
        "--color",
        "--colour",
        choices=COLOR_MODES,
        metavar="WHEN",
        help="names in colour and highlighted mentions: never, auto (only on a terminal, "
        "and not with NO_COLOR set) or always (default: auto)",
    )
    looks.add_argument(
        "--time-format",
        metavar="FORMAT",
        help=f"the time before each line, as strftime writes it; '' for none (default on a "
        f"terminal: {DEFAULT_TIME_FORMAT.replace('%', '%%')}; given, it applies to a script's "
        "output too)",
    )
    looks.add_argument(
        "--highlight",
        action="append",
        metavar="WORD",
        help="highlight lines with WORD as lines with your name are (may be repeated)",
    )
    looks.add_argument(
        "--no-bell",
        action="store_true",
        help="do not ring the terminal bell when someone mentions you (default: ring it)",
    )
    looks.add_argument(
        "--no-reconnect",
        action="store_true",
        help="exit (status 3) when the connection drops, instead of retrying at a terminal "
        "(default: retry with back-off, 1 s up to 30 s)",
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


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> ClientConfig:
    """Turn the command line into a `ClientConfig`, or raise `UsageError` (one line).

    `environ` (default: the process's environment) may hold the passwords.
    """
    args = build_parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    settings = load_settings(args.config, environ)
    words = args.words
    if not words and args.host is None and args.port is None and settings.server is not None:
        words = [settings.server]
    try:
        address, name = resolve(words, host=args.host, port=args.port, name=args.name)
    except AddressError as error:
        raise UsageError(f"{_from_file(settings, words, args)}{error}") from None
    if name is None:
        name = settings.name
    if args.tls and not address.tls:
        address = replace(address, tls=True)
    config = ClientConfig(
        address=address,
        name=name,
        timeout=args.timeout,
        plain=args.plain,
        commands=args.commands,
        live=args.live,
        tls=_tls_settings(args, address),
        password=_password(args, environ, settings),
        new_password=choose_password(
            None,
            args.new_password_file,
            environ,
            option="--new-password",
            variable=NEW_PASSWORD_ENV,
        ),
        signup=args.signup,
    )
    return _with_appearance(config, args, environ, settings)


def _from_file(settings: FileSettings, words: Sequence[str], args: argparse.Namespace) -> str:
    """``FILE: server: `` when the bad address came from the configuration file."""
    if settings.server is not None and words == [settings.server] and not args.words:
        return f"{settings.path}: server: "
    return ""


def _password(
    args: argparse.Namespace, environ: Mapping[str, str], settings: FileSettings
) -> Secret | None:
    """The flags' password, else the environment's, else the file's ``password_file``."""
    chosen = choose_password(args.password, args.password_file, environ)
    if chosen is None and settings.password_file is not None:
        return read_password_file(settings.password_file, f"password_file (in {settings.path})")
    return chosen


def _with_appearance(
    config: ClientConfig,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    settings: FileSettings,
) -> ClientConfig:
    """Colours, time format, highlights, bell and reconnecting: flags, environment, file."""
    color: ColorMode = args.color or (
        "never" if environ.get("NO_COLOR") else settings.color or "auto"
    )
    if args.time_format is not None:
        problem = time_format_problem(args.time_format)
        if problem:
            raise UsageError(f"bad --time-format {args.time_format!r}: {problem}")
    time_format = args.time_format if args.time_format is not None else settings.time_format
    words = (*settings.highlight, *(w.strip() for w in args.highlight or () if w.strip()))
    return replace(
        config,
        color=color,
        time_format=DEFAULT_TIME_FORMAT if time_format is None else time_format,
        time_everywhere=args.time_format is not None,
        highlight=words,
        bell=not args.no_bell and settings.bell is not False,
        reconnect=not args.no_reconnect and settings.reconnect is not False,
        full_screen=args.full_screen or settings.full_screen is True,
        config_file=settings.path,
    )


def _tls_settings(args: argparse.Namespace, address: ServerAddress) -> TlsSettings:
    given = [
        option
        for option, value in (
            ("--cafile", args.cafile),
            ("--trust-fingerprint", args.trust_fingerprint),
            ("--tofu", args.tofu),
        )
        if value
    ]
    if given and not address.tls:
        raise UsageError(
            f"{given[0]} is for TLS: use a chats://HOST:PORT address (or --tls) with it"
        )
    fingerprint = None
    if args.trust_fingerprint is not None:
        fingerprint = normalise_fingerprint(args.trust_fingerprint)
        if fingerprint is None:
            raise UsageError(
                f"bad fingerprint {args.trust_fingerprint!r}: expected 64 hex digits, "
                "AA:BB:... as the server prints it"
            )
    settings = TlsSettings(cafile=args.cafile, fingerprint=fingerprint, tofu=args.tofu)
    if args.known_hosts is not None:
        settings = replace(settings, known_hosts=args.known_hosts)
    return settings


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
