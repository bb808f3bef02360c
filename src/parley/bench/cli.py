"""``parley-bench``: benchmark a CHAT/1.0 server from outside, against a bare-relay baseline.

Commands::

    parley-bench run -n N -s S -m M [--window W] [--rate R]   N members, S send M each
    parley-bench idle -k K                                     K idle registered connections
    parley-bench matrix                                        the standard matrix (make bench)
    parley-bench matrix --dialect irc --baseline ngircd        the same over IRC, vs ngircd

By default each measurement starts a fresh Parley server (``python -m parley.server``) on
127.0.0.1 and a free port, with its abuse limits off; ``--server-command`` starts another
server instead, and ``--connect HOST:PORT`` measures one that is already running
(``--server-pid`` lets its CPU and memory be read from ``/proc``).

Output: a table on stdout, then the whole record as one JSON line, always the last line of
stdout; progress goes to stderr. A user error is one line on stderr and exit status 2; a
benchmark that could not run exits 1; one that ran exits 0 whatever it measured, unless
``--check`` asks for 1 when a target is missed or a delivery lost.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from parley.argtypes import non_negative_int, positive_float, positive_int
from parley.bench import report
from parley.bench.dialects import BenchSetupError, client_class
from parley.bench.matrix import (
    LOAD_REPEATS,
    QUICK,
    STANDARD,
    IdleRow,
    LoadRow,
    RowOutcome,
    describe,
    run_matrix,
    run_row,
)
from parley.bench.procstat import raise_open_file_limit
from parley.bench.runner import DEFAULT_WINDOW, LoadParams, PoolError
from parley.bench.targets import NATIVE_DIALECT, Subject, TargetError, external

BASELINES = ("relay", "ngircd", "parley")


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless it has none worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The ``parley-bench`` command line."""
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("server under test")
    where.add_argument(
        "--server",
        choices=["parley", "relay", "ngircd"],
        default="parley",
        help="server to start when --connect is not given (relay: the bare baseline itself)",
    )
    where.add_argument(
        "--dialect",
        choices=["chat1", "irc", "web"],
        default=None,
        help="what the clients speak to the server under test (default: CHAT/1.0, IRC for "
        "ngircd; Parley speaks all three on one port; web: its WebSocket and JSON)",
    )
    where.add_argument(
        "--server-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more option for the Parley server the bench starts (repeatable), e.g. "
        "--server-arg=--ephemeral",
    )
    where.add_argument(
        "--server-command",
        metavar="CMD",
        help="start this command instead (once per measurement); it must print 'port <N>' "
        "on stdout, e.g. 'python other_server.py --port 0'; {data_dir} in it becomes a "
        "fresh temporary directory",
    )
    where.add_argument(
        "--server-name",
        default="custom",
        help="label of the --server-command server in the table",
    )
    where.add_argument(
        "--connect",
        metavar="HOST:PORT",
        help="measure a server already listening there instead of starting one",
    )
    where.add_argument(
        "--server-pid",
        type=positive_int,
        metavar="PID",
        help="pid of the --connect server, to read its CPU and memory from /proc",
    )
    common.add_argument(
        "--procs",
        type=positive_int,
        default=None,
        help="generator processes (default: 1 below 100 connections; else one per core left "
        "to the server for send runs, one per core for idle runs; at most 4)",
    )
    common.add_argument(
        "--check", action="store_true", help="exit 1 if a target is missed or a delivery lost"
    )

    parser = argparse.ArgumentParser(
        prog="parley-bench",
        description="Benchmark a CHAT/1.0 or IRC server with real loopback clients.",
        formatter_class=_Formatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = _Formatter

    run = commands.add_parser(
        "run", parents=[common], formatter_class=formatter, help="N members, S of them send M"
    )
    run.add_argument("-n", "--members", type=positive_int, required=True, help="connections")
    run.add_argument("-s", "--senders", type=positive_int, required=True, help="how many send")
    run.add_argument("-m", "--messages", type=positive_int, required=True, help="messages each")
    run.add_argument(
        "--window",
        type=non_negative_int,
        default=None,
        help=f"most unacknowledged messages per sender; 0 = no limit (default {DEFAULT_WINDOW}, "
        "or no limit with --rate)",
    )
    run.add_argument(
        "--rate", type=positive_float, default=None, help="messages/s over all senders (open loop)"
    )
    run.add_argument("--padding", type=non_negative_int, default=0, help="extra bytes per message")
    run.add_argument("--timeout", type=positive_float, default=60.0, help="send phase limit, s")
    run.add_argument(
        "--stall", type=positive_float, default=3.0, help="end the send phase after s silent"
    )
    run.add_argument(
        "--baseline",
        nargs="?",
        const="relay",
        choices=BASELINES,
        help="also measure a baseline: the bare relay (the default), ngircd, or parley "
        "(over CHAT/1.0: to compare its doors)",
    )
    run.add_argument(
        "--repeat", type=positive_int, default=1, help="runs to take the median of (alternating)"
    )

    idle = commands.add_parser(
        "idle", parents=[common], formatter_class=formatter, help="K idle registered connections"
    )
    idle.add_argument("-k", "--connections", type=positive_int, required=True, help="connections")
    idle.add_argument(
        "--baseline",
        nargs="?",
        const="relay",
        choices=BASELINES,
        help="also measure a baseline: the bare relay (the default), ngircd, or parley "
        "(over CHAT/1.0: to compare its doors)",
    )
    idle.add_argument(
        "--repeat", type=positive_int, default=1, help="runs to take the median of (alternating)"
    )

    matrix = commands.add_parser(
        "matrix", parents=[common], formatter_class=formatter, help="the standard matrix"
    )
    matrix.add_argument(
        "--baseline",
        choices=BASELINES,
        default="relay",
        help="the baseline measured beside each row, in its own dialect (ngircd: IRC)",
    )
    matrix.add_argument("--no-baseline", action="store_true", help="skip the baseline runs")
    matrix.add_argument("--quick", action="store_true", help="a tiny matrix, to try the tool")
    matrix.add_argument(
        "--repeat",
        type=positive_int,
        default=LOAD_REPEATS,
        help="runs of each send row to take the median of (alternating with the baseline)",
    )
    return parser


def _window(args: argparse.Namespace) -> int | None:
    if args.window is None:
        return None if args.rate else DEFAULT_WINDOW
    return args.window or None


def _missed(outcomes: list[RowOutcome]) -> bool:
    return any(f.met is False for o in outcomes for f in o.figures)


def _subject(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Subject:
    """The server under test, from --server, --server-command or --connect."""
    if args.server_pid and not args.connect:
        parser.error("--server-pid only makes sense with --connect")
    if args.connect and args.server_command:
        parser.error("give --connect or --server-command, not both")
    if args.server_arg and (args.connect or args.server_command):
        parser.error("--server-arg is for the Parley server the bench starts")
    if args.connect:
        try:
            return external(args.connect, args.server_pid, args.dialect or "chat1")
        except ValueError as exc:
            parser.error(str(exc))
    if args.server_command:
        command = tuple(shlex.split(args.server_command))
        if not command:
            parser.error("--server-command is empty")
        return Subject(args.server_name, command, dialect=args.dialect or "chat1")
    if args.server_arg and args.server != "parley":
        parser.error("--server-arg is for the Parley server the bench starts")
    if args.dialect and args.server != "parley" and args.dialect != NATIVE_DIALECT[args.server]:
        parser.error(f"{args.server} speaks only {NATIVE_DIALECT[args.server]}")
    return Subject.builtin(args.server, args.server_arg, args.dialect)


def _baseline(args: argparse.Namespace) -> Subject | None:
    """The baseline server the command asks for, or None."""
    if getattr(args, "no_baseline", False) or not args.baseline:
        return None
    return Subject.builtin(args.baseline)


def _single_row(args: argparse.Namespace) -> LoadRow | IdleRow:
    """The one benchmark that ``run`` or ``idle`` asks for."""
    if args.command == "idle":
        return IdleRow(f"{args.connections:,} idle connections", args.connections, {})
    params = LoadParams(
        members=args.members,
        senders=args.senders,
        messages=args.messages,
        window=_window(args),
        rate=args.rate,
        padding=args.padding,
        timeout=args.timeout,
        stall=args.stall,
    )
    return LoadRow(f"{args.members} members, {args.senders} send {args.messages}", params, {})


def _measure(
    args: argparse.Namespace, subject: Subject, soft_limit: int
) -> tuple[list[RowOutcome], dict[str, Any], Subject | None]:
    if args.command == "matrix":
        rows = QUICK if args.quick else STANDARD
        needed = max(r.connections if isinstance(r, IdleRow) else 0 for r in rows)
        if soft_limit < needed + 100:
            report.progress(f"open-file limit {soft_limit} is below {needed}: expect failures")
        baseline = _baseline(args)
        outcomes, record = run_matrix(
            rows, subject=subject, baseline=baseline, procs=args.procs, repeats=args.repeat
        )
        return outcomes, record, baseline
    baseline = _baseline(args)
    outcome = run_row(
        _single_row(args),
        subject=subject,
        baseline=baseline,
        procs=args.procs,
        repeats=args.repeat,
    )
    record = {
        "kind": args.command,
        "machine": report.machine(),
        "server": describe(subject),
        **outcome.to_json(),
    }
    if baseline is not None:
        record["baseline_server"] = describe(baseline)
    return [outcome], record, baseline


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``parley-bench``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    subject = _subject(parser, args)
    if args.command == "run" and args.senders > args.members:
        parser.error("--senders cannot exceed --members")
    if args.command == "run" and args.members < 2:
        parser.error("--members must be at least 2 (a sender needs someone to hear it)")
    soft_limit, _ = raise_open_file_limit()
    try:
        client_class(subject.dialect)  # what a dialect needs is there, before any server starts
        outcomes, record, baseline = _measure(args, subject, soft_limit)
    except (TargetError, PoolError, BenchSetupError, OSError) as exc:
        print(f"parley-bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("parley-bench: interrupted", file=sys.stderr)
        return 130
    sections = [(o.name, o.figures) for o in outcomes]
    print(report.table(sections, subject.name, baseline.name if baseline else None))
    print(report.json_line(record), flush=True)
    lost = any(getattr(o.subject, "lost", 0) for o in outcomes)
    return 1 if args.check and (_missed(outcomes) or lost) else 0
