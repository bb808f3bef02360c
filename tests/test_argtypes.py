"""Shared command-line argument types: values in, one clear error for anything else."""

from __future__ import annotations

import argparse

import pytest

from parley.argtypes import non_negative, non_negative_int, port, positive_float, positive_int


def test_good_values() -> None:
    assert port("0") == 0
    assert port("65535") == 65535
    assert positive_int("3") == 3
    assert positive_float("0.5") == 0.5
    assert non_negative(float)("0") == 0.0
    assert non_negative_int("0") == 0


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (port, "abc", "not a port number"),
        (port, "70000", "port must be 0-65535"),
        (positive_int, "0", "must be positive"),
        (positive_int, "1.5", "not a whole number"),
        (positive_float, "-1", "must be positive"),
        (positive_float, "x", "not a number"),
        (non_negative_int, "-2", "must not be negative"),
    ],
)
def test_bad_values_say_why(parse: object, text: str, message: str) -> None:
    assert callable(parse)
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        parse(text)
