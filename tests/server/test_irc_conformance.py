"""What irctest asks of the IRC door, over real sockets: part and quit reasons (also as the
plain and CHAT/1.0 doors show them), ``+n`` as a real mode, several mode changes answered in
one line, LINKS with the server's description, and LUSERS with the most users seen at once."""

from __future__ import annotations

from parley.protocol.chat1 import encode_password
from tests.server.conftest import MakeServer, ServerThread
from tests.server.test_irc import IrcClient
from tests.server.test_plain_door import person
from tests.server.web_client import WebClient


def _in(server: ServerThread, nick: str, channel: str = "") -> IrcClient:
    irc = IrcClient(server.port)
    irc.register(nick)
    if channel:
        irc.send(f"JOIN {channel}")
        irc.until(" 366 ")
    return irc


def test_part_and_quit_reasons_reach_every_door(server: ServerThread) -> None:
    watcher = _in(server, "watcher", "#dev")
    leaver = _in(server, "leaver", "#dev")
    netcat = person(server, "netcat")
    netcat.send(b"/join dev\n")
    netcat.lines(2)
    watcher.until(" JOIN #dev")
    watcher.until(" JOIN #dev")
    leaver.send("PART #dev :bye   everyone", "JOIN #dev")
    assert watcher.line() == ":leaver!leaver@parley PART #dev :bye everyone"
    assert netcat.line() == b"* leaver left dev (bye everyone)"
    assert watcher.line() == ":leaver!leaver@parley JOIN #dev"
    netcat.line()
    leaver.send("PART #dev", "JOIN #dev")  # no reason: nothing after the channel
    assert watcher.line() == ":leaver!leaver@parley PART #dev"
    assert netcat.line() == b"* leaver left dev"
    watcher.until(" JOIN #dev")
    netcat.line()
    leaver.send("QUIT :off to lunch")
    assert leaver.until("ERROR")[-1] == "ERROR :Closing link: Quit: off to lunch"
    assert watcher.line() == ":leaver!leaver@parley QUIT :Quit: off to lunch"
    assert netcat.line() == b"* leaver disconnected (off to lunch)"


def test_leave_and_quit_reasons_cross_the_web_door_both_ways(server: ServerThread) -> None:
    web = WebClient(server.port)
    web.sign_in("webby")
    web.request({"type": "join", "room": "dev"})
    irc = _in(server, "ircer", "#dev")
    assert web.wait(type="presence", name="ircer")["kind"] == "join"
    irc.send("PART #dev :gone   fishing", "JOIN #dev")
    left = web.wait(type="presence", name="ircer")
    assert (left["kind"], left["room"], left["reason"]) == ("leave", "dev", "gone fishing")
    joined = web.wait(type="presence", name="ircer")
    assert joined["kind"] == "join" and "reason" not in joined  # nothing said: no field
    answer = web.request({"type": "leave", "room": "dev", "reason": "see you\x07 later"})
    assert answer["type"] == "ok"
    # a control character cannot act on anyone's terminal: it is shown, as in a kick reason
    assert irc.until(":webby")[-1] == ":webby!webby@parley PART #dev :see you\ufffd later"
    web.request({"type": "join", "room": "dev"})
    irc.until(" JOIN #dev")
    irc.send("QUIT :lunch")
    quit_ = web.wait(type="presence", name="ircer", kind="quit")
    assert quit_["reason"] == "lunch" and "room" not in quit_  # IRC says "Quit: lunch"
    refused = web.request({"type": "leave", "room": "dev", "reason": "x" * 401})
    assert refused["code"] == "too_long"


def test_chat1_presence_lines_keep_their_seed_form(server: ServerThread) -> None:
    chat1 = IrcClient(server.port).client  # a raw line client: CHAT/1.0 from its first line
    chat1.send(b"EXTEND rooms presence CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN dev CHAT/1.0\n")
    chat1.lines(2)
    assert chat1.line() == b"JOINED dev carol CHAT/1.0"
    chat1.line()
    leaver = _in(server, "leaver", "#dev")
    assert chat1.line() == b"JOINED dev leaver CHAT/1.0"
    leaver.send("PART #dev :a reason the seed has no room for", "QUIT :and another")
    assert chat1.line() == b"LEFT dev leaver CHAT/1.0"
    assert chat1.line() == b"QUIT * leaver CHAT/1.0"


