"""Where the server is: parsing ``chat://HOST:PORT`` (``chats://`` for TLS) and ``HOST PORT``.

Pure functions, no I/O: whether a host exists is only known when connecting. Every error is
an `AddressError` whose message is one line fit to show a user as it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from parley.records import record

SCHEME = "chat"
TLS_SCHEME = "chats"
MAX_PORT = 65535
EXPECTED = "expected chat://HOST:PORT (or chats://HOST:PORT for TLS)"


class AddressError(ValueError):
    """The text given is not a usable server address; the message says why, in one line."""


@record
class ServerAddress:
    """A server's host (name or IP literal, without brackets), TCP port, and whether TLS is used."""

    host: str
    port: int
    tls: bool = False

    @property
    def host_port(self) -> str:
        """``HOST:PORT`` (``[::1]:PORT`` for IPv6), the key of a pinned certificate."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host.lower()}:{self.port}"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{TLS_SCHEME if self.tls else SCHEME}://{host}:{self.port}"


def parse_port(text: str) -> int:
    """A TCP port from 1 to 65535, written in ASCII digits."""
    if not (text.isascii() and text.isdigit()):
        raise AddressError(f"bad port {text!r}: must be a number from 1 to {MAX_PORT}")
    port = int(text)
    if not 1 <= port <= MAX_PORT:
        raise AddressError(f"bad port {text!r}: must be from 1 to {MAX_PORT}")
    return port


def check_host(host: str) -> str:
    """`host` if it could be a host name or IP address; an `AddressError` if clearly not."""
    if not host:
        raise AddressError("missing host name")
    if not host.isprintable() or any(ch.isspace() for ch in host) or "/" in host:
        raise AddressError(f"bad host name {host!r}")
    return host


def looks_like_url(text: str) -> bool:
    """Whether `text` was meant as a URL (it has a ``scheme://``)."""
    return "://" in text


def parse_chat_url(text: str) -> ServerAddress:
    """Read ``chat://HOST:PORT`` or ``chats://HOST:PORT`` (TLS); ``[::1]`` for IPv6.

    A trailing ``/`` is fine.
    """
    if not looks_like_url(text):
        raise AddressError(f"bad address {text!r}: {EXPECTED}")
    try:
        parts = urlsplit(text)
    except ValueError as error:  # unbalanced brackets, odd Unicode in the host part
        raise AddressError(f"bad address {text!r}: {error}") from None
    if parts.scheme.lower() not in (SCHEME, TLS_SCHEME):
        scheme = parts.scheme or text.partition("://")[0]
        raise AddressError(f"unsupported scheme {scheme!r} in {text!r}: {EXPECTED}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise AddressError(f"bad address {text!r}: expected chat://HOST:PORT and nothing after")
    if "@" in parts.netloc:
        raise AddressError(f"bad address {text!r}: a chat:// address has no user part")
    host, port_text = _split_netloc(parts.netloc, text)
    tls = parts.scheme.lower() == TLS_SCHEME
    return ServerAddress(check_host(host), parse_port(port_text), tls)


def _split_netloc(netloc: str, text: str) -> tuple[str, str]:
    if netloc.startswith("["):
        host, bracket, rest = netloc[1:].partition("]")
        if not bracket:
            raise AddressError(f"bad address {text!r}: unclosed '[' in host")
        if not rest.startswith(":"):
            raise AddressError(f"missing port in {text!r}: expected chat://HOST:PORT")
        return host, rest[1:]
    host, colon, port_text = netloc.rpartition(":")
    if not colon:
        raise AddressError(f"missing port in {text!r}: expected chat://HOST:PORT")
    if ":" in host:
        raise AddressError(f"bad address {text!r}: write an IPv6 host in brackets, [::1]")
    if not host:
        raise AddressError(f"missing host in {text!r}: expected chat://HOST:PORT")
    if not port_text:
        raise AddressError(f"missing port in {text!r}: expected chat://HOST:PORT")
    return host, port_text


def parse_host_port(host: str, port: str, *, tls: bool = False) -> ServerAddress:
    """The ``HOST PORT`` form of seeds 000 and 002 (and ``--host``/``--port``)."""
    host = check_host(host.removeprefix("[").removesuffix("]"))
    return ServerAddress(host, parse_port(port), tls)
