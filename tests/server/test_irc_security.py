"""Every security rule of docs/security.md that applies to IRC, through the IRC door.

The rules live in the chat core and the transport, once for every door; these tests show that
the IRC door really goes through them (a door could bypass a rule by calling the store, or
render a refusal so that the user never learns of it). Real servers on 127.0.0.1, port 0.
Negative checks ("never arrives") wait for a marker sent after the thing that must not
arrive, never for a silence window. Logins from several addresses use 127.0.0.2 and up, all
of them loopback on Linux, so that the throttle's per-address records can be told apart.
"""

from __future__ import annotations

import base64
import socket
import time

from parley.protocol.chat1 import encode_password
from tests.server.conftest import LineClient, MakeServer, ServerThread, wait_for
from tests.server.test_irc import IrcClient

SECRET = "a long password"
TAB = "\t"
OK = b"200 Registration successful"


class FromAddress(LineClient):
    """A line client whose connection comes from `source` (a loopback address)."""

    def __init__(self, port: int, source: str) -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=5, source_address=(source, 0)
        )
        self._buffer = b""


def irc_from(server: ServerThread, source: str = "127.0.0.1") -> IrcClient:
    client = IrcClient(server.port)
    if source != "127.0.0.1":
        client.client.close()
        client.client = FromAddress(server.port, source)
    return client


def chat1(server: ServerThread, name: str, extensions: str = "") -> LineClient:
    """A registered CHAT/1.0 client, with `extensions` asked for first."""
    client = LineClient(server.port)
    if extensions:
        client.send(f"EXTEND {extensions} CHAT/1.0\n".encode())
        assert client.line().startswith(b"210 ")
    assert client.register(name) == OK
    return client


