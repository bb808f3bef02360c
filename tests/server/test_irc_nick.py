"""The IRC door over real sockets: NICK changes, AWAY, SETNAME, WHOIS/WHO, OPER, the server name."""

from __future__ import annotations

from parley.protocol.chat1 import encode_password
from tests.server.conftest import Connect, LineClient, MakeServer, ServerThread
from tests.server.test_irc import IrcClient
from tests.server.web_client import WebClient


def test_nick_change_is_told_on_every_door(server: ServerThread, connect: Connect) -> None:
    alice = IrcClient(server.port)
    alice.register("alice")
    bob = IrcClient(server.port)
    bob.register("bob")
    carol = connect()
    carol.send(b"EXTEND presence CHAT/1.0\nREGISTER carol CHAT/1.0\n")
    assert carol.lines(2)[1] == b"200 Registration successful"
    dave = IrcClient(server.port)
    dave.register("dave")  # shares only the lobby with alice
    alice.send("JOIN #dev")
    alice.until(" 366 ")
    bob.send("JOIN #dev")
    bob.until(" 366 ")
    alice.send("NICK alicia")
    assert alice.until(" NICK ")[-1] == ":alice!alice@parley NICK :alicia"
    assert bob.until(" NICK ")[-1] == ":alice!alice@parley NICK :alicia"
    dave.send("PING :quiet")
    assert dave.line() == ":parley PONG parley :quiet"  # the lobby is an auditorium
    assert carol.line() == b"@server: alice is now known as alicia"
    assert sorted(server.who()) == ["alicia", "bob", "carol", "dave"]
    alice.send("PRIVMSG #lobby :still me", "WHOIS alicia")
    assert bob.line() == ":alicia!alice@parley PRIVMSG #lobby :still me"
    whois = alice.until(" 318 ")
    assert whois[0] == ":parley 311 alicia alicia alice parley * :alice"
    assert ":parley 319 alicia alicia :@#dev" in whois  # operator of #dev still; not #lobby
    bob.send("PRIVMSG alice :gone?")  # the old name is free: kept for whoever takes it
    assert bob.line().startswith(":parley NOTICE bob :alice is offline and has no account")


