"""PRIVMSG lines of one read relayed together (one `Say`, one delivery per receiver), with
every line still answered as if it had come alone: in order, its own msgid, its own echo,
label and refusal."""

from __future__ import annotations

from parley.server.doors.irc import IrcDoor
from tests.server.conftest import Connect, ServerThread
from tests.server.doors.conftest import FakeLink, Rig, run
from tests.server.test_irc import IrcClient, tags_of, with_caps


def _in_dev(irc: IrcClient) -> IrcClient:
    irc.send("JOIN #dev")
    irc.until(" 366 ")
    return irc


def _text(line: str) -> str:
    return line.rpartition(" :")[2]


def test_the_lines_of_one_read_are_one_delivery() -> None:
    async def body(rig: Rig) -> None:
        links: list[FakeLink] = []
        for nick in ("alice", "bob"):
            link = rig.link(IrcDoor)
            for line in (f"NICK {nick}", f"USER {nick} 0 * :{nick}", "JOIN #dev"):
                await link.line(line.encode())
            links.append(link)
        alice, bob = links
        alice.sent.clear()
        bob.sent.clear()
        assert alice.door is not None
        alice.door.handle_line(b"PRIVMSG #dev :one")
        alice.door.handle_line(b"PRIVMSG #dev :two")
        assert bob.sent == []  # held until the read ends
        alice.door.end_of_read()
        assert bob.sent == [
            b":alice!alice@parley PRIVMSG #dev :one\r\n:alice!alice@parley PRIVMSG #dev :two\r\n"
        ]
        alice.door.handle_line(b"PRIVMSG #dev :three")
        alice.door.handle_line(b"PRIVMSG #lobby :elsewhere")  # another channel: relayed first
        assert bob.sent[1:] == [b":alice!alice@parley PRIVMSG #dev :three\r\n"]
        alice.door.handle_line(b"PING :x")  # anything else: what came before goes first
        assert bob.sent[2:] == [b":alice!alice@parley PRIVMSG #lobby :elsewhere\r\n"]
        assert alice.take() == [b":parley PONG parley :x\r"]

    run(body)


def test_lines_of_one_write_arrive_in_order_with_their_own_msgids(
    server: ServerThread, connect: Connect
) -> None:
    ann = _in_dev(with_caps(server, "ann", "echo-message message-tags server-time"))
    tim = _in_dev(with_caps(server, "tim", "message-tags server-time"))
    pat = IrcClient(server.port)
    pat.register("pat")
    _in_dev(pat)
    carol = connect()
    carol.send(b"EXTEND rooms CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN dev CHAT/1.0\n")
    carol.lines(3)
    ann.send("PRIVMSG #dev :one", "PRIVMSG #dev :two", "PRIVMSG #dev :three", "PING :after")
    echoes = [ann.until(f"PRIVMSG #dev :{word}")[-1] for word in ("one", "two", "three")]
    assert ann.line() == ":parley PONG parley :after"  # after the echoes, as it was sent
    seen = [tim.until(f"PRIVMSG #dev :{word}")[-1] for word in ("one", "two", "three")]
    ids = [int(tags_of(line)["msgid"]) for line in seen]
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    assert [int(tags_of(line)["msgid"]) for line in echoes] == ids
    assert [tags_of(line)["time"] for line in echoes] == [tags_of(line)["time"] for line in seen]
    assert [pat.until(f" :{w}")[-1] for w in ("one", "two", "three")] == [
        f":ann!ann@parley PRIVMSG #dev :{w}" for w in ("one", "two", "three")
    ]
    assert carol.lines(3) == [b"@ann #dev: one", b"@ann #dev: two", b"@ann #dev: three"]


def test_echoes_labels_and_other_channels_stay_per_line(server: ServerThread) -> None:
    ann = _in_dev(with_caps(server, "ann", "echo-message labeled-response batch"))
    ann.send("JOIN #two")
    ann.until(" 366 ")
    tim = IrcClient(server.port)
    tim.register("tim")
    _in_dev(tim)
    ann.until(":tim!tim@parley JOIN #dev")
    ann.send(
        "PRIVMSG #dev :a",
        "@label=L1 PRIVMSG #dev :b",
        "PRIVMSG #two :c",
        "PRIVMSG #dev :d",
        "PRIVMSG #dev :e",
        "@label=L2 PING :p",
    )
    got = [ann.line() for _ in range(6)]
    assert got == [
        ":ann!ann@parley PRIVMSG #dev :a",
        "@label=L1 :ann!ann@parley PRIVMSG #dev :b",
        ":ann!ann@parley PRIVMSG #two :c",
        ":ann!ann@parley PRIVMSG #dev :d",
        ":ann!ann@parley PRIVMSG #dev :e",
        "@label=L2 :parley PONG parley :p",
    ]
    assert [_text(tim.until(f" :{w}")[-1]) for w in "abde"] == list("abde")


def test_a_refused_line_is_refused_each_time(server: ServerThread) -> None:
    ann = IrcClient(server.port)
    ann.register("ann")
    ann.send("PRIVMSG #dev :one", "PRIVMSG #dev :two", "PRIVMSG #lobby :", "PING :end")
    assert ann.line() == ":parley 403 ann #dev :No such channel"
    assert ann.line() == ":parley 403 ann #dev :No such channel"
    assert ann.line() == ":parley 412 ann :No text to send"
    assert ann.line() == ":parley PONG parley :end"
    unregistered = IrcClient(server.port)
    unregistered.send("NICK nobody", "PRIVMSG #lobby :a", "PRIVMSG #lobby :b")
    assert unregistered.line() == ":parley 451 nobody :You have not registered"
    assert unregistered.line() == ":parley 451 nobody :You have not registered"
