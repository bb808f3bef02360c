"""The IRC door over real sockets: registration, channels, messages across doors, moderation."""

from __future__ import annotations

from parley.protocol.chat1 import encode_password
from tests.server.conftest import Connect, LineClient, MakeServer, ServerThread


class IrcClient:
    """A raw IRC client: lines without their CR LF."""

    def __init__(self, port: int) -> None:
        self.client = LineClient(port)

    def send(self, *lines: str) -> None:
        self.client.send("".join(line + "\r\n" for line in lines).encode())

    def line(self) -> str:
        return self.client.line().decode().removesuffix("\r")

    def until(self, marker: str) -> list[str]:
        """Lines up to and including the first that contains `marker`."""
        seen = []
        while True:
            line = self.line()
            seen.append(line)
            if marker in line:
                return seen

    def register(self, nick: str, password: str = "") -> list[str]:
        if password:
            self.send(f"PASS :{password}")
        self.send("CAP LS 302", f"NICK {nick}", f"USER {nick} 0 * :{nick}", "CAP END")
        return self.until(" 366 ")


def with_caps(server: ServerThread, nick: str, caps: str, password: str = "") -> IrcClient:
    """A client registered with the IRCv3 capabilities `caps`, in #lobby."""
    irc = IrcClient(server.port)
    if password:
        irc.send(f"PASS :{password}")
    irc.send("CAP LS 302", f"CAP REQ :{caps}", f"NICK {nick}", f"USER {nick} 0 * :{nick} R")
    irc.until(" ACK ")
    irc.send("CAP END")
    irc.until(" 366 ")
    return irc


def tags_of(line: str) -> dict[str, str]:
    """The message tags of a received line."""
    raw = line[1:].partition(" ")[0] if line.startswith("@") else ""
    return dict(item.partition("=")[::2] for item in raw.split(";") if item)


def test_registration_burst_and_lobby(server: ServerThread) -> None:
    irc = IrcClient(server.port)
    burst = irc.register("alice")
    assert burst[0] == (
        ":parley CAP * LS :account-notify account-tag away-notify batch cap-notify"
        " draft/chathistory echo-message extended-join invite-notify labeled-response"
        " message-tags multi-prefix sasl=PLAIN server-time setname standard-replies"
        " userhost-in-names"
    )
    assert burst[1].startswith(":parley 001 alice :Welcome to Parley")
    assert any(" 005 alice " in line and "CHANTYPES=#" in line for line in burst)
    assert ":alice!alice@parley JOIN #lobby" in burst
    assert burst[-2] == ":parley 353 alice = #lobby :alice"
    irc.send("PING :are-you-there", "FOO bar", "NICK")
    assert irc.line() == ":parley PONG parley :are-you-there"
    assert irc.line() == ":parley 421 alice FOO :Unknown command"
    assert irc.line() == ":parley 431 alice :No nickname given"
    assert server.who() == ["alice"]


def test_commands_before_registration_and_taken_nicks(
    server: ServerThread, connect: Connect
) -> None:
    connect("bob")  # a CHAT/1.0 user holds the name
    irc = IrcClient(server.port)
    irc.send("NICK bob", "PRIVMSG #lobby :hi", "USER x 0 * :x")
    assert irc.line() == ":parley 451 bob :You have not registered"
    assert irc.line() == ":parley 433 * bob :Nickname is already in use"
    irc.send("USER x 0 * :")
    assert irc.line() == ":parley 461 * USER :Not enough parameters"  # an empty real name
    irc.send("NICK b0b")  # looks like bob: taken too
    assert irc.line() == ":parley 433 * b0b :Nickname is already in use"
    irc.send("NICK robert")
    assert irc.until(" 366 ")[0].startswith(":parley 001 robert ")


def test_messages_cross_doors_both_ways(server: ServerThread, connect: Connect) -> None:
    irc = IrcClient(server.port)
    irc.register("alice")
    bob = connect()
    bob.send(b"EXTEND rooms dm CHAT/1.0\nREGISTER bob CHAT/1.0\n")
    bob.lines(2)
    irc.send("PRIVMSG #lobby :hello from IRC", "JOIN #dev")
    assert bob.line() == b"@alice: hello from IRC"
    assert irc.until(" 366 ")[:2] == [
        ":alice!alice@parley JOIN #dev",
        ":parley 353 alice = #dev :@alice",
    ]
    bob.send(b"JOIN dev CHAT/1.0\n@bob #dev: hi alice\n@bob > alice: psst\n")
    assert irc.line() == ":bob!bob@parley JOIN #dev"
    assert irc.line() == ":bob!bob@parley PRIVMSG #dev :hi alice"
    assert irc.line() == ":bob!bob@parley PRIVMSG alice :psst"
    irc.send("PRIVMSG bob :back at you", "TOPIC #dev :ship it")
    assert bob.lines(3)[1:] == [b"@alice > bob: back at you", b"280 dev ship it"]
    assert irc.line() == ":alice!alice@parley TOPIC #dev :ship it"
    irc.send("PRIVMSG nobody :hello?", "PART #dev")
    assert irc.line() == ":parley 401 alice nobody :No such nick"
    assert irc.line() == ":alice!alice@parley PART #dev"
    bob.send(b"PING after CHAT/1.0\n")
    assert bob.line() == b"290 Pong after"  # without presence, bob is not told of the part


