"""Argument types shared by Parley's command lines (server, bench).

Each turns a command-line word into a value or raises ``argparse.ArgumentTypeError`` with a
message a person can act on; argparse turns that into one line and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _number(kind: type[int] | type[float], text: str) -> float:
    try:
        return kind(text)
    except ValueError:
        word = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {word}: {text!r}") from None


def port(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, not {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number above zero."""
    value = int(_number(int, text))
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return value


def positive_float(text: str) -> float:
    """A number above zero."""
    value = _number(float, text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number, zero or more."""
    return int(non_negative(int)(text))


def non_negative(kind: type[int] | type[float]) -> Callable[[str], float]:
    """A parser for numbers of `kind` that are zero or more (0 often means "no limit")."""

    def parse(text: str) -> float:
        value = _number(kind, text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
        return value

    return parse
