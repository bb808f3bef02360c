"""Pure tests of parley.client.options: every command-line form and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.client.address import ServerAddress
from parley.client.errors import ExitStatus, UsageError
from parley.client.naming import name_problem
from parley.client.options import DEFAULT_TIMEOUT, ClientConfig, build_parser, parse_args
from parley.client.passwords import Secret
from parley.client.trust import TlsSettings

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
    assert parse_args(argv, environ={}) == ClientConfig(address=LOCAL, name=name)


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
        (["--commands", "irc", "a", "chat://h:1"], "invalid choice: 'irc'"),
        (["--tofu", "a", "chat://h:1"], "--tofu is for TLS: use a chats://HOST:PORT"),
        (["--cafile", "x.pem", "a", "chat://h:1"], "--cafile is for TLS"),
        (["--trust-fingerprint", "AB", "a", "chats://h:1"], "bad fingerprint 'AB'"),
    ],
)
def test_errors_are_one_line_usage_errors(argv: list[str], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_args(argv)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.status is ExitStatus.USAGE
    assert int(caught.value.status) == 2


def test_commands_and_live() -> None:
    assert parse_args(["a", "chat://h:1"]).commands == "slash"
    assert not parse_args(["a", "chat://h:1"]).live
    for style in ("seed002", "seed003", "seed004", "slash"):
        assert parse_args(["--commands", style, "a", "chat://h:1"]).commands == style
    assert parse_args(["--live", "a", "chat://h:1"]).live


def test_tls_options(tmp_path: Path) -> None:
    fingerprint = ":".join(["0A"] * 32)
    config = parse_args(
        [
            "a",
            "chats://h:1",
            "--cafile",
            "ca.pem",
            "--tofu",
            "--trust-fingerprint",
            fingerprint.lower().replace(":", ""),
            "--known-hosts",
            str(tmp_path / "kh"),
        ]
    )
    assert config.address == ServerAddress("h", 1, tls=True)
    assert config.tls == TlsSettings(
        cafile=Path("ca.pem"), known_hosts=tmp_path / "kh", fingerprint=fingerprint, tofu=True
    )
    assert parse_args(["--tls", "h", "1"]).address == ServerAddress("h", 1, tls=True)
    assert parse_args(["--tls", "--host", "h", "--port", "1"]).address.tls


def test_known_hosts_default_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert parse_args(["a", "chats://h:1"]).tls.known_hosts == tmp_path / "parley" / "known_hosts"


def test_help_lists_every_option_with_its_default() -> None:
    text = build_parser().format_help()
    for option in (
        "--host",
        "--port",
        "--name",
        "--timeout",
        "--plain",
        "--commands",
        "--live",
        "--tls",
        "--cafile",
        "--trust-fingerprint",
        "--tofu",
        "--known-hosts",
        "--password",
        "--password-file",
        "--signup",
        "--new-password-file",
        "PARLEY_PASSWORD",
        "--version",
    ):
        assert option in text
    assert "seed002, seed003, seed004" in text
    assert "default: slash" in text
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


# Passwords --------------------------------------------------------------------------------


def test_no_password_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_PASSWORD", raising=False)
    config = parse_args(["alice", "chat://h:1"])
    assert config.password is None and config.new_password is None and not config.signup
    assert parse_args(["alice", "chat://h:1"], environ={"PARLEY_PASSWORD": ""}).password is None


def test_password_from_option_file_or_environment(tmp_path: Path) -> None:
    file = tmp_path / "pw"
    file.write_text("correct horse  \nsecond line\n", encoding="utf-8")
    environ = {"PARLEY_PASSWORD": "from env", "PARLEY_NEW_PASSWORD": "new from env"}
    assert parse_args(["a", "chat://h:1", "--password", "given"], environ).password == Secret(
        "given"
    )
    by_file = parse_args(["a", "chat://h:1", "--password-file", str(file)], environ)
    assert by_file.password == Secret("correct horse  ")  # only the line end is dropped
    by_env = parse_args(["a", "chat://h:1", "--signup"], environ)
    assert by_env.password == Secret("from env")
    assert by_env.new_password == Secret("new from env")
    assert by_env.signup
    new_file = parse_args(["a", "chat://h:1", "--new-password-file", str(file)], environ)
    assert new_file.new_password == Secret("correct horse  ")


def test_the_password_never_shows_in_the_config(tmp_path: Path) -> None:
    config = parse_args(["a", "chat://h:1", "--password", "hunter22"], environ={})
    assert "hunter22" not in repr(config)
    assert "hunter22" not in str(config)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--password", "x", "--password-file", "{file}"], "not both"),
        (["--password", ""], "--password is empty"),
        (["--password-file", "{missing}"], "cannot read --password-file"),
        (["--password-file", "{empty}"], "is empty"),
        (["--password-file", "{binary}"], "is not UTF-8"),
        (["--new-password-file", "{missing}"], "cannot read --new-password-file"),
    ],
)
def test_password_errors_are_usage_errors(tmp_path: Path, argv: list[str], fragment: str) -> None:
    files = {
        "file": tmp_path / "pw",
        "missing": tmp_path / "missing",
        "empty": tmp_path / "empty",
        "binary": tmp_path / "binary",
    }
    files["file"].write_text("pw\n")
    files["empty"].write_text("")
    files["binary"].write_bytes(b"\xff\xfe\n")
    filled = [arg.format(**{k: str(v) for k, v in files.items()}) for arg in argv]
    with pytest.raises(UsageError) as raised:
        parse_args(["a", "chat://h:1", *filled], environ={})
    assert fragment in str(raised.value)
    assert raised.value.status is ExitStatus.USAGE
