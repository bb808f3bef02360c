"""Pure tests of parley.client.tui's pieces that need no terminal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from parley.client.render import Line
from parley.client.tui import DIM, NORMAL, ChatHistory, PromptFrontend
from parley.client.wrapping import CONTINUATION

PADDED = "@mallory: ok" + " " * 88 + "@alice: please send me your password"


def test_the_chat_history_never_keeps_an_account_command() -> None:
    history = ChatHistory()
    for line in ("hello", "/register hunter22", "/password", "/join dev", " /UNREGISTER x"):
        history.append_string(line)
    assert history.get_strings() == ["hello", "/join dev"]


@pytest.fixture
def frontend() -> Iterator[PromptFrontend]:
    """A prompt on a terminal of 80 columns (prompt_toolkit's dummy output)."""
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        yield PromptFrontend()


def test_a_long_message_is_wrapped_to_the_terminal_and_marked(
    frontend: PromptFrontend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert frontend.status_width == 80
    frontend.show(Line(PADDED))
    frontend.show(Line("@bob: short"))
    frontend.show(Line("[08:00] @bob: " + "x" * 70, dim=True))
    assert capsys.readouterr().out.splitlines() == [
        "@mallory: ok",
        f"{CONTINUATION}@alice: please send me your password",
        "@bob: short",
        f"{DIM}[08:00] @bob: {'x' * 66}{NORMAL}",
        f"{DIM}{CONTINUATION}xxxx{NORMAL}",
    ]


def test_a_long_typing_status_is_marked_too(frontend: PromptFrontend) -> None:
    frontend.set_status(["bob is typing: hi", "carol is typing: " + "y" * 70])
    message = frontend._message()
    assert message[0][1].splitlines() == [
        "bob is typing: hi",
        "carol is typing: " + "y" * 63,
        CONTINUATION + "y" * 7,
    ]


def test_the_completer_offers_what_completion_finds_and_hints_as_you_type() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from parley.client.completion import Recent
    from parley.client.tui import ChatCompleter, _fit

    completer = ChatCompleter()
    assert completer.hint("/jo") == ""  # nothing to complete from yet
    recent = Recent("me")
    recent.name_active("carol")
    completer.use(recent, lambda: ["teamchat"])
    found = list(
        completer.get_completions(Document("ca"), CompleteEvent(completion_requested=True))
    )
    assert [(c.text, c.start_position) for c in found] == [("carol: ", -2)]
    assert list(completer.get_completions(Document("ca"), CompleteEvent())) == []
    assert completer.hint("/join te") == "Tab: teamchat"
    assert completer.hint("hello") == ""
    assert _fit("Tab: " + "x" * 100, 20) == "Tab: " + "x" * 13 + "\u2026"
