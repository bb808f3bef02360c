"""The client's configuration file: ``$XDG_CONFIG_HOME/parley/client.toml`` or ``--config``.

Pure but for reading the one file. Every key is optional; a key this client does not know, a
value of the wrong type or a file that is not TOML is a `UsageError` of one line (exit status
2), never a traceback. A missing default file is no error; a missing ``--config FILE`` is.
The command line wins over the environment, which wins over this file (see
`parley.client.options`)::

    server = "chat://chat.example.org:64700"   # used when no address is given
    name = "alice"                             # used when no name is given
    password_file = "~/.config/parley/password"
    color = "auto"                             # never, auto (on a terminal) or always
    time_format = "%H:%M"                      # "" for no time before each line
    highlight = ["deploy", "release"]          # words highlighted like your name
    bell = true                                # ring the bell when you are mentioned
    reconnect = true                           # retry a dropped connection (a terminal)
    full_screen = false                        # room buffers, full screen (a terminal)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

from parley.client.errors import UsageError
from parley.records import record

ColorMode = Literal["never", "auto", "always"]
COLOR_MODES: tuple[ColorMode, ...] = get_args(ColorMode)


@record
class FileSettings:
    """What the configuration file says (None: it does not say)."""

    path: Path | None = None
    server: str | None = None
    name: str | None = None
    password_file: Path | None = None
    color: ColorMode | None = None
    time_format: str | None = None
    highlight: tuple[str, ...] = ()
    bell: bool | None = None
    reconnect: bool | None = None
    full_screen: bool | None = None


_KINDS: dict[str, type] = {
    "server": str,
    "name": str,
    "password_file": str,
    "color": str,
    "time_format": str,
    "highlight": list,
    "bell": bool,
    "reconnect": bool,
    "full_screen": bool,
}


def default_path(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/parley/client.toml``, else ``~/.config/parley/client.toml``."""
    base = environ.get("XDG_CONFIG_HOME")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "parley" / "client.toml"


def load_settings(given: Path | None, environ: Mapping[str, str]) -> FileSettings:
    """The settings in `given` (``--config``) or in the default file if there is one."""
    path = given if given is not None else default_path(environ)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if given is None:
            return FileSettings()
        raise UsageError(f"no configuration file {str(path)!r}") from None
    except OSError as error:
        raise UsageError(f"cannot read {str(path)!r}: {error.strerror or error}") from None
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    return parse_settings(table, path)


def parse_settings(table: Mapping[str, object], path: Path | None = None) -> FileSettings:
    """Check every key and value of a parsed file; raise `UsageError` naming the first problem."""
    where = f"{path}: " if path is not None else ""
    for key, value in table.items():
        kind = _KINDS.get(key)
        if kind is None:
            known = ", ".join(_KINDS)
            raise UsageError(f"{where}unknown setting {key!r} (known: {known})")
        if not isinstance(value, kind):
            raise UsageError(f"{where}{key} must be a {_KIND_WORDS[kind]}, not {value!r}")
    color = next((mode for mode in COLOR_MODES if mode == table.get("color")), None)
    if color is None and "color" in table:
        raise UsageError(
            f"{where}color must be one of {', '.join(COLOR_MODES)}, not {table['color']!r}"
        )
    highlight = table.get("highlight", [])
    assert isinstance(highlight, list)
    words = []
    for word in highlight:
        if not isinstance(word, str) or not word.strip() or not word.isprintable():
            raise UsageError(f"{where}highlight must be a list of words, not {word!r}")
        words.append(word.strip())
    time_format = table.get("time_format")
    if time_format is not None:
        problem = time_format_problem(str(time_format))
        if problem:
            raise UsageError(f"{where}time_format {time_format!r}: {problem}")
    password_file = table.get("password_file")
    return FileSettings(
        path=path,
        server=_text(table, "server"),
        name=_text(table, "name"),
        password_file=Path(os.path.expanduser(str(password_file))) if password_file else None,
        color=color,
        time_format=None if time_format is None else str(time_format),
        highlight=tuple(words),
        bell=_flag(table, "bell"),
        reconnect=_flag(table, "reconnect"),
        full_screen=_flag(table, "full_screen"),
    )


_KIND_WORDS = {str: "string", list: "list", bool: "true or false"}


def time_format_problem(text: str) -> str | None:
    """Why `text` cannot be a time format (a strftime format on one line); None if it can."""
    import time

    if not text.isprintable():
        return "it must be printable characters on one line"
    try:
        time.strftime(text, time.localtime(0))
    except ValueError as error:
        return str(error)
    return None


def _text(table: Mapping[str, object], key: str) -> str | None:
    value = table.get(key)
    return value if isinstance(value, str) and value else None


def _flag(table: Mapping[str, object], key: str) -> bool | None:
    value = table.get(key)
    return value if isinstance(value, bool) else None