def test_irc_operator_moderates_a_chat1_user(server: ServerThread, connect: Connect) -> None:
    irc = IrcClient(server.port)
    irc.register("ann")
    irc.send("JOIN #ops")
    irc.until(" 366 ")
    bob = connect()
    bob.send(b"EXTEND rooms CHAT/1.0\nREGISTER bob CHAT/1.0\nJOIN ops CHAT/1.0\n")
    assert bob.lines(3)[2] == b"220 Joined ops"
    assert irc.line() == ":bob!bob@parley JOIN #ops"
    irc.send("MODE #ops +q bob")
    assert irc.line() == ":ann!ann@parley MODE #ops +q bob"
    assert bob.line() == b"MODE ops ann +q bob CHAT/1.0"
    bob.send(b"@bob #ops: can I?\n")
    assert bob.line() == b"421 You may not speak in ops"
    irc.send("KICK #ops bob :enough")
    assert irc.line() == ":ann!ann@parley KICK #ops bob :enough"
    assert bob.line() == b"KICKED ops bob ann enough CHAT/1.0"
    bob.send(b"MODE ops +m CHAT/1.0\n")
    assert bob.line() == b"419 Not an operator of ops"
    irc.send("MODE #ops +m", "MODE #ops", "MODE #nowhere")
    assert irc.line() == ":ann!ann@parley MODE #ops +m"
    assert irc.line() == ":parley 324 ann #ops :+nm"
    assert irc.line().startswith(":parley 329 ann #ops :")  # when #ops was made
    assert irc.line() == ":parley 403 ann #nowhere :No such channel"


def test_pass_logs_in_to_the_account_from_another_door(
    server: ServerThread, connect: Connect
) -> None:
    owner = connect()
    owner.send(f"SIGNUP cat {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == b"200 Registration successful"
    intruder = IrcClient(server.port)
    intruder.send("NICK cat", "USER c 0 * :c")
    assert "433 * cat :Nickname is registered" in intruder.line()
    device = IrcClient(server.port)
    burst = device.register("cat", "a long password")
    assert burst[1].startswith(":parley 001 cat ")  # the same user, on a second connection
    owner.send(b"@cat: from the first device\n")
    assert device.line() == ":cat!cat@parley PRIVMSG #lobby :from the first device"
    assert server.who() == ["cat"]


def test_quit(server: ServerThread) -> None:
    irc = IrcClient(server.port)
    irc.register("zed")
    irc.send("QUIT :bye")
    assert irc.line() == "ERROR :Closing link: Quit: bye"
    assert irc.client.closed()


def test_sasl_plain_logs_in_to_an_account(server: ServerThread, connect: Connect) -> None:
    import base64

    owner = connect()
    owner.send(f"SIGNUP dee {encode_password('a long password')} CHAT/1.0\n".encode())
    assert owner.line() == b"200 Registration successful"
    irc = IrcClient(server.port)
    irc.send("CAP LS 302", "NICK dee", "USER dee 0 * :Dee", "CAP REQ :sasl server-time bogus")
    assert irc.line().startswith(":parley CAP * LS :")
    assert irc.line() == ":parley CAP dee NAK :sasl server-time bogus"
    irc.send("CAP REQ :sasl server-time echo-message", "AUTHENTICATE PLAIN")
    assert irc.line() == ":parley CAP dee ACK :sasl server-time echo-message"
    assert irc.line() == "AUTHENTICATE +"
    wrong = base64.b64encode(b"\0dee\0not the password").decode()
    irc.send(f"AUTHENTICATE {wrong}", "AUTHENTICATE PLAIN")
    assert irc.line() == ":parley 904 dee :SASL authentication failed"
    assert irc.line() == "AUTHENTICATE +"
    right = base64.b64encode(b"\0dee\0a long password").decode()
    irc.send(f"AUTHENTICATE {right}")
    assert irc.line() == ":parley 900 dee dee!dee@parley dee :You are now logged in as dee"
    assert irc.line() == ":parley 903 dee :SASL authentication successful"
    irc.send("CAP END")
    burst = irc.until(" 366 ")
    assert burst[0].startswith(":parley 001 dee ")
    owner.send(b"@dee: seen on both devices\n")
    tagged = irc.line()
    assert tagged.startswith("@time=") and tagged.endswith(
        " :dee!dee@parley PRIVMSG #lobby :seen on both devices"
    )
    irc.send("PRIVMSG #lobby :echoed back")
    echo = irc.line()
    assert echo.startswith("@time=") and echo.endswith(
        ":dee!dee@parley PRIVMSG #lobby :echoed back"
    )
    assert owner.line() == b"@dee: echoed back"


def test_a_silent_client_is_pinged_then_dropped(make_server: MakeServer) -> None:
    server = make_server(irc_ping_interval=0.3)
    irc = IrcClient(server.port)
    irc.register("sleepy")
    assert irc.line() == "PING :parley"  # silent for an interval
    irc.send("PONG :parley")
    assert irc.line() == "PING :parley"  # the next silent interval
    assert irc.line() == "ERROR :Closing link: ping timeout"
    assert irc.client.closed()
    assert server.who() == []
