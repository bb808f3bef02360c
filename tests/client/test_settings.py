"""The client's configuration file and the options that join it (parley.client.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.client.address import ServerAddress
from parley.client.app import appearance
from parley.client.cli import main
from parley.client.errors import ExitStatus, UsageError
from parley.client.options import DEFAULT_TIME_FORMAT, parse_args
from parley.client.passwords import Secret
from parley.client.settings import default_path, load_settings

GOOD = """\
server = "chat://chat.example.org:64700"
name = "alice"
color = "never"
time_format = "%H:%M:%S"
highlight = ["deploy", "release"]
bell = false
reconnect = false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.toml"
    path.write_text(text)
    return path


def test_the_default_file_is_under_xdg_config_home(tmp_path: Path) -> None:
    assert default_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "parley" / "client.toml"
    assert default_path({}) == Path.home() / ".config" / "parley" / "client.toml"
    assert default_path({"XDG_CONFIG_HOME": "relative"}).is_relative_to(Path.home())


def test_a_missing_default_file_is_no_error(tmp_path: Path) -> None:
    assert load_settings(None, {"XDG_CONFIG_HOME": str(tmp_path)}).path is None


def test_the_file_gives_server_name_and_looks(tmp_path: Path) -> None:
    config = parse_args(["--config", str(write(tmp_path, GOOD))], environ={})
    assert config.address == ServerAddress("chat.example.org", 64700)
    assert config.name == "alice"
    assert (config.color, config.time_format, config.time_everywhere) == (
        "never",
        "%H:%M:%S",
        False,
    )
    assert config.highlight == ("deploy", "release")
    assert not config.bell and not config.reconnect


def test_the_default_file_is_read_from_xdg_config_home(tmp_path: Path) -> None:
    (tmp_path / "parley").mkdir()
    (tmp_path / "parley" / "client.toml").write_text('name = "zoe"\n')
    config = parse_args(["chat://h:1"], environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert config.name == "zoe"


def test_flags_win_over_the_environment_and_the_file(tmp_path: Path) -> None:
    path = str(write(tmp_path, GOOD))
    config = parse_args(
        ["--config", path, "bob", "chat://h:1", "--color", "always", "--time-format", ""],
        environ={"NO_COLOR": "1"},
    )
    assert (config.name, config.address.host) == ("bob", "h")
    assert (config.color, config.time_format, config.time_everywhere) == ("always", "", True)
    assert parse_args(["--config", path, "--highlight", "x"], environ={}).highlight == (
        "deploy",
        "release",
        "x",
    )


def test_no_color_wins_over_the_file_but_not_over_the_flag(tmp_path: Path) -> None:
    path = str(write(tmp_path, 'color = "always"\n'))
    assert parse_args(["--config", path, "chat://h:1"], environ={"NO_COLOR": "1"}).color == "never"
    assert parse_args(["--config", path, "chat://h:1"], environ={"NO_COLOR": ""}).color == "always"
    assert parse_args(["chat://h:1"], environ={}).color == "auto"


def test_the_password_file_of_the_file_comes_last(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("file secret\n")
    path = str(write(tmp_path, f'password_file = "{secret}"\n'))
    args = ["--config", path, "a", "chat://h:1"]
    assert parse_args(args, environ={}).password == Secret("file secret")
    assert parse_args(args, environ={"PARLEY_PASSWORD": "env"}).password == Secret("env")
    assert parse_args([*args, "--password", "flag"], environ={}).password == Secret("flag")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name = ", "not valid TOML"),
        ('colour = "never"\n', "unknown setting 'colour'"),
        ('color = "sometimes"\n', "color must be one of never, auto, always"),
        ("bell = 1\n", "bell must be a true or false"),
        ('highlight = "deploy"\n', "highlight must be a list"),
        ('highlight = [""]\n', "highlight must be a list of words"),
        ('time_format = "%H\\n"\n', "time_format"),
        ('server = "http://x:1"\n', "server: unsupported scheme"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as error:
        parse_args(["--config", str(path)], environ={})
    assert words in str(error.value)
    assert main(["--config", str(path)]) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("parley: ") and "Traceback" not in err


def test_a_missing_config_file_given_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no configuration file"):
        parse_args(["--config", str(tmp_path / "nope.toml"), "chat://h:1"], environ={})


def test_a_bad_time_format_flag_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="bad --time-format"):
        parse_args(["chat://h:1", "--time-format", "a\tb"], environ={})


def test_colours_and_times_only_at_a_terminal_unless_asked() -> None:
    auto = parse_args(["chat://h:1"], environ={})
    assert auto.time_format == DEFAULT_TIME_FORMAT
    script = appearance(auto, terminal=False, environ={})
    assert script.plain and not script.bell
    person = appearance(auto, terminal=True, environ={"TERM": "xterm-256color"})
    assert person.colour and person.time_format == "%H:%M" and person.bell
    assert not appearance(auto, terminal=True, environ={"TERM": "dumb"}).colour
    asked = parse_args(["chat://h:1", "--color", "always", "--time-format", "%H"], environ={})
    piped = appearance(asked, terminal=False, environ={})
    assert piped.colour and piped.time_format == "%H"
    never = parse_args(["chat://h:1", "--color", "never", "--no-bell"], environ={})
    assert not appearance(never, terminal=True, environ={}).colour
    assert not appearance(never, terminal=True, environ={}).bell


def test_full_screen_from_the_option_or_the_file(tmp_path: Path) -> None:
    assert not parse_args(["a", "chat://h:1"], environ={}).full_screen
    assert parse_args(["a", "chat://h:1", "--full-screen"], environ={}).full_screen
    file = write(tmp_path, "full_screen = true\n")
    assert parse_args(["--config", str(file), "a", "chat://h:1"], environ={}).full_screen
    file = write(tmp_path, "full_screen = false\n")
    assert not parse_args(["--config", str(file), "a", "chat://h:1"], environ={}).full_screen
    with pytest.raises(UsageError, match="full_screen must be a true or false"):
        parse_args(["--config", str(write(tmp_path, 'full_screen = "yes"\n'))], environ={})
