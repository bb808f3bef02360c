"""Passwords on the client: where they come from, and how they are kept out of sight.

A password reaches the client in one of four ways: ``--password VALUE``, ``--password-file
FILE`` (its first line), the environment variable ``PARLEY_PASSWORD``, or typed at a prompt
that does not echo. (``--new-password-file`` and ``PARLEY_NEW_PASSWORD`` give the new password
for ``/password`` in a script.) Whatever the source, it is held in a `Secret`, whose
``repr`` and ``str`` never show it, so it cannot end up in an error message, a traceback's
summary or a debug print. It leaves the process only base64-encoded on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from parley.client.errors import UsageError

if TYPE_CHECKING:
    from parley.client.frontend import Frontend

PASSWORD_ENV = "PARLEY_PASSWORD"
NEW_PASSWORD_ENV = "PARLEY_NEW_PASSWORD"
MAX_PASSWORD_FILE = 64 * 1024
"""Bytes of a password file read at most (a password is at most 1024 characters)."""


class Secret:
    """A password: compared and used, never shown."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself, for the one place that sends it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def read_password_file(path: Path, option: str = "--password-file") -> Secret:
    """The first line of `path`, without its line end (other spaces are kept)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PASSWORD_FILE)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot read {option} {str(path)!r}: {reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{option} {str(path)!r} is not UTF-8 text") from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise UsageError(f"{option} {str(path)!r} is empty: its first line is the password")
    return Secret(line)


def choose_password(
    value: str | None,
    file: Path | None,
    environ: Mapping[str, str],
    *,
    option: str = "--password",
    variable: str = PASSWORD_ENV,
) -> Secret | None:
    """The password given as `value`, in `file`, or in the environment (in that order).

    Giving both `value` and `file` is a usage error; the environment is used only when
    neither is given, and an empty variable counts as not set.
    """
    if value is not None and file is not None:
        raise UsageError(f"give {option} or {option}-file, not both")
    if value is not None:
        if not value:
            raise UsageError(f"{option} is empty")
        return Secret(value)
    if file is not None:
        return read_password_file(file, f"{option}-file")
    from_environment = environ.get(variable)
    return Secret(from_environment) if from_environment else None


MISMATCH = "The two passwords differ"


async def ask_twice(ui: Frontend, question: str, again: str) -> Secret | str | None:
    """A new password, typed twice without echo.

    Returns the `Secret`; ``""`` if the first answer was empty; `MISMATCH` if the two
    answers differ; None if the user gave up (Ctrl-C, Ctrl-D, end of input).
    """
    first = await ui.ask_secret(question)
    if first is None or not first:
        return first
    second = await ui.ask_secret(again)
    if second is None:
        return None
    return Secret(first) if second == first else MISMATCH
