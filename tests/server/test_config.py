"""Configuration: defaults, then the TOML file, then flags; every bad value is one error."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.server.config import ServerConfig, config_from_args


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "parley.toml"
    path.write_text(text)
    return str(path)


def test_defaults() -> None:
    config = config_from_args([])
    assert config.port == 0
    assert config.max_line == ServerConfig().max_line
    assert config.tls == "off"


def test_file_then_flags(tmp_path: Path) -> None:
    path = write(tmp_path, 'max-line = 4096\nflood_rate = 0\nhost = "127.0.0.1"\nport = 6000\n')
    config = config_from_args(["--config", path])
    assert (config.max_line, config.flood_rate, config.host, config.port) == (
        4096,
        0.0,
        "127.0.0.1",
        6000,
    )
    config = config_from_args(["--config", path, "--max-line", "100", "7000"])
    assert (config.max_line, config.port) == (100, 7000)


def test_tls_from_file(tmp_path: Path) -> None:
    path = write(tmp_path, f'tls = "self-signed"\ndata-dir = "{tmp_path}"\n')
    config = config_from_args(["--config", path])
    assert config.tls == "self-signed"
    assert config.data_dir == tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bogus = 1\n", "unknown setting 'bogus'"),
        ('max-line = "x"\n', "not a whole number"),
        ("max-line = \n", "not valid TOML"),
        ('tls = "maybe"\n', "must be one of"),
        ("flood-rate = -1\n", "must not be negative"),
        ("max-line = [1]\n", "must be a single value"),
    ],
)
def test_bad_file_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        config_from_args(["--config", write(tmp_path, text)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert len(error.strip().splitlines()) == 1


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        config_from_args(["--config", "/no/such/parley.toml"])
    assert "cannot read --config" in capsys.readouterr().err


def test_retention_memory_and_quota_options(tmp_path: Path) -> None:
    path = write(tmp_path, "history-days = 30\nmemory-messages = 5000\n")
    args = ["--config", path, "--offline-per-sender", "5", "--offline-hours", "2"]
    args += ["--history-max-mb", "64", "--listings-per-minute", "0"]
    config = config_from_args([*args, "--memory-per-conversation", "0"])
    assert (config.history_days, config.history_max_mb, config.memory_messages) == (30, 64, 5000)
    assert (config.offline_per_sender, config.offline_hours) == (5, 2)
    assert config.listings_per_minute == 0
    assert config.memory_per_conversation >= 10**12  # 0: no limit
