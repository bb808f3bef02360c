"""The server's configuration: one frozen dataclass, built from the command line.

Every option has its default here and is shown by ``parley-server --help``.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from dataclasses import field
from pathlib import Path
from typing import Literal, NoReturn

from parley.argtypes import non_negative, port, positive_float, positive_int
from parley.chat.passwords import secret_problem
from parley.protocol.framing import DEFAULT_MAX_LINE
from parley.records import record

ConsoleMode = Literal["auto", "on", "off"]
TlsMode = Literal["off", "self-signed", "files"]
MetricsMode = Literal["on", "off", "loopback"]


def default_data_dir() -> Path:
    """Where the server keeps its files: ``$XDG_DATA_HOME/parley`` or ~/.local/share/parley."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "parley"


@record
class ServerConfig:
    """Everything the server needs to know to start.

    Attributes:
        host: address to listen on; None means every interface (IPv6 and IPv4).
        port: TCP port; 0 lets the operating system pick a free one.
        max_line: longest accepted input line in bytes; longer lines are answered with 413.
        write_soft_limit: outbound bytes queued for one client before the server stops
            reading from it until it catches up.
        write_hard_limit: outbound bytes queued for one client before it is disconnected.
        console: operator console on stdin: "auto" when stdin is a terminal, "on", "off".
        shutdown_grace: seconds given to clients to receive DISCONNECT at shutdown.
        log_level: logging level name for the server's log on stderr.
        greet_delay: seconds of silence after which a new connection is taken for a person
            and greeted with a name prompt.
        fragment_pause: seconds after which an unterminated line on the plain door is taken
            as a whole line (seed 003 clients send commands without a line end).
        offline_limit: direct messages kept per offline user.
        live_rate: live-typing updates per second relayed from one client (burst: twice
            that); the rest are dropped.
        flood_rate: lines per second one client may send after its burst (0: no limit);
            faster lines wait, reading pauses, and the client is told once.
        flood_burst: lines one client may send at once before being slowed.
        flood_backlog: delayed lines after which a flooding client is disconnected.
        flood_kick_after: seconds of continuous slowing after which it is disconnected.
        max_connections: open connections in total (0: no limit).
        max_per_address: open connections from one IP address (0: no limit).
        registrations_per_minute: registration attempts per IP address per minute (0: no
            limit).
        register_timeout: seconds a connection may stay without registering (slowloris).
        data_dir: directory for the server's files (the self-signed certificate).
        tls: "off"; "self-signed" (made once, kept in data_dir/tls); "files" (tls_cert and
            tls_key).
        tls_port: a separate port for TLS; None serves TLS and plain connections on `port`,
            telling them apart by their first byte.
        ephemeral: keep history, accounts and offline messages in memory only.
        history_lines: room lines shown to someone who joins a room.
        require_accounts: every user must log in to a password account.
        loop: the event loop: uvloop if installed ("auto"), or as named.
        offline_per_sender: of an offline user's waiting messages, how many may come from
            one sender (so that nobody can fill another's queue).
        offline_hours: hours a message waits for a name without an account (an account's
            messages wait for its login).
        history_days: days of history kept (0: forever).
        history_max_mb: megabytes of history text kept, oldest dropped first (0: no limit).
        room_days: days after which a stored room (topic, memberships) with nobody online
            in it and no message is deleted; the lobby never is (0: never).
        history_user_mb: megabytes of one user's messages kept per day; past it they are
            still relayed but not kept, and the user is told once (0: no limit).
        memory_messages: with `ephemeral`, messages kept in memory in all.
        memory_per_conversation: with `ephemeral`, messages kept per room or conversation.
        irc_ping_interval: seconds of silence after which an IRC client is sent a PING; it is
            disconnected if it stays silent as long again.
        listings_per_minute: room and user listings (ROOMS, WHO) one client may ask per minute.
        http_port: a port of its own for the web door (HTTP; TLS when TLS is on); None: the
            web door is only on the shared port.
        metrics: ``GET /metrics``: "on", "off" (404), "loopback" (only from 127.0.0.1/::1).
        web_origins: origins besides the page's own that may open the chat WebSocket.
        http_request_timeout: seconds an HTTP request may take to arrive whole (then 408).
        http_idle_timeout: seconds a keep-alive HTTP connection may idle between requests.
        web_ping_interval: seconds between WebSocket pings; a socket that answers none for
            as long again is closed.
        server_name: the name the server gives itself (IRC's prefix and ``001``).
        server_description: one line about the server (IRC's ``LINKS`` and ``WHOIS``).
        irc_port: a port of its own for the IRC door (TLS when TLS is on: 6697 by custom);
            None: IRC only on the shared port.
        operators: IRC operator accounts (``OPER name password``) from the ``[operators]``
            table of the configuration file: name, then its password or argon2 hash.
        irc_password: the connection password of the IRC door (``PASS``; a password or an
            argon2 hash), "" for none.
    """

    host: str | None = None
    port: int = 0
    max_line: int = DEFAULT_MAX_LINE
    write_soft_limit: int = 256 * 1024
    write_hard_limit: int = 1024 * 1024
    console: ConsoleMode = "auto"
    shutdown_grace: float = 1.5
    log_level: str = "INFO"
    greet_delay: float = 1.0
    fragment_pause: float = 0.3
    offline_limit: int = 100
    live_rate: float = 20.0
    flood_rate: float = 10.0
    flood_burst: int = 50
    flood_backlog: int = 1000
    flood_kick_after: float = 10.0
    max_connections: int = 20000
    max_per_address: int = 100
    registrations_per_minute: int = 60
    register_timeout: float = 30.0
    data_dir: Path = field(default_factory=default_data_dir)
    tls: TlsMode = "off"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_port: int | None = None
    ephemeral: bool = False
    history_lines: int = 20
    require_accounts: bool = False
    loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    offline_per_sender: int = 20
    offline_hours: float = 24.0
    history_days: float = 0.0
    history_max_mb: float = 0.0
    room_days: float = 30.0
    history_user_mb: float = 10.0
    memory_messages: int = 200_000
    memory_per_conversation: int = 10_000
    listings_per_minute: int = 30
    irc_ping_interval: float = 120.0
    http_port: int | None = None
    metrics: MetricsMode = "loopback"
    web_origins: tuple[str, ...] = ()
    http_request_timeout: float = 10.0
    http_idle_timeout: float = 30.0
    web_ping_interval: float = 30.0
    server_name: str = "parley"
    server_description: str = "Parley chat server"
    irc_port: int | None = None
    operators: tuple[tuple[str, str], ...] = ()
    irc_password: str = ""


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


