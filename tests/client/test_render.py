"""Pure tests of parley.client.render: what each server event looks like to the user."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from parley.client.render import (
    CONNECTION_LOST,
    SERVER_DISCONNECTED,
    Channel,
    Line,
    direct_message,
    history_line,
    lobby_message,
    presence,
    queued_private,
    render_event,
    room_message,
    stamp,
)
from parley.client.session import ConnectionClosed, SessionEvent
from parley.protocol.chat1 import (
    IncomingMessage,
    Notice,
    NumericReply,
    PresenceNotice,
    ServerDisconnect,
    ServerEvent,
    parse_server_line,
)


@pytest.mark.parametrize(
    ("event", "line"),
    [
        (IncomingMessage("bob", "hi"), Line("@bob: hi")),
        (IncomingMessage("bob", ""), Line("@bob: ")),
        (IncomingMessage("bob", "hi", room="dev"), Line("@bob #dev: hi")),
        (IncomingMessage("bob", "psst", recipient="alice"), Line("@bob > alice: psst")),
        (IncomingMessage("bob", "hel", typing=True), Line("@bob ~: hel")),
        (IncomingMessage("bob", "hel", room="dev", typing=True), Line("@bob ~#dev: hel")),
        (PresenceNotice("joined", "dev", "carol"), Line("JOINED dev carol CHAT/1.0")),
        (Notice("* alice joined"), Line("* alice joined")),
        (
            NumericReply(403, "Sender does not match"),
            Line.notice("server: 403 Sender does not match"),
        ),
        (NumericReply(500, ""), Line.notice("server: 500")),
        (ServerDisconnect(), Line.notice(SERVER_DISCONNECTED)),
        (ConnectionClosed(), Line.notice(CONNECTION_LOST)),
    ],
)
def test_each_event_has_its_line(event: SessionEvent, line: Line) -> None:
    assert render_event(event) == line


def test_chat_goes_to_stdout_and_replies_to_stderr() -> None:
    assert render_event(IncomingMessage("a", "b")).channel is Channel.CHAT
    assert render_event(NumericReply(404, "x")).channel is Channel.NOTICE


def test_control_characters_never_reach_the_terminal() -> None:
    text = render_event(IncomingMessage("evil", "\x1b[2J\x07clear\rforged\x9b")).text
    assert text == "@evil: \ufffd[2J\ufffdclear\ufffdforged\ufffd"
    assert render_event(Notice("tab\tkept")).text == "tab\tkept"
    assert "\x1b" not in Line.notice("\x1b]0;title\x07").text
    assert "\x1b" not in Line.progress("\x1b[1m").text


def test_seed_disconnect_notice() -> None:
    assert "Disconnected from server" in SERVER_DISCONNECTED
    assert "exiting now" in SERVER_DISCONNECTED


@pytest.mark.parametrize(
    "raw",
    [
        b"@bob: hi",
        b"@bob #dev: hi",
        b"@bob > alice: psst",
        b"@bob ~#dev: typing",
        b"JOINED dev carol CHAT/1.0",
        b"* anything else",
    ],
)
def test_relayed_lines_are_shown_exactly_as_sent(raw: bytes) -> None:
    assert render_event(parse_server_line(raw)).text == raw.decode()


def test_extended_formats() -> None:
    assert room_message("Alice", "teamchat", "Hello team!") == Line(
        "Alice (in teamchat): Hello team!"
    )
    assert lobby_message("bob", "hi") == Line("@bob: hi")
    assert direct_message("alice", "psst") == Line("alice (private): psst")
    assert direct_message("Alice", "Hello Bob!", plain=True) == Line("Alice: Hello Bob!")
    assert presence("joined", "teamchat", "bob") == Line("* bob joined teamchat")
    assert presence("left", "teamchat", "bob") == Line("* bob left teamchat")
    assert presence("quit", "*", "bob") == Line("* bob disconnected")
    assert "\x1b" not in room_message("a\x1b", "r\x1b", "t\x1b").text


# Times, history and messages kept offline --------------------------------------------------

NOON = 1763726400.0  # 2025-11-21 12:00 UTC


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("utc")
def test_stamp_is_the_time_today_and_the_date_before() -> None:
    assert stamp(NOON - 3600, NOON) == "[11:00]"
    assert stamp(NOON - 13 * 3600, NOON) == "[2025-11-20 23:00]"


@pytest.mark.usefixtures("utc")
def test_stamp_follows_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "IST-5:30")  # POSIX form: no tz database needed
    time.tzset()
    assert stamp(NOON, NOON) == "[17:30]"


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize(
    ("event", "shown"),
    [
        (IncomingMessage("bob", "hi", room="dev"), "[12:00] bob (in dev): hi"),
        (IncomingMessage("bob", "hi"), "[12:00] @bob: hi"),
        (IncomingMessage("bob", "hi", room="lobby"), "[12:00] @bob: hi"),
        (IncomingMessage("bob", "psst", recipient="alice"), "[12:00] bob (private): psst"),
        (IncomingMessage("Alice", "yes", recipient="bob"), "[12:00] Alice (private to bob): yes"),
        (Notice("odd \x1b[2J"), "[12:00] odd \ufffd[2J"),
    ],
)
def test_history_lines(event: ServerEvent, shown: str) -> None:
    line = history_line(event, NOON, NOON, me="alice")
    assert line == Line(shown, Channel.CHAT, dim=True)


def test_queued_private_reads_the_time_the_server_gives() -> None:
    assert queued_private("[private, sent 2025-11-21 12:00 UTC] see you") == (NOON, "see you")
    assert queued_private("[private, sent 2025-13-21 12:00 UTC] x") is None
    assert queued_private("[private, sent yesterday] x") is None
    assert queued_private("[private] x") is None


def test_a_message_queued_for_a_name_without_an_account_says_so() -> None:
    from parley.client.render import describe_reply

    text = "Queued for bob (offline, no account: whoever takes the name next receives it)"
    line = describe_reply(230, text)
    assert line is not None and line.text.startswith("bob is offline and has no account")
    plain = describe_reply(230, "Queued for bob (offline)")
    assert plain is not None and plain.text.startswith("bob is offline; the message")
