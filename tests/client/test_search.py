"""/search in the client: the command, the request (the extension asked for on first use),
and the server's 262/263 shown as history is; then against a real server."""

from __future__ import annotations

from parley.client.chat import ChatState, Step
from parley.client.commands import Invalid, SearchHistory, parse_command
from parley.client.render import Line
from parley.client.requests import Extend, SearchRequest, encode_request
from parley.protocol.chat1 import NumericReply

ALL = "Extensions enabled: rooms dm who presence live history auth"


def test_the_command_names_the_words_and_perhaps_where() -> None:
    assert parse_command("/search deploy log") == SearchHistory("deploy log", None)
    assert parse_command("/search deploy #dev") == SearchHistory("deploy", "#dev")
    assert parse_command("/search where is it @bob") == SearchHistory("where is it", "@bob")
    for bad in ("/search", "/search   ", "/search x @-nobody", "/search x #-dev"):
        assert isinstance(parse_command(bad), Invalid), bad


def test_the_request_line() -> None:
    assert (
        encode_request(SearchRequest("deploy log", "#dev")) == b"SEARCH deploy log #dev CHAT/1.0\n"
    )
    assert encode_request(SearchRequest("deploy")) == b"SEARCH deploy CHAT/1.0\n"


def texts(lines: list[Line] | tuple[Line, ...]) -> list[str]:
    return [line.text for line in lines]


def test_the_first_search_asks_for_the_extension_then_shows_the_matches() -> None:
    state = ChatState("alice")
    state.start()
    state.receive(NumericReply(210, ALL), 0.0)
    step = state.perform(state.parse("/search deploy log"))
    assert step == Step(requests=(Extend(("search",)), SearchRequest("deploy log", None)))
    assert state.receive(NumericReply(210, ALL + " search"), 0.0) == []  # no second banner
    assert state.perform(state.parse("/search again")).requests == (SearchRequest("again"),)
    shown = state.receive(NumericReply(262, "17 1764620312.0 @bob > alice: the deploy log"), 0.0)
    assert len(shown) == 1 and "bob" in shown[0].text and "the deploy log" in shown[0].text
    end = state.receive(NumericReply(263, "End of search: 1 found"), 0.0)
    assert texts(end) == ["--- end of search: 1 found ---"]
    odd = state.receive(NumericReply(262, "x y z"), 0.0)  # not a match line: shown as it came
    assert "x y z" in texts(odd)[0]