def signup(server: ServerThread, name: str) -> None:
    """Make an account for `name` from the CHAT/1.0 door, then leave."""
    owner = LineClient(server.port)
    owner.send(f"SIGNUP {name} {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert owner.line() == OK
    owner.close()
    assert wait_for(lambda: name not in server.who())


def sasl_line(name: str, password: str) -> str:
    return "AUTHENTICATE " + base64.b64encode(f"\0{name}\0{password}".encode()).decode()


def sasl_client(server: ServerThread, nick: str, source: str) -> IrcClient:
    """An IRC client from `source` that has asked for SASL and may now AUTHENTICATE."""
    irc = irc_from(server, source)
    irc.send("CAP LS 302", f"NICK {nick}", f"USER {nick} 0 * :{nick}", "CAP REQ :sasl")
    irc.until(" ACK ")
    return irc


def sasl_try(irc: IrcClient, name: str, password: str) -> str:
    """One SASL PLAIN exchange: the numeric that ends it (900, 904 …) and its text."""
    irc.send("AUTHENTICATE PLAIN")
    assert irc.line() == "AUTHENTICATE +"
    irc.send(sasl_line(name, password))
    line = irc.line()
    if " 900 " in line:
        return irc.line()  # 903 follows
    return line


def until_all(irc: IrcClient, *markers: str) -> list[str]:
    """Lines up to the one by which every marker has been seen.

    Messages waiting offline are handed over by a job that starts once registration ends, so
    a line another client sends meanwhile may overtake them: wait for each, in any order.
    """
    seen: list[str] = []
    while not all(any(marker in line for line in seen) for marker in markers):
        seen.append(irc.line())
    return seen


# Flood limit (finding 1) -------------------------------------------------------------------


def test_unregistered_irc_flooder_is_slowed_told_and_dropped(make_server: MakeServer) -> None:
    """An IRC connection that never registers gets no exemption from the flood bucket."""
    server = make_server(flood_rate=5, flood_burst=5, flood_kick_after=1.0)
    alice, bob = chat1(server, "alice"), chat1(server, "bob")
    flooder = IrcClient(server.port)
    flooder.send("NICK flooder", *(f"PING :p{k}" for k in range(500)))
    first = flooder.until("sending too fast")
    assert first[-1] == (
        ":parley NOTICE flooder :You are sending too fast; lines are delayed to 5/s."
    )
    assert all(line.startswith(":parley PONG parley :p") for line in first[:-1])
    assert len(first) - 1 <= 5  # NICK and the PINGs shared the burst of 5
    alice.send(b"@alice: still here?\n")
    assert bob.line() == b"@alice: still here?"  # not stuck behind the flood
    assert flooder.until("ERROR ")[-1] == "ERROR :Closing link: the server closed it"
    assert flooder.client.closed()


def test_registered_irc_flooder_is_slowed_told_and_dropped(make_server: MakeServer) -> None:
    server = make_server(flood_rate=5, flood_burst=10, flood_kick_after=1.0)
    flooder = IrcClient(server.port)
    flooder.register("flooder")  # CAP LS, NICK, USER, CAP END: 4 of the burst of 10
    bob, alice = chat1(server, "bob"), chat1(server, "alice")
    started = time.monotonic()
    flooder.send(*(f"PRIVMSG #lobby :spam {k}" for k in range(500)))
    assert flooder.until("sending too fast")[-1] == (
        ":parley NOTICE flooder :You are sending too fast; lines are delayed to 5/s."
    )
    alice.send(b"@alice: are you there bob?\n")
    heard = []
    while (line := bob.line()) != b"@alice: are you there bob?":
        heard.append(line)
    elapsed = time.monotonic() - started
    assert heard == [f"@flooder: spam {k}".encode() for k in range(len(heard))]
    # Only the burst, and what 5 lines a second let through meanwhile, got out of 500.
    assert len(heard) <= 10 + 5 * elapsed + 1
    assert wait_for(lambda: "flooder" not in server.who(), timeout=5)
    assert flooder.until("ERROR ")[-1] == "ERROR :Closing link: the server closed it"


# The next holder of a name (finding 3) --------------------------------------------------------


def test_next_holder_of_a_name_never_reads_the_earlier_holders_messages(
    server: ServerThread,
) -> None:
    """What carol was told live stays hers; only what was queued after she left arrives, and
    the sender was warned that whoever takes the name next would receive it."""
    carol, dave = IrcClient(server.port), IrcClient(server.port)
    carol.register("carol")
    dave.register("dave")
    dave.send("PRIVMSG carol :password reset code 998877")
    assert (
        carol.until("998877")[-1] == ":dave!dave@parley PRIVMSG carol :password reset code 998877"
    )
    carol.send("PRIVMSG dave :thanks")
    assert dave.until("thanks")[-1] == ":carol!carol@parley PRIVMSG dave :thanks"
    carol.send("QUIT :bye")
    assert wait_for(lambda: "carol" not in server.who())
    dave.send("PRIVMSG carol :after you left")
    assert dave.until("NOTICE")[-1] == (
        ":parley NOTICE dave :carol is offline and has no account; "
        "whoever takes the name next receives your message"
    )
    squatter = IrcClient(server.port)
    burst = squatter.register("Carol")
    assert burst[1].startswith(":parley 001 Carol ")
    dave.send("PRIVMSG Carol :marker")
    lines = until_all(squatter, "after you left", ":marker")
    said = sorted(line for line in burst + lines if " PRIVMSG " in line)
    assert len(said) == 2
    assert said[0] == ":dave!dave@parley PRIVMSG Carol :marker"
    assert said[1].endswith("UTC] after you left")  # queued, with when it was sent
    assert not any("998877" in line or "thanks" in line for line in burst + lines)


def test_an_accounts_offline_messages_wait_for_its_login_only(server: ServerThread) -> None:
    signup(server, "dora")
    bob = IrcClient(server.port)
    bob.register("bob")
    bob.send("PRIVMSG dora :for your eyes only")
    assert bob.until("NOTICE")[-1] == (
        ":parley NOTICE bob :dora is offline; the message was kept for them"
    )
    impostor = IrcClient(server.port)
    impostor.send("NICK dora", "USER d 0 * :d")
    assert impostor.line() == (
        ":parley 433 * dora :Nickname is registered: connect with its password (PASS or SASL)"
    )
    impostor.send("NICK dora2")
    lines = impostor.until(" 366 ")
    assert not any("for your eyes only" in line for line in lines)
    owner = sasl_client(server, "dora", "127.0.0.1")
    assert sasl_try(owner, "dora", SECRET) == ":parley 903 dora :SASL authentication successful"
    owner.send("CAP END")
    lines = owner.until("for your eyes only")
    assert lines[-1].startswith(":bob!bob@parley PRIVMSG dora :[sent ")


def test_a_deleted_accounts_queue_goes_with_it(server: ServerThread) -> None:
    """After ACCOUNT DELETE, whoever takes the name over IRC reads nothing sent to the account."""
    signup(server, "erin")
    bob = IrcClient(server.port)
    bob.register("bob")
    bob.send("PRIVMSG erin :a secret for erin")
    assert bob.until("NOTICE")[-1].endswith("erin is offline; the message was kept for them")
    owner = LineClient(server.port)
    owner.send(f"EXTEND auth CHAT/1.0\nLOGIN erin {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert owner.lines(2)[1] == OK
    assert owner.line().endswith(b"a secret for erin")
    bob.send("PRIVMSG erin :a second secret")
    assert owner.line().endswith(b"a second secret")  # delivered live, and kept as history
    owner.send(f"ACCOUNT DELETE {encode_password(SECRET)} CHAT/1.0\n".encode())
    assert owner.line() == b"272 Account deleted"
    owner.close()
    assert wait_for(lambda: "erin" not in server.who())
    taker = IrcClient(server.port)
    for _ in range(50):  # the name is free once erin's session has gone
        taker.send("CAP LS 302", "NICK erin", "USER e 0 * :e", "CAP END")
        if " 001 " in taker.until(" erin ")[-1]:
            break
    taker.until(" 366 ")
    bob.send("PRIVMSG erin :marker")
    lines = until_all(taker, ":marker")
    assert not any("secret" in line for line in lines)  # nothing was waiting to overtake


# Login throttle (finding 4) ---------------------------------------------------------------


def test_sasl_guessing_is_throttled_per_name_and_address_but_the_owner_gets_in(
    server: ServerThread,
) -> None:
    signup(server, "dee")
    guesser = sasl_client(server, "dee", "127.0.0.2")
    for _ in range(3):  # free failures
        assert sasl_try(guesser, "dee", "wrong guess") == (
            ":parley 904 dee :SASL authentication failed"
        )
    # The fourth attempt must wait, even with the right password.
    assert sasl_try(guesser, "dee", SECRET) == ":parley 904 dee :SASL authentication failed"
    owner = sasl_client(server, "dee", "127.0.0.3")
    assert sasl_try(owner, "dee", SECRET) == ":parley 903 dee :SASL authentication successful"
    assert sasl_try(guesser, "dee", SECRET) == ":parley 904 dee :SASL authentication failed"


def test_sasl_guessing_at_many_names_is_throttled_per_address(server: ServerThread) -> None:
    signup(server, "fay")
    guesser = sasl_client(server, "fay", "127.0.0.4")
    for k in range(10):  # one failure per name, at ten names (none of them accounts)
        assert sasl_try(guesser, f"nobody{k}", "wrong guess").endswith(
            "904 fay :SASL authentication failed"
        )
    assert sasl_try(guesser, "fay", SECRET).endswith("904 fay :SASL authentication failed")
    owner = sasl_client(server, "fay", "127.0.0.5")
    assert sasl_try(owner, "fay", SECRET) == ":parley 903 fay :SASL authentication successful"


# Look-alike and invisible names (finding 5) -----------------------------------------------------


def test_look_alike_and_invisible_nicks_are_refused(server: ServerThread) -> None:
    alice = chat1(server, "alice")
    irc = IrcClient(server.port)
    irc.send("USER a 0 * :a")  # from now on, each NICK is an attempt to register
    for nick in ("server\u1160", "\u3164", "\u0430lice", "r\u0585\u0585t"):  # invalid
        irc.send(f"NICK {nick}")
        assert irc.line() == f":parley 432 * {nick} :Erroneous nickname"
    for nick in ("\ua731erver", "\u1d00dmin"):  # reserved names in disguise
        irc.send(f"NICK {nick}")
        assert irc.line() == f":parley 432 * {nick} :Erroneous nickname: reserved"
    for nick in ("\u0251lice", "AIice", "ALICE"):  # alice is online
        irc.send(f"NICK {nick}")
        assert irc.line() == f":parley 433 * {nick} :Nickname is already in use"
    irc.send("NICK alicia")
    assert irc.until(" 366 ")[0].startswith(":parley 001 alicia ")
    assert sorted(server.who()) == ["alice", "alicia"]
    alice.send(b"@alice: marker\n")
    assert irc.until("marker")[-1] == ":alice!alice@parley PRIVMSG #lobby :marker"


# Padding (finding 6) --------------------------------------------------------------------------


def test_padded_irc_messages_are_folded_for_every_door(server: ServerThread) -> None:
    mallory, watcher = IrcClient(server.port), IrcClient(server.port)
    mallory.register("mallory")
    watcher.register("watcher")
    bob = chat1(server, "bob", "dm")
    fake = "@alice: please send me your password"
    mallory.send(f"PRIVMSG #lobby :ok{' ' * 88}{fake}", f"PRIVMSG bob :hi{TAB * 12}{fake}")
    assert bob.line() == f"@mallory: ok{' ' * 8}{fake}".encode()
    assert bob.line() == f"@mallory > bob: hi{' ' * 8}{fake}".encode()
    assert watcher.until("please")[-1] == (
        f":mallory!mallory@parley PRIVMSG #lobby :ok{' ' * 8}{fake}"
    )


# Offline queues (finding 8) -------------------------------------------------------------------


def test_one_irc_sender_cannot_fill_anothers_offline_queue(make_server: MakeServer) -> None:
    server = make_server(offline_limit=3, offline_per_sender=2)
    signup(server, "olga")
    spammer, friend = IrcClient(server.port), IrcClient(server.port)
    spammer.register("spammer")
    friend.register("friend")
    spammer.send(*(f"PRIVMSG olga :junk {k}" for k in range(3)))
    kept = ":parley NOTICE spammer :olga is offline; the message was kept for them"
    assert spammer.line() == kept
    assert spammer.line() == kept
    assert spammer.line() == ":parley 407 spammer olga :Too many messages waiting for that nick"
    friend.send("PRIVMSG olga :the real one")
    assert friend.line() == ":parley NOTICE friend :olga is offline; the message was kept for them"
    friend.send("PRIVMSG olga :one too many")
    assert friend.line() == ":parley 407 friend olga :Too many messages waiting for that nick"
    owner = sasl_client(server, "olga", "127.0.0.1")
    assert sasl_try(owner, "olga", SECRET).endswith("903 olga :SASL authentication successful")
    owner.send("CAP END")
    lines = owner.until("the real one")
    texts = [line.split("] ", 1)[-1] for line in lines if " PRIVMSG olga :[sent " in line]
    assert texts == ["junk 0", "junk 1", "the real one"]


# Room names with capitals (finding 9) ---------------------------------------------------------


def test_a_channel_with_capitals_keeps_its_history(make_server: MakeServer) -> None:
    server = make_server(history_lines=5)
    ann = IrcClient(server.port)
    ann.register("ann")
    ann.send("JOIN #Dev")
    assert ann.until(" 366 ")[0] == ":ann!ann@parley JOIN #Dev"
    ann.send("PRIVMSG #DEV :one", "PRIVMSG #dev :two", "PRIVMSG #Dev :three")
    ben = IrcClient(server.port)
    ben.register("ben")
    ben.send("JOIN #dEV")
    assert ben.until(" 366 ")[-2] == ":parley 353 ben = #Dev :@ann ben"
    bob = chat1(server, "bob", "rooms history")
    bob.send(b"JOIN DEV CHAT/1.0\n")
    lines = [bob.line() for _ in range(5)]
    assert lines[0] == b"220 Joined Dev"
    assert [line.split(b" ", 3)[3] for line in lines[1:4]] == [
        b"@ann #Dev: one",
        b"@ann #Dev: two",
        b"@ann #Dev: three",
    ]
    assert lines[4] == b"261 End of history"
    bob.send(b"HISTORY #DEV 1 CHAT/1.0\n")
    assert bob.line().split(b" ", 3)[3] == b"@ann #Dev: three"
