"""parley.client.requests: each request encodes to a line the server parses back to it."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parley.client.requests import (
    AccountCommand,
    ChatMessage,
    DirectMessage,
    Extend,
    HistoryRequest,
    Invite,
    Join,
    Kick,
    Leave,
    Mode,
    Request,
    Rooms,
    Topic,
    TypingUpdate,
    Who,
    encode_request,
)
from parley.protocol.chat1 import parse_client_line


@pytest.mark.parametrize(
    ("request_", "line"),
    [
        (ChatMessage("alice", "hi"), b"@alice: hi\n"),
        (ChatMessage("alice", "hi", "dev"), b"@alice #dev: hi\n"),
        (DirectMessage("alice", "bob", "psst"), b"@alice > bob: psst\n"),
        (TypingUpdate("alice", "hel"), b"@alice ~: hel\n"),
        (TypingUpdate("alice", "", "dev"), b"@alice ~#dev: \n"),
        (Extend(()), b"EXTEND CHAT/1.0\n"),
        (Extend(("rooms", "live")), b"EXTEND rooms live CHAT/1.0\n"),
        (Join("dev"), b"JOIN dev CHAT/1.0\n"),
        (Leave("dev"), b"LEAVE dev CHAT/1.0\n"),
        (Who(), b"WHO CHAT/1.0\n"),
        (Rooms(), b"ROOMS CHAT/1.0\n"),
        (HistoryRequest("#dev"), b"HISTORY #dev CHAT/1.0\n"),
        (HistoryRequest("@bob", 20), b"HISTORY @bob 20 CHAT/1.0\n"),
        (HistoryRequest("#lobby", 5, 1234), b"HISTORY #lobby 5 1234 CHAT/1.0\n"),
        (Topic("dev", None), b"TOPIC dev CHAT/1.0\n"),
        (Topic("dev", "Release  planning"), b"TOPIC dev Release  planning CHAT/1.0\n"),
        (
            AccountCommand("CREATE", ("correct horse",)),
            b"ACCOUNT CREATE Y29ycmVjdCBob3JzZQ== CHAT/1.0\n",
        ),
        (
            AccountCommand("PASSWORD", ("old pw", "new pw")),
            b"ACCOUNT PASSWORD b2xkIHB3 bmV3IHB3 CHAT/1.0\n",
        ),
        (AccountCommand("DELETE", ("p\u00e4ss",)), b"ACCOUNT DELETE cMOkc3M= CHAT/1.0\n"),
        (Join("dev", "sekrit"), b"JOIN dev sekrit CHAT/1.0\n"),
        (Mode("dev", "+o", "bob"), b"MODE dev +o bob CHAT/1.0\n"),
        (Mode("dev", "-m"), b"MODE dev -m CHAT/1.0\n"),
        (Mode("dev", "+k", "sekrit"), b"MODE dev +k sekrit CHAT/1.0\n"),
        (Kick("dev", "bob"), b"KICK dev bob CHAT/1.0\n"),
        (Kick("dev", "bob", "spam  and more"), b"KICK dev bob spam  and more CHAT/1.0\n"),
        (Invite("dev", "cat"), b"INVITE dev cat CHAT/1.0\n"),
    ],
)
def test_each_request_is_one_line(request_: Request, line: bytes) -> None:
    assert encode_request(request_) == line
    assert parse_client_line(line[:-1]) == request_


def test_history_before_an_id_without_a_count_asks_for_the_default_count() -> None:
    line = encode_request(HistoryRequest("#dev", None, 99))
    assert line == b"HISTORY #dev 0 99 CHAT/1.0\n"
    assert parse_client_line(line[:-1]) == HistoryRequest("#dev", 0, 99)


names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}", fullmatch=True)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")))


@given(
    st.one_of(
        st.builds(ChatMessage, names, texts, st.none() | names),
        st.builds(DirectMessage, names, names, texts),
        st.builds(TypingUpdate, names, texts, st.none() | names),
        st.builds(Join, names),
        st.builds(Join, names, names),
        st.builds(Mode, names, st.sampled_from(["+o", "-v", "+b", "-q"]), names),
        st.builds(Mode, names, st.sampled_from(["+m", "-t", "+i", "-s", "-k"])),
        st.builds(Invite, names, names),
        st.builds(Leave, names),
        st.builds(
            AccountCommand,
            st.just("PASSWORD"),
            st.tuples(st.text(min_size=1), st.text(min_size=1)),
        ),
        st.builds(
            HistoryRequest,
            st.builds(lambda mark, name: mark + name, st.sampled_from("#@"), names),
            st.none() | st.integers(1, 500),
        ),
    )
)
def test_what_the_client_sends_the_server_reads_back(request_: Request) -> None:
    line = encode_request(request_)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_client_line(line[:-1]) == request_