class _OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``parley-server`` command line."""
    defaults = ServerConfig()
    parser = _OneLineErrorParser(
        prog="parley-server",
        description="Parley chat server: speaks CHAT/1.0 to any client written to its spec.",
        formatter_class=_DefaultsFormatter,
    )
    parser.add_argument(
        "port_positional",
        nargs="?",
        type=port,
        metavar="PORT",
        help="port to listen on (same as --port; default: a free port chosen by the system)",
    )
    parser.add_argument(
        "--port", "-p", type=port, default=None, help="port to listen on; 0 = any free port"
    )
    parser.add_argument(
        "--host", default=defaults.host, help="address to listen on (default: all interfaces)"
    )
    parser.add_argument(
        "--max-line", type=positive_int, default=defaults.max_line, help="longest input line, bytes"
    )
    parser.add_argument(
        "--write-soft-limit",
        type=positive_int,
        default=defaults.write_soft_limit,
        help="bytes queued to one client before reading from it pauses",
    )
    parser.add_argument(
        "--write-hard-limit",
        type=positive_int,
        default=defaults.write_hard_limit,
        help="bytes queued to one client before it is disconnected",
    )
    parser.add_argument(
        "--offline-limit",
        type=positive_int,
        default=defaults.offline_limit,
        help="direct messages kept for each offline user",
    )
    parser.add_argument(
        "--offline-per-sender",
        type=positive_int,
        default=defaults.offline_per_sender,
        help="of those, how many may come from one sender",
    )
    parser.add_argument(
        "--offline-hours",
        type=non_negative(float),
        default=defaults.offline_hours,
        help="hours a message waits for a name without an account",
    )
    retention = parser.add_argument_group("history retention and memory (0: no limit)")
    for flag, kind, help_text in (
        ("--history-days", float, "days of history kept"),
        ("--history-max-mb", float, "megabytes of history text kept, oldest dropped first"),
        ("--room-days", float, "days after which a room nobody uses is deleted (not the lobby)"),
        ("--history-user-mb", float, "megabytes of one user's messages kept per day"),
        ("--memory-messages", int, "with --ephemeral: messages kept in memory in all"),
        ("--memory-per-conversation", int, "with --ephemeral: messages kept per conversation"),
        ("--listings-per-minute", int, "ROOMS and WHO listings one client may ask per minute"),
    ):
        attribute = flag.removeprefix("--").replace("-", "_")
        retention.add_argument(
            flag, type=non_negative(kind), default=getattr(defaults, attribute), help=help_text
        )
    limits = parser.add_argument_group("limits (0 turns a limit off)")
    for flag, kind, help_text in (
        ("--flood-rate", float, "lines per second per client after its burst"),
        ("--flood-burst", int, "lines a client may send at once before being slowed"),
        ("--flood-backlog", int, "delayed lines after which a flooder is disconnected"),
        ("--flood-kick-after", float, "seconds of continuous slowing before disconnecting"),
        ("--max-connections", int, "open connections in total"),
        ("--max-per-address", int, "open connections from one IP address"),
        ("--registrations-per-minute", int, "registration attempts per IP address per minute"),
        ("--register-timeout", float, "seconds a connection may stay unregistered"),
        ("--live-rate", float, "live-typing updates per second relayed per client"),
    ):
        attribute = flag.removeprefix("--").replace("-", "_")
        limits.add_argument(
            flag, type=non_negative(kind), default=getattr(defaults, attribute), help=help_text
        )
    tls = parser.add_argument_group("TLS")
    tls.add_argument(
        "--tls",
        choices=["off", "self-signed"],
        default=None,
        help="self-signed: make (once) and use a certificate kept in the data directory",
    )
    tls.add_argument("--tls-cert", type=Path, help="certificate chain file (PEM)")
    tls.add_argument("--tls-key", type=Path, help="private key file (PEM)")
    tls.add_argument(
        "--tls-port",
        type=port,
        help="separate port for TLS (default: TLS and plain share the main port)",
    )
    web = parser.add_argument_group("web door (HTTP and WebSocket)")
    web.add_argument(
        "--http-port",
        type=port,
        default=None,
        help="a port of its own for the web door (default: only the shared port)",
    )
    web.add_argument(
        "--metrics",
        choices=["on", "off", "loopback"],
        default=defaults.metrics,
        help="GET /metrics: on, off, or only from this machine",
    )
    web.add_argument(
        "--web-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help="another origin (https://chat.example.org) allowed to open the WebSocket; repeatable",
    )
    for flag, help_text in (
        ("--http-request-timeout", "seconds an HTTP request may take to arrive (then 408)"),
        ("--http-idle-timeout", "seconds a keep-alive HTTP connection may idle"),
        ("--web-ping-interval", "seconds between WebSocket pings"),
    ):
        attribute = flag.removeprefix("--").replace("-", "_")
        web.add_argument(
            flag, type=positive_float, default=getattr(defaults, attribute), help=help_text
        )
    irc = parser.add_argument_group("IRC door")
    irc.add_argument(
        "--server-name",
        type=_server_name,
        default=defaults.server_name,
        help="the server's name as IRC clients see it",
    )
    irc.add_argument(
        "--server-description",
        type=_server_description,
        default=defaults.server_description,
        help="one line about the server, as IRC's LINKS and WHOIS show it",
    )
    irc.add_argument(
        "--irc-password",
        type=_secret,
        default=defaults.irc_password,
        metavar="PASSWORD",
        help="a password every IRC client must give (PASS) before it registers; accounts then"
        " log in with SASL (better in --config, as irc-password, than on a command line)",
    )
    irc.add_argument(
        "--irc-port",
        type=port,
        default=None,
        help="a port of its own for IRC (TLS on it when TLS is on; default: the shared port)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="server files (default: ~/.local/share/parley)"
    )
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        default=False,
        help="keep everything in memory (nothing is written to the data directory)",
    )
    parser.add_argument(
        "--history-lines",
        type=non_negative(int),
        default=defaults.history_lines,
        help="room lines shown to someone who joins a room",
    )
    parser.add_argument(
        "--require-accounts",
        action="store_true",
        default=False,
        help="every user must log in with a password account",
    )
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default=defaults.loop,
        help="event loop (auto: uvloop when installed, else asyncio's own)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML file with any of these options (keys: long option names); flags win",
    )
    parser.add_argument(
        "--console",
        choices=["auto", "on", "off"],
        default=defaults.console,
        help="operator console on stdin (auto: only when stdin is a terminal)",
    )
    parser.add_argument(
        "--log-level",
        default=defaults.log_level,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="server log detail (log goes to stderr)",
    )
    return parser


def config_from_args(argv: list[str] | None = None) -> ServerConfig:
    """Build the configuration: defaults, then the ``--config`` TOML file, then flags.

    A bad flag or file is one line on stderr and exit status 2 (argparse's ``error``).
    """
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    explicit = {
        dest: value
        for dest, value in vars(_explicit_parser().parse_args(argv)).items()
        if value is not None or dest != "port_positional"
    }
    values = dict(args)
    if args.get("config") is not None:
        for dest, value in _read_config_file(parser, args["config"]).items():
            if dest not in explicit:
                values[dest] = value
        if "port_positional" in explicit and "port" not in explicit:
            values["port"] = None  # PORT on the command line beats the file's port
    return _resolve(parser, argparse.Namespace(**values))


def _explicit_parser() -> argparse.ArgumentParser:
    """The same command line, but only what was actually given ends up in the result."""
    parser = build_parser()
    for action in parser._actions:
        if action.option_strings:  # a positional's default would be run through its type
            action.default = argparse.SUPPRESS
    return parser


def _read_config_file(parser: argparse.ArgumentParser, path: Path) -> dict[str, object]:
    """TOML keys are the long option names (``max-line`` or ``max_line``)."""
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except OSError as exc:
        parser.error(f"cannot read --config {path}: {exc.strerror or exc}")
    except tomllib.TOMLDecodeError as exc:
        parser.error(f"--config {path} is not valid TOML: {exc}")
    actions = {a.dest: a for a in parser._actions if a.option_strings and a.dest != "help"}
    values: dict[str, object] = {}
    for key, raw in table.items():
        dest = key.replace("-", "_")
        if dest == "operators":  # a table of its own: name = "password or argon2 hash"
            values[dest] = _operators(parser, path, raw)
            continue
        action = actions.get(dest)
        if action is None or dest == "config":
            parser.error(f"--config {path}: unknown setting {key!r}")
        if isinstance(raw, list) and isinstance(action, argparse._AppendAction):
            values[dest] = [str(item) for item in raw]  # a repeatable option: a list of them
            continue
        if isinstance(raw, dict | list):
            parser.error(f"--config {path}: {key} must be a single value")
        if action.nargs == 0:  # a switch such as --ephemeral: true or false in the file
            if not isinstance(raw, bool):
                parser.error(f"--config {path}: {key} must be true or false")
            values[dest] = raw
            continue
        text = str(raw)
        try:
            value = action.type(text) if callable(action.type) else text
        except (argparse.ArgumentTypeError, ValueError) as exc:
            parser.error(f"--config {path}: {key}: {exc}")
        if action.choices is not None and value not in action.choices:
            parser.error(f"--config {path}: {key} must be one of {', '.join(action.choices)}")
        values[dest] = value
    return values


def _resolve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ServerConfig:
    both = args.port is not None and args.port_positional is not None
    if both and args.port != args.port_positional:
        parser.error("PORT and --port disagree; give one of them")
    port = args.port if args.port is not None else (args.port_positional or 0)
    if args.write_soft_limit > args.write_hard_limit:
        parser.error("--write-soft-limit must not exceed --write-hard-limit")
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_cert is not None and args.tls == "self-signed":
        parser.error("give either --tls self-signed or --tls-cert/--tls-key, not both")
    tls_mode: TlsMode = "files" if args.tls_cert is not None else (args.tls or "off")
    if args.tls_port is not None and tls_mode == "off":
        parser.error("--tls-port needs --tls self-signed or --tls-cert/--tls-key")
    return ServerConfig(
        host=args.host,
        port=port,
        max_line=args.max_line,
        write_soft_limit=args.write_soft_limit,
        write_hard_limit=args.write_hard_limit,
        console=args.console,
        log_level=args.log_level,
        offline_limit=args.offline_limit,
        live_rate=args.live_rate,
        flood_rate=args.flood_rate,
        flood_burst=args.flood_burst,
        flood_backlog=args.flood_backlog,
        flood_kick_after=args.flood_kick_after,
        max_connections=args.max_connections,
        max_per_address=args.max_per_address,
        registrations_per_minute=args.registrations_per_minute,
        register_timeout=args.register_timeout,
        data_dir=args.data_dir or default_data_dir(),
        tls=tls_mode,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_port=args.tls_port,
        ephemeral=args.ephemeral,
        history_lines=int(args.history_lines),
        require_accounts=args.require_accounts,
        loop=args.loop,
        offline_per_sender=args.offline_per_sender,
        offline_hours=args.offline_hours,
        history_days=args.history_days,
        history_max_mb=args.history_max_mb,
        room_days=args.room_days,
        history_user_mb=args.history_user_mb,
        memory_messages=args.memory_messages or 10**12,
        memory_per_conversation=args.memory_per_conversation or 10**12,
        listings_per_minute=args.listings_per_minute,
        http_port=args.http_port,
        metrics=args.metrics,
        web_origins=tuple(args.web_origin or ()),
        http_request_timeout=args.http_request_timeout,
        http_idle_timeout=args.http_idle_timeout,
        web_ping_interval=args.web_ping_interval,
        server_name=args.server_name,
        server_description=args.server_description,
        irc_port=args.irc_port,
        operators=tuple(getattr(args, "operators", ())),
        irc_password=args.irc_password,
    )


def _server_name(text: str) -> str:
    """A server name is one word of letters, digits, ``.``, ``-`` and ``_`` (a host name)."""
    if not text or len(text) > 63 or not all(ch.isalnum() or ch in ".-_" for ch in text):
        raise argparse.ArgumentTypeError(f"not a server name: {text!r}")
    if not text.isascii():
        raise argparse.ArgumentTypeError(f"not a server name: {text!r}")
    return text


def _server_description(text: str) -> str:
    """One printable line of at most 100 characters."""
    if not text.strip() or len(text) > 100 or not text.isprintable():
        raise argparse.ArgumentTypeError(f"not a one-line description: {text!r}")
    return " ".join(text.split())


def _secret(text: str) -> str:
    """A password, or an argon2 hash of one that parses."""
    problem = secret_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _operators(parser: argparse.ArgumentParser, path: Path, raw: object) -> list[tuple[str, str]]:
    """The ``[operators]`` table: each name with its password (or argon2 hash)."""
    if not isinstance(raw, dict) or not all(
        isinstance(name, str) and isinstance(secret, str) and secret for name, secret in raw.items()
    ):
        parser.error(f'--config {path}: [operators] must map names to passwords ("name = pw")')
    for name, secret in raw.items():
        problem = secret_problem(secret)
        if problem is not None:
            parser.error(f"--config {path}: [operators] {name}: {problem}")
    return sorted(raw.items())
