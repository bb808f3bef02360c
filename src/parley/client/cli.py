"""The ``parley`` command: parse the command line, run the client, exit with a status.

This is the only place that turns failures into exit statuses, and the last line of defence:
whatever goes wrong, the user sees one line on stderr, never a traceback (set
``PARLEY_DEBUG=1`` to see the traceback of an internal error).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import traceback
from collections.abc import Sequence

from parley.client.app import run
from parley.client.errors import ClientError, ExitStatus
from parley.client.options import parse_args

PROG = "parley"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``parley`` console script and of ``python -m parley``."""
    _tolerate_unencodable_output()
    try:
        config = parse_args(argv)
        return int(asyncio.run(run(config)))
    except ClientError as error:
        _say(str(error))
        return int(error.status)
    except KeyboardInterrupt:
        return int(ExitStatus.OK)
    except Exception as error:
        if os.environ.get("PARLEY_DEBUG"):
            traceback.print_exc()
        _say(f"internal error: {type(error).__name__}: {error} (PARLEY_DEBUG=1 shows more)")
        return int(ExitStatus.INTERNAL)


def _say(message: str) -> None:
    """One line on stderr, prefixed with the program name; never raises."""
    with contextlib.suppress(OSError, ValueError):
        print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _tolerate_unencodable_output() -> None:
    """A terminal that cannot show some character gets '?', not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
