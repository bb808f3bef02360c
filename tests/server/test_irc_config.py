"""The IRC door's configuration: ``--irc-port``, ``--server-name`` and ``[operators]``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from parley.server.config import config_from_args
from parley.server.listeners import listen_irc
from tests.server.conftest import MakeServer
from tests.server.test_irc import IrcClient


def test_irc_port_serves_the_irc_door(make_server: MakeServer) -> None:
    server = make_server(irc_port=0)
    assert server.loop is not None and server.server is not None
    started = asyncio.run_coroutine_threadsafe(listen_irc(server.server), server.loop)
    listener = started.result(5)
    assert listener is not None and listener.port != server.port
    irc = IrcClient(listener.port)
    assert irc.register("porter")[1].startswith(":parley 001 porter ")
    server.loop.call_soon_threadsafe(listener.close)


def test_no_irc_port_unless_asked(make_server: MakeServer) -> None:
    server = make_server()
    assert server.loop is not None and server.server is not None
    started = asyncio.run_coroutine_threadsafe(listen_irc(server.server), server.loop)
    assert started.result(5) is None


def test_server_name_irc_port_and_operators_from_flags_and_file(tmp_path: Path) -> None:
    config = config_from_args(["--server-name", "irc.example.org", "--irc-port", "6667"])
    assert (config.server_name, config.irc_port, config.operators) == ("irc.example.org", 6667, ())
    toml = tmp_path / "parley.toml"
    toml.write_text('server-name = "chat.example"\n[operators]\nroot = "sesame"\nann = "pw"\n')
    config = config_from_args(["--config", str(toml)])
    assert config.server_name == "chat.example"
    assert config.operators == (("ann", "pw"), ("root", "sesame"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[operators]\nroot = 3\n", "[operators] must map names to passwords"),
        ('operators = "x"\n', "[operators] must map names to passwords"),
    ],
)
def test_bad_operators_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    toml = tmp_path / "parley.toml"
    toml.write_text(text)
    with pytest.raises(SystemExit) as stopped:
        config_from_args(["--config", str(toml)])
    assert stopped.value.code == 2
    assert problem in capsys.readouterr().err


def test_bad_server_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        config_from_args(["--server-name", "not a name"])
    assert "not a server name" in capsys.readouterr().err


def test_a_configured_secret_that_is_a_broken_hash_is_refused_at_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An argon2 hash cut short would match no password at all: one line, status 2."""
    from parley.chat.passwords import hash_password

    whole = hash_password("sesame")
    toml = tmp_path / "parley.toml"
    toml.write_text(f'irc-password = "{whole}"\n[operators]\nroot = "{whole}"\n')
    config = config_from_args(["--config", str(toml)])
    assert config.irc_password == whole and config.operators == (("root", whole),)
    for argv, where in (
        (["--irc-password", whole[:20]], "argument --irc-password"),
        (["--config", str(toml)], "[operators] root"),
    ):
        if argv[0] == "--config":
            toml.write_text(f'[operators]\nroot = "{whole[:20]}"\n')
        with pytest.raises(SystemExit) as stop:
            config_from_args(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and where in err[0] and "not one (copy the whole hash)" in err[0]
