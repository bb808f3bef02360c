"""Pure tests of parley.client.address: chat:// URLs and HOST PORT, every error."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.client.address import (
    AddressError,
    ServerAddress,
    parse_chat_url,
    parse_host_port,
    parse_port,
)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("chat://localhost:5000", "localhost", 5000),
        ("chat://127.0.0.1:64700", "127.0.0.1", 64700),
        ("chat://example.org:1", "example.org", 1),
        ("chat://example.org:65535/", "example.org", 65535),
        ("CHAT://Host.Example:80", "Host.Example", 80),
        ("chat://[::1]:5000", "::1", 5000),
    ],
)
def test_chat_url_forms(url: str, host: str, port: int) -> None:
    assert parse_chat_url(url) == ServerAddress(host, port)
    secure = parse_chat_url(url.replace("chat", "chats", 1).replace("CHAT", "CHATS", 1))
    assert secure == ServerAddress(host, port, tls=True)


def test_tls_addresses_print_and_key_as_typed() -> None:
    assert str(ServerAddress("localhost", 5000, tls=True)) == "chats://localhost:5000"
    assert str(ServerAddress("::1", 5000)) == "chat://[::1]:5000"
    assert ServerAddress("::1", 5000, tls=True).host_port == "[::1]:5000"
    assert ServerAddress("LocalHost", 1).host_port == "localhost:1"
    assert parse_host_port("h", "1", tls=True) == ServerAddress("h", 1, tls=True)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("chat://localhost", "missing port"),
        ("chat://localhost:", "missing port"),
        ("chat://localhost:0", "bad port '0'"),
        ("chat://localhost:70000", "bad port '70000'"),
        ("chat://localhost:65536", "bad port '65536'"),
        ("chat://localhost:abc", "bad port 'abc'"),
        ("chat://localhost:-1", "bad port '-1'"),
        ("chat://localhost:\uff15\uff10", "bad port"),
        ("chat://:5000", "missing host"),
        ("chat://", "missing port"),
        ("http://localhost:5000", "unsupported scheme 'http'"),
        ("https://localhost:5000", "unsupported scheme 'https'"),
        ("://localhost:5000", "unsupported scheme"),
        ("localhost:5000", "expected chat://HOST:PORT"),
        ("chat://localhost:5000/room", "nothing after"),
        ("chat://localhost:5000?x=1", "nothing after"),
        ("chat://alice@localhost:5000", "no user part"),
        ("chat://::1:5000", "IPv6 host in brackets"),
        ("chat://[::1:5000", "bad address"),
        ("chat://x]:5000", "bad address"),
        ("chat://[::1]", "missing port"),
        ("chat://bad host:5000", "bad host name"),
    ],
)
def test_chat_url_errors_say_what_is_wrong(url: str, fragment: str) -> None:
    with pytest.raises(AddressError) as caught:
        parse_chat_url(url)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_host_port_form() -> None:
    assert parse_host_port("127.0.0.1", "8080") == ServerAddress("127.0.0.1", 8080)
    assert parse_host_port("[::1]", "8080") == ServerAddress("::1", 8080)


@pytest.mark.parametrize(
    ("host", "port", "fragment"),
    [
        ("", "80", "missing host"),
        ("localhost", "0", "bad port '0'"),
        ("localhost", "70000", "bad port"),
        ("localhost", "http", "bad port 'http'"),
        ("localhost", "", "bad port ''"),
        ("local host", "80", "bad host name"),
    ],
)
def test_host_port_errors(host: str, port: str, fragment: str) -> None:
    with pytest.raises(AddressError, match=fragment):
        parse_host_port(host, port)


def test_address_prints_as_a_chat_url() -> None:
    assert str(ServerAddress("localhost", 5000)) == "chat://localhost:5000"
    assert str(ServerAddress("::1", 5000)) == "chat://[::1]:5000"
    assert parse_chat_url(str(ServerAddress("::1", 7))) == ServerAddress("::1", 7)


@given(st.integers(min_value=1, max_value=65535))
def test_every_valid_port_round_trips(port: int) -> None:
    assert parse_port(str(port)) == port
    assert parse_chat_url(f"chat://h:{port}") == ServerAddress("h", port)


@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_one_line(text: str) -> None:
    try:
        address = parse_chat_url(text)
    except AddressError as error:
        assert "\n" not in str(error).replace(repr(text), "")
    else:
        assert 1 <= address.port <= 65535
        assert address.host
