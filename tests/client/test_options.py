"""Pure tests of parley.client.options: every command-line form and its errors."""

from __future__ import annotations

import pytest

from parley.client.address import ServerAddress
from parley.client.errors import ExitStatus, UsageError
from parley.client.naming import name_problem
from parley.client.options import DEFAULT_TIMEOUT, ClientConfig, build_parser, parse_args

LOCAL = ServerAddress("127.0.0.1", 5000)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["alice", "chat://127.0.0.1:5000"], "alice"),
        (["127.0.0.1", "5000"], None),
        (["--host", "127.0.0.1", "--port", "5000"], None),
        (["--host", "127.0.0.1", "--port", "5000", "--name", "carol"], "carol"),
        (["--name", "dave", "chat://127.0.0.1:5000"], "dave"),
        (["chat://127.0.0.1:5000"], None),
        (["erin", "--host", "127.0.0.1", "--port", "5000"], "erin"),
        (["--name", "fay", "127.0.0.1", "5000"], "fay"),
        (["--name", "gil", "gil", "chat://127.0.0.1:5000"], "gil"),
    ],
)
def test_every_form_gives_address_and_name(argv: list[str], name: str | None) -> None:
    assert parse_args(argv) == ClientConfig(address=LOCAL, name=name)


def test_port_alone_means_localhost() -> None:
    assert parse_args(["--port", "5000"]).address == ServerAddress("localhost", 5000)


def test_timeout_and_plain() -> None:
    config = parse_args(["--timeout", "0.5", "--plain", "a", "chat://h:1"])
    assert config.timeout == 0.5
    assert config.plain
    assert parse_args(["a", "chat://h:1"]).timeout == DEFAULT_TIMEOUT == 10.0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ([], "no server address given"),
        (["alice"], "bad address 'alice'"),
        (["alice", "chat://localhost"], "missing port"),
        (["alice", "chat://localhost:0"], "bad port '0'"),
        (["alice", "chat://localhost:70000"], "bad port '70000'"),
        (["alice", "chat://localhost:abc"], "bad port 'abc'"),
        (["alice", "http://localhost:5000"], "unsupported scheme 'http'"),
        (["alice", "chat://:5000"], "missing host"),
        (["alice", "localhost:5000"], "expected chat://localhost:5000"),
        (["localhost", "0"], "bad port '0'"),
        (["localhost", "abc"], "bad port 'abc'"),
        (["chat://localhost:5000", "alice"], "the name comes first"),
        (["a", "b", "c"], "too many arguments"),
        (["--host", "localhost"], "--host needs --port"),
        (["--host", "localhost", "--port", "0"], "bad port '0'"),
        (["--host", "", "--port", "5000"], "missing host"),
        (["--port", "5000", "x", "chat://h:1"], "give the server address once"),
        (["--port", "5000", "chat://h:1"], "give the server address once"),
        (["--name", "bob", "alice", "chat://h:1"], "two names given"),
        (["--timeout", "0", "a", "chat://h:1"], "more than 0 seconds"),
        (["--timeout", "soon", "a", "chat://h:1"], "not a number"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_errors_are_one_line_usage_errors(argv: list[str], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_args(argv)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.status is ExitStatus.USAGE
    assert int(caught.value.status) == 2


def test_help_lists_every_option_with_its_default() -> None:
    text = build_parser().format_help()
    for option in ("--host", "--port", "--name", "--timeout", "--plain", "--version"):
        assert option in text
    assert "default: 10" in text
    assert "default: localhost" in text
    assert "chat://HOST:PORT" in text


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("alice", True),
        ("Zoë", True),
        ("a.b-c_d", True),
        ("", False),
        ("two words", False),
        ("tab\there", False),
        ("new\nline", False),
        ("esc\x1b[2J", False),
        ("colon:name", False),
    ],
)
def test_name_problem_refuses_only_what_breaks_the_wire(name: str, ok: bool) -> None:
    assert (name_problem(name) is None) is ok