def test_no_external_messages_is_a_real_mode(server: ServerThread) -> None:
    op = _in(server, "op", "#chan")
    outsider = _in(server, "outsider")
    op.send("MODE #chan")
    assert op.line() == ":parley 324 op #chan :+n"  # on by default
    op.line()  # 329, when it was made
    outsider.send("PRIVMSG #chan :let me in", "NOTICE #chan :me too")
    assert outsider.line() == ":parley 404 outsider #chan :Cannot send to channel (not a member)"
    op.send("MODE #chan -n", "MODE #chan")
    assert op.line() == ":op!op@parley MODE #chan -n"
    assert op.line() == ":parley 324 op #chan :+"
    op.line()
    outsider.send("PRIVMSG #chan :hi from outside", "NOTICE #chan :and a notice")
    assert op.line() == ":outsider!outsider@parley PRIVMSG #chan :hi from outside"
    assert op.line() == ":outsider!outsider@parley NOTICE #chan :and a notice"
    op.send("MODE #chan +b outsider")
    op.line()
    outsider.send("PRIVMSG #chan :banned now")  # a ban keeps an outsider out too
    assert outsider.line() == ":parley 404 outsider #chan :Cannot send to channel (not a member)"


def test_several_mode_changes_are_answered_in_one_line(server: ServerThread) -> None:
    op = _in(server, "op", "#chan")
    mate = _in(server, "mate", "#chan")
    op.until(" JOIN #chan")
    op.send("MODE #chan +int", "MODE #chan")
    assert op.line() == ":op!op@parley MODE #chan +int"
    assert op.line() == ":parley 324 op #chan :+nti"
    op.line()
    op.send("MODE #chan -nti+v mate", "MODE #chan")
    assert op.line() == ":op!op@parley MODE #chan -nti+v mate"
    assert op.line() == ":parley 324 op #chan :+"
    assert mate.until(" MODE ")[-1] == ":op!op@parley MODE #chan +i"  # others: one a change


def test_links_shows_the_configured_description(make_server: MakeServer) -> None:
    server = make_server(server_name="irc.example", server_description="Our own chat")
    user = _in(server, "user")
    user.send("LINKS", "WHOIS user")
    assert user.line() == ":irc.example 364 user irc.example irc.example :0 Our own chat"
    assert user.line() == ":irc.example 365 user * :End of LINKS list"
    assert ":irc.example 312 user user irc.example :Our own chat" in user.until(" 318 ")


def test_lusers_max_is_the_most_users_at_once(server: ServerThread) -> None:
    stays = _in(server, "stays")
    goes = _in(server, "goes")
    goes.send("QUIT")
    assert goes.client.closed()
    stays.send("LUSERS")
    assert stays.until(" 266 ")[-2:] == [
        ":parley 265 stays 1 2 :Current local users 1, max 2",
        ":parley 266 stays 1 2 :Current global users 1, max 2",
    ]


def test_a_connection_password_comes_before_registering(make_server: MakeServer) -> None:
    """``--irc-password``: the right PASS registers; none, a wrong one or SASL alone is 464
    and ERROR, and the connection closes (RFC 1459 4.1.1, Modern IRC)."""
    import base64

    from parley.chat.passwords import hash_password

    for secret in ("testpassword", hash_password("testpassword")):
        server = make_server(irc_password=secret)
        good = IrcClient(server.port)
        good.send("PASS testpassword", "NICK foo", "USER u * * :Real")
        assert good.until(" 366 ")[0].startswith(":parley 001 foo ")
        for opening in (["PASS testpasswordgarbage"], [], ["PASS testpasswor"]):
            bad = IrcClient(server.port)
            bad.send(*opening, "NICK bar", "USER u * * :Real")
            assert bad.line() == ":parley 464 bar :Password incorrect"
            assert bad.line() == "ERROR :Closing link: bad password"
            assert bad.client.closed()
        chat1 = IrcClient(server.port).client  # the other doors have no connection password
        chat1.send(f"SIGNUP dee {encode_password('a long password')} CHAT/1.0\n".encode())
        assert chat1.line() == b"200 Registration successful"
        chat1.send(b"DISCONNECT dee CHAT/1.0\n")
        sasl = IrcClient(server.port)  # the account's own password is no way around it
        plain = base64.b64encode(b"\0dee\0a long password").decode()
        sasl.send("CAP LS 302", "NICK dee", "USER u * * :Real", "CAP REQ :sasl")
        sasl.until(" ACK ")
        sasl.send("AUTHENTICATE PLAIN", f"AUTHENTICATE {plain}")
        assert sasl.until(" 903 ")[-1] == ":parley 903 dee :SASL authentication successful"
        sasl.send("CAP END")
        assert sasl.line() == ":parley 464 dee :Password incorrect"
        assert sasl.line() == "ERROR :Closing link: bad password"
        both = IrcClient(server.port)  # the connection password, then SASL for the account
        both.send("PASS testpassword", "CAP LS 302", "NICK dee", "USER u * * :Real")
        both.send("CAP REQ :sasl", "AUTHENTICATE PLAIN", f"AUTHENTICATE {plain}", "CAP END")
        assert any(line.startswith(":parley 001 dee ") for line in both.until(" 366 "))