def test_nick_change_refusals(server: ServerThread, connect: Connect) -> None:
    connect("bob")
    owner = connect()
    owner.send(f"SIGNUP cat {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == b"200 Registration successful"
    owner.send(b"DISCONNECT cat CHAT/1.0\n")
    irc = IrcClient(server.port)
    irc.register("zed")
    irc.send("NICK bob", "NICK b0b", "NICK cat", "NICK server", "NICK bad!name", "NICK zed")
    assert irc.line() == ":parley 433 zed bob :Nickname is already in use"
    assert irc.line() == ":parley 433 zed b0b :Nickname is already in use"  # a look-alike
    assert "433 zed cat :Nickname is registered" in irc.line()  # an account's name
    assert irc.line() == ":parley 432 zed server :Erroneous nickname: reserved"
    assert irc.line() == ":parley 432 zed bad!name :Erroneous nickname"
    irc.send("NICK ZED")  # the same name, spelt otherwise: allowed
    assert irc.line() == ":zed!zed@parley NICK :ZED"
    irc.send("PING :x")
    assert irc.line() == ":parley PONG parley :x"  # NICK zed itself was silent


def test_an_account_keeps_its_name(server: ServerThread, connect: Connect) -> None:
    owner = connect()
    owner.send(f"SIGNUP dee {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == b"200 Registration successful"
    owner.send(b"DISCONNECT dee CHAT/1.0\n")
    irc = IrcClient(server.port)
    irc.register("dee", "a long password")
    irc.send("NICK dora", "NICK Dee")
    assert irc.line() == ":parley 435 dee dora :Your nick is your account's name: it cannot change"
    assert irc.line() == ":dee!dee@parley NICK :Dee"


def test_renamed_name_is_free_again_and_roles_follow(
    server: ServerThread, connect: Connect
) -> None:
    ann = IrcClient(server.port)
    ann.register("ann")
    ann.send("JOIN #ops", "NICK annie")
    ann.until(" NICK ")
    other = IrcClient(server.port)
    assert other.register("ann")[1].startswith(":parley 001 ann ")  # the old name is free
    other.send("JOIN #ops")
    ann.until(" JOIN #ops")
    ann.send("MODE #ops +v ann")  # annie still operates #ops
    assert ann.line() == ":annie!ann@parley MODE #ops +v ann"


def test_away_whois_who_and_away_notify(server: ServerThread) -> None:
    bob = IrcClient(server.port)
    bob.send("CAP LS 302", "CAP REQ :away-notify", "NICK bob", "USER bob 0 * :Bob B", "CAP END")
    bob.until(" 366 ")
    alice = IrcClient(server.port)
    alice.register("alice")
    for client in (alice, bob):
        client.send("JOIN #away")
        client.until(" 366 ")
    alice.until(" JOIN #away")
    alice.send("AWAY :out for lunch")
    assert alice.line() == ":parley 306 alice :You have been marked as being away"
    assert bob.line() == ":alice!alice@parley AWAY :out for lunch"
    bob.send("PRIVMSG alice :hi", "WHOIS alice", "WHO alice", "USERHOST alice bob")
    assert bob.line() == ":parley 301 bob alice :out for lunch"
    whois = bob.until(" 318 ")
    assert ":parley 301 bob alice :out for lunch" in whois
    assert bob.line() == ":parley 352 bob * alice parley parley alice G :0 alice"
    assert bob.line() == ":parley 315 bob alice :End of /WHO list"
    assert bob.line() == ":parley 302 bob :alice=-alice@parley bob=+bob@parley"
    alice.send("AWAY")
    alice.until(" 305 ")
    assert bob.line() == ":alice!alice@parley AWAY"
    alice.send("WHO #lobby")
    assert alice.line() == ":parley 352 alice #lobby alice parley parley alice H :0 alice"
    assert alice.line() == ":parley 352 alice #lobby bob parley parley bob H :0 Bob B"


def test_setname(server: ServerThread) -> None:
    watcher = IrcClient(server.port)
    watcher.send("CAP LS 302", "CAP REQ :setname", "NICK w", "USER w 0 * :W", "CAP END")
    watcher.until(" 366 ")
    irc = IrcClient(server.port)
    irc.send("CAP LS 302", "CAP REQ setname", "NICK ray", "USER r 0 * :Ray", "CAP END")
    irc.until(" 366 ")
    for client in (watcher, irc):
        client.send("JOIN #names")
        client.until(" 366 ")
    watcher.until(" JOIN #names")
    irc.send("SETNAME :Ray Charles", "WHOIS ray")
    assert irc.line() == ":ray!r@parley SETNAME :Ray Charles"
    assert irc.line() == ":parley 311 ray ray r parley * :Ray Charles"
    assert watcher.line() == ":ray!r@parley SETNAME :Ray Charles"
    plain = IrcClient(server.port)
    plain.register("norm")
    plain.send("SETNAME :x")
    assert plain.line() == ":parley 421 norm SETNAME :Unknown command"  # without the cap


def test_oper_and_server_name(make_server: MakeServer) -> None:
    server = make_server(server_name="irc.example.org", operators=(("root", "sesame"),))
    irc = IrcClient(server.port)
    burst = irc.register("op")
    assert burst[1] == ":irc.example.org 001 op :Welcome to Parley, op!op@parley"
    irc.send("OPER root wrong", "OPER nobody sesame", "OPER root sesame", "MODE op")
    assert irc.line() == ":irc.example.org 464 op :Password incorrect"
    assert irc.line() == ":irc.example.org 491 op :No O-lines for your host"
    assert irc.line() == ":irc.example.org 381 op :You are now an IRC operator"
    assert irc.line() == ":op!op@parley MODE op +o"
    assert irc.line() == ":irc.example.org 221 op :+io"
    other = IrcClient(server.port)
    other.register("zoe")
    other.send("JOIN #zoe")
    other.until(" 366 ")
    irc.send("KICK #zoe zoe :the operator may")  # the server's operator moderates anywhere
    assert other.line() == ":op!op@parley KICK #zoe zoe :the operator may"


def test_a_web_user_hears_renames_away_and_real_names(server: ServerThread) -> None:
    web = WebClient(server.port)
    assert web.sign_in("webby")["type"] == "welcome"
    irc = IrcClient(server.port)
    irc.send("CAP LS 302", "CAP REQ setname", "NICK ira", "USER ira 0 * :Ira", "CAP END")
    irc.until(" 366 ")
    irc.send("NICK ira2", "AWAY :lunch", "SETNAME :Ira Two")
    assert irc.line() == ":ira!ira@parley NICK :ira2"
    assert irc.line() == ":parley 306 ira2 :You have been marked as being away"
    assert irc.line() == ":ira2!ira@parley SETNAME :Ira Two"
    assert web.wait(type="renamed") == {"type": "renamed", "old": "ira", "new": "ira2"}
    assert web.wait(type="away")["message"] == "lunch"
    assert web.wait(type="real_name")["real_name"] == "Ira Two"
    web.close()


def test_a_plain_door_person_reads_a_rename(server: ServerThread) -> None:
    person = LineClient(server.port)
    person.send(b"pam\n")
    assert person.line().startswith(b"Registration successful. Welcome, pam!")
    person.line()
    irc = IrcClient(server.port)
    irc.register("ivy")
    irc.send("NICK ivy2")
    assert person.line() == b"* ivy is now known as ivy2"
