"""The IRC door's IRCv3 capabilities over real sockets: tags, batches, labels, chathistory."""

from __future__ import annotations

import re
import time

from parley.protocol.chat1 import encode_password
from tests.server.conftest import Connect, ServerThread
from tests.server.test_irc import IrcClient, tags_of, with_caps

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def test_msgid_and_time_match_the_other_doors_history(
    server: ServerThread, connect: Connect
) -> None:
    irc = with_caps(server, "alice", "message-tags server-time echo-message")
    bob = connect()
    bob.send(b"EXTEND rooms history CHAT/1.0\nREGISTER bob CHAT/1.0\nJOIN dev CHAT/1.0\n")
    irc.send("JOIN #dev")
    irc.until(" 366 ")
    while bob.line() != b"261 End of history":  # what a joiner is shown
        pass
    bob.send(b"@bob #dev: one\n")
    relayed = irc.until("PRIVMSG #dev :one")[-1]
    irc.send("PRIVMSG #dev :two")
    echo = irc.until("PRIVMSG #dev :two")[-1]
    assert re.fullmatch(STAMP, tags_of(relayed)["time"])
    assert echo.endswith(" :alice!alice@parley PRIVMSG #dev :two")
    bob.send(b"HISTORY #dev CHAT/1.0\n")
    history = [line for line in iter(bob.line, b"261 End of history") if line.startswith(b"260")]
    ids = [line.split()[1].decode() for line in history[-2:]]
    assert [tags_of(relayed)["msgid"], tags_of(echo)["msgid"]] == ids


def test_labeled_responses_ack_line_and_batch(server: ServerThread) -> None:
    irc = with_caps(server, "lee", "labeled-response batch")
    irc.send("@label=one PING :x")
    assert irc.line() == "@label=one :parley PONG parley :x"
    irc.send("@label=two PONG :x")
    assert irc.line() == "@label=two :parley ACK"
    irc.send("@label=three JOIN #dev")
    start = irc.line()
    match = re.fullmatch(r"@label=three :parley BATCH \+(\S+) labeled-response", start)
    assert match is not None
    ref = match.group(1)
    body = irc.until(f"BATCH -{ref}")
    assert body[0] == f"@batch={ref} :lee!lee@parley JOIN #dev"
    assert body[-1] == f":parley BATCH -{ref}"


