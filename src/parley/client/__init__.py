"""The Parley terminal client and the async client library under it.

`parley.client.session.ChatClient` is the library (for bots and tests): connect, register,
send requests, receive events, disconnect. `parley.client.chat.ChatState` is the
conversation without I/O (rooms, extensions, live typing), `parley.client.commands` what a
typed line means, `parley.client.trust` the TLS trust decisions. `parley.client.cli.main` is
the ``parley`` command built on them. Nothing here is imported by the server.
"""

from __future__ import annotations

from parley.client.address import AddressError, ServerAddress, parse_chat_url
from parley.client.session import (
    CertificateError,
    ChatClient,
    ConnectError,
    ConnectionClosed,
    ConnectionLostError,
    Refused,
    Registered,
    RegistrationTimeoutError,
    SessionError,
    SessionEvent,
)

__all__ = [
    "AddressError",
    "CertificateError",
    "ChatClient",
    "ConnectError",
    "ConnectionClosed",
    "ConnectionLostError",
    "Refused",
    "Registered",
    "RegistrationTimeoutError",
    "ServerAddress",
    "SessionError",
    "SessionEvent",
    "parse_chat_url",
]
