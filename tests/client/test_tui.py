"""Pure tests of parley.client.tui's pieces that need no terminal."""

from __future__ import annotations

from parley.client.tui import ChatHistory


def test_the_chat_history_never_keeps_an_account_command() -> None:
    history = ChatHistory()
    for line in ("hello", "/register hunter22", "/password", "/join dev", " /UNREGISTER x"):
        history.append_string(line)
    assert history.get_strings() == ["hello", "/join dev"]
