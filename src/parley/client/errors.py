"""Exit statuses of the ``parley`` command and the one error type that carries them.

Every way the client can end maps to one `ExitStatus`; a `ClientError` is a message for a
person (one line) plus the status to exit with. Nothing else may end the process.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What ``parley`` exits with (see docs/client.md)."""

    OK = 0
    """The user quit (Ctrl-C, Ctrl-D, /quit, end of input, SIGTERM) or the server said goodbye."""
    REFUSED = 1
    """The server refused the name (400 or 401) and no other name could be asked for."""
    USAGE = 2
    """Bad command line or address, unknown host, refused connection, no reply in time."""
    CONNECTION_LOST = 3
    """The connection dropped without the server's ``DISCONNECT CHAT/1.0``."""
    INTERNAL = 4
    """A bug in the client; the message says what, and ``PARLEY_DEBUG=1`` shows where."""


class ClientError(Exception):
    """A reason to stop, as one line for the user and the status to exit with."""

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class UsageError(ClientError):
    """The command line cannot be used as it is (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitStatus.USAGE)


class UnreachableError(ClientError):
    """The server could not be reached, or did not answer in time; it may come back."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitStatus.USAGE)


class RetryLaterError(ClientError):
    """The server refused us for now (the name still held by our dropped connection, say)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitStatus.REFUSED)


def worth_retrying(error: ClientError) -> bool:
    """Whether a reconnection that failed with `error` may succeed later."""
    return isinstance(error, UnreachableError | RetryLaterError) or (
        error.status is ExitStatus.CONNECTION_LOST
    )
