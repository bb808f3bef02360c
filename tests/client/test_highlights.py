"""Pure tests of parley.client.highlights, and of mentions in the conversation state."""

from __future__ import annotations

from parley.client.chat import ChatState
from parley.client.commands import ShowMentions, parse_command
from parley.client.highlights import Highlighter, Mention, Mentions
from parley.protocol.chat1 import IncomingMessage, NumericReply

ALL = "Extensions enabled: rooms dm who presence history auth"


def test_a_name_is_found_as_a_whole_word_whatever_its_case() -> None:
    find = Highlighter("alice").spans
    assert find("hi alice") == ((3, 8),)
    assert find("ALICE: lunch?") == ((0, 5),)
    assert find("ping alice.") == ((5, 10),)
    assert find("malice aforethought") == ()
    assert find("alice_2 is not alice") == ((15, 20),)


def test_highlight_words_count_as_the_name_does() -> None:
    find = Highlighter("alice", ["deploy", "Release notes"]).spans
    assert find("deploy done") == ((0, 6),)
    assert find("the release notes are out") == ((4, 17),)
    assert find("redeploy") == ()


def test_mentions_keep_the_most_recent() -> None:
    mentions = Mentions(limit=2)
    for n in range(3):
        mentions.add(Mention(float(n), "dev", "bob", f"alice {n}"))
    assert [m.text for m in mentions] == ["alice 1", "alice 2"]


def state(*words: str) -> ChatState:
    chat = ChatState("alice", clock=lambda: 1_800_000_000.0, highlight_words=words)
    chat.receive(NumericReply(210, ALL), 0.0)
    return chat


def test_a_message_with_my_name_is_marked_and_listed() -> None:
    chat = state()
    [line] = chat.receive(IncomingMessage("bob", "hey Alice, lunch?", room="dev"), 0.0)
    assert line.text == "bob (in dev): hey Alice, lunch?"
    assert line.mention
    assert [line.text[s:e] for s, e in line.highlights] == ["Alice"]
    [plain] = chat.receive(IncomingMessage("bob", "no names here"), 0.0)
    assert not plain.mention
    [private] = chat.receive(IncomingMessage("carol", "alice?", recipient="alice"), 0.0)
    assert private.mention
    lines = chat.perform(ShowMentions()).lines
    assert [line.text.split("] ", 1)[1] for line in lines[1:]] == [
        "in dev, bob: hey Alice, lunch?",
        "private, carol: alice?",
    ]
    assert lines[0].text == "Mentions (2, newest last):"


def test_my_own_lines_never_mention_me() -> None:
    chat = state()
    [line] = chat.receive(IncomingMessage("alice", "alice here"), 0.0)
    assert not line.mention


def test_highlight_words_from_the_configuration_mark_lines() -> None:
    chat = state("deploy")
    [line] = chat.receive(IncomingMessage("bob", "deploy at 5"), 0.0)
    assert line.mention


def test_no_mentions_yet_says_so() -> None:
    [line] = state().perform(ShowMentions()).lines
    assert "No mentions yet" in line.text


def test_mentions_is_a_slash_command() -> None:
    assert parse_command("/mentions") == ShowMentions()