def test_account_tag_extended_join_and_names_caps(server: ServerThread, connect: Connect) -> None:
    owner = connect()
    owner.send(f"SIGNUP kim {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == b"200 Registration successful"
    owner.send(b"DISCONNECT kim CHAT/1.0\n")
    watcher = with_caps(server, "wat", "account-tag extended-join multi-prefix userhost-in-names")
    watcher.send("JOIN #dev")
    watcher.until(" 366 ")
    kim = IrcClient(server.port)
    kim.register("kim", "a long password")
    kim.send("JOIN #dev", "PRIVMSG #dev :hello")
    assert watcher.line() == "@account=kim :kim!kim@parley JOIN #dev kim :kim"
    assert watcher.line() == "@account=kim :kim!kim@parley PRIVMSG #dev :hello"
    watcher.send("MODE #dev +v wat", "NAMES #dev")
    watcher.until(" MODE ")
    assert watcher.line() == ":parley 353 wat = #dev :kim!kim@parley @+wat!wat@parley"


def test_chathistory_pages_by_msgid_and_timestamp(server: ServerThread) -> None:
    irc = with_caps(server, "ann", "draft/chathistory batch message-tags server-time")
    irc.send("JOIN #log")
    irc.until(" 366 ")
    for number in range(6):
        if number == 3:
            irc.send("PING :later")
            irc.until(" PONG ")
            time.sleep(0.05)  # line 3 and after have a later timestamp
        irc.send(f"PRIVMSG #log :line {number}")
    irc.send("CHATHISTORY LATEST #log * 3")
    latest = _batch(irc)
    assert [line.rpartition(":")[2] for line in latest] == ["line 3", "line 4", "line 5"]
    first_id = int(tags_of(latest[0])["msgid"])
    irc.send(f"CHATHISTORY BEFORE #log msgid={first_id} 2")
    assert [line.rpartition(":")[2] for line in _batch(irc)] == ["line 1", "line 2"]
    irc.send(f"CHATHISTORY AFTER #log msgid={first_id} 5")
    assert [line.rpartition(":")[2] for line in _batch(irc)] == ["line 4", "line 5"]
    irc.send(f"CHATHISTORY AROUND #log msgid={first_id} 3")
    assert [line.rpartition(":")[2] for line in _batch(irc)] == ["line 2", "line 3", "line 4"]
    irc.send(f"CHATHISTORY BETWEEN #log msgid={first_id - 3} msgid={first_id + 2} 10")
    assert [line.rpartition(":")[2] for line in _batch(irc)] == [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
    ]
    stamp = tags_of(latest[0])["time"]
    irc.send(f"CHATHISTORY BEFORE #log timestamp={stamp} 1")
    assert [line.rpartition(":")[2] for line in _batch(irc)] == ["line 2"]
    early, late = "timestamp=2000-01-01T00:00:00.000Z", "timestamp=2100-01-01T00:00:00.000Z"
    irc.send(f"CHATHISTORY TARGETS {early} {late} 5")
    targets = _batch(irc, "draft/chathistory-targets")
    assert [line.split()[3] for line in targets] == ["#log"]
    irc.send("CHATHISTORY LATEST #nowhere * 3", "CHATHISTORY BEFORE #log bogus 3")
    assert irc.line() == (
        ":parley FAIL CHATHISTORY INVALID_TARGET * #nowhere :No such conversation"
    )
    assert (
        irc.line() == ":parley FAIL CHATHISTORY INVALID_PARAMS BEFORE bogus :Bad message reference"
    )


def test_chathistory_of_a_conversation(server: ServerThread, connect: Connect) -> None:
    irc = with_caps(server, "ann", "draft/chathistory batch")
    bob = connect("bob")
    bob.send(b"EXTEND dm CHAT/1.0\n")
    bob.line()
    bob.send(b"@bob > ann: psst\n")
    irc.until("psst")
    irc.send("CHATHISTORY LATEST bob * 10")
    assert _batch(irc) == [":bob!bob@parley PRIVMSG ann :psst"]


def _batch(irc: IrcClient, kind: str = "chathistory") -> list[str]:
    """The lines of the next batch of `kind`, their batch tag taken off."""
    start = irc.line()
    match = re.search(rf"BATCH \+(\S+) {kind}", start)
    assert match is not None, start
    ref = match.group(1)
    lines = irc.until(f"BATCH -{ref}")[:-1]
    return [re.sub(rf"^@batch={ref};?", "@", line).removeprefix("@ ") for line in lines]


def test_notices_stay_notices_and_a_line_to_oneself_is_received_and_echoed(
    server: ServerThread, connect: Connect
) -> None:
    ann = with_caps(server, "ann", "echo-message")
    bob = with_caps(server, "bob", "away-notify")
    carol = connect()
    carol.send(b"EXTEND rooms CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN dev CHAT/1.0\n")
    carol.lines(3)
    bob.send("JOIN #dev")
    bob.until(" 366 ")
    ann.send("AWAY :brb", "JOIN #dev")
    ann.until(" 366 ")
    assert bob.line() == ":ann!ann@parley JOIN #dev"
    assert bob.line() == ":ann!ann@parley AWAY :brb"  # away-notify: an away joiner says so
    ann.send("NOTICE #dev :bot speaking", "NOTICE nobody :lost", "PRIVMSG ann :note to self")
    assert ann.line() == ":ann!ann@parley NOTICE #dev :bot speaking"  # the echo
    assert ann.line() == ":ann!ann@parley PRIVMSG ann :note to self"  # received
    assert ann.line() == ":ann!ann@parley PRIVMSG ann :note to self"  # and echoed
    ann.send("PING :end")
    assert ann.line() == ":parley PONG parley :end"  # a NOTICE is never answered
    assert bob.line() == ":ann!ann@parley NOTICE #dev :bot speaking"
    assert carol.line() == b"@ann #dev: bot speaking"


def test_client_tags_reach_those_who_asked_for_messagetags_of(
    server: ServerThread, connect: Connect
) -> None:
    ann = with_caps(server, "ann", "message-tags echo-message")
    tagged = with_caps(server, "tim", "message-tags")
    plain = with_caps(server, "pat", "server-time")
    carol = connect()
    carol.send(b"EXTEND rooms CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN dev CHAT/1.0\n")
    carol.lines(3)
    for irc in (ann, tagged, plain):
        irc.send("JOIN #dev")
        irc.until(" 366 ")
    ann.send("@+draft/reply=41;+x=a\\sb PRIVMSG #dev :agreed")
    echo = ann.until("agreed")[-1]
    assert tags_of(echo)["+draft/reply"] == "41" and tags_of(echo)["+x"] == "a\\sb"
    seen = tagged.until("agreed")[-1]
    assert tags_of(seen)["+draft/reply"] == "41" and "msgid" in tags_of(seen)
    assert "+draft/reply" not in tags_of(plain.until("agreed")[-1])
    assert carol.line() == b"@ann #dev: agreed"  # other doors read the text


def test_tagmsg_reaches_only_clients_that_can_show_it(
    server: ServerThread, connect: Connect
) -> None:
    ann = with_caps(server, "ann", "message-tags echo-message labeled-response")
    tim = with_caps(server, "tim", "message-tags")
    pat = with_caps(server, "pat", "server-time")
    carol = connect()
    carol.send(b"EXTEND rooms CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN dev CHAT/1.0\n")
    carol.lines(3)
    for irc in (ann, tim, pat):
        irc.send("JOIN #dev")
        irc.until(" 366 ")
    ann.until(" JOIN #dev")
    ann.until(" JOIN #dev")
    ann.send("@label=r1;+draft/react=:) TAGMSG #dev", "@+typing=active TAGMSG tim")
    echo = ann.line()
    assert echo.endswith(" :ann!ann@parley TAGMSG #dev") and tags_of(echo)["label"] == "r1"
    assert tags_of(echo)["+draft/react"] == ":)" and "msgid" in tags_of(echo)
    assert tags_of(ann.line())["+typing"] == "active"  # the echo of the second
    seen = tim.until(" TAGMSG ")
    assert seen[-1].endswith(" :ann!ann@parley TAGMSG #dev") and "label" not in tags_of(seen[-1])
    assert tim.line().endswith(" :ann!ann@parley TAGMSG tim")
    for quiet in (pat,):
        quiet.send("PING :x")
        assert quiet.line() == ":parley PONG parley :x"  # no message-tags: nothing shown
    carol.send(b"PING x CHAT/1.0\n")
    assert carol.line() == b"290 Pong x"  # other doors are never sent a tag-only line
