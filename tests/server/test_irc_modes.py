"""The IRC door's MODE, KICK/KILL and INVITE edges over real sockets, and echoes with labels."""

from __future__ import annotations

import re

from tests.server.conftest import Connect, MakeServer, ServerThread
from tests.server.test_irc import IrcClient


def _in(server: ServerThread, nick: str, channel: str) -> IrcClient:
    irc = IrcClient(server.port)
    irc.register(nick)
    irc.send(f"JOIN {channel}")
    irc.until(" 366 ")
    return irc


def test_several_modes_at_once_bans_by_mask_and_the_ban_list(server: ServerThread) -> None:
    op = _in(server, "op", "#chan")
    op.send("MODE #chan +mt-n", "MODE #chan +b bar!*@*", "MODE #chan +b", "MODE #chan")
    assert op.line() == ":op!op@parley MODE #chan +mt-n"  # one line for the three changes
    assert op.line() == ":op!op@parley MODE #chan +b bar"
    assert op.line() == ":parley 367 op #chan :bar!*@*"
    assert op.line() == ":parley 368 op #chan :End of channel ban list"
    assert op.line() == ":parley 324 op #chan :+mt"
    bar = IrcClient(server.port)
    bar.register("Bar")
    bar.send("JOIN #chan")
    assert bar.line() == ":parley 474 Bar #chan :Cannot join channel (+b)"


def test_keys_must_be_sendable_and_roles_need_a_nick(server: ServerThread) -> None:
    op = _in(server, "op", "#chan")
    op.send("MODE #chan +k :has space", "MODE #chan +k", "MODE #chan +o ghost", "MODE #chan +x")
    assert op.line() == ":parley 696 op #chan k * :Invalid key: 1 to 23 characters, no spaces"
    assert op.line() == ":parley 696 op #chan k * :Invalid key: 1 to 23 characters, no spaces"
    assert op.line() == ":parley 401 op ghost :No such nick/channel"
    assert op.line() == ":parley 472 op x :is unknown mode char to me"


def test_outsiders_cannot_send_and_invites_of_members(server: ServerThread) -> None:
    op = _in(server, "op", "#chan")
    other = _in(server, "other", "#elsewhere")
    other.send("PRIVMSG #chan :let me in")
    assert other.line() == ":parley 404 other #chan :Cannot send to channel (not a member)"
    other.send("JOIN #chan")
    other.until(" 366 ")
    op.send("INVITE other #chan")
    assert op.until(" 443 ")[-1] == ":parley 443 op other #chan :is already on channel"


def test_kill_needs_an_operator(make_server: MakeServer) -> None:
    server = make_server(operators=(("root", "sesame"),))
    victim = IrcClient(server.port)
    victim.register("victim")
    killer = IrcClient(server.port)
    killer.register("killer")
    killer.send("KILL victim :spam")
    assert killer.line() == ":parley 481 killer :Permission Denied- You're not an IRC operator"
    killer.send("OPER root sesame", "KILL nobody", "KILL victim :spam")
    killer.until(" MODE killer +o")
    assert killer.line() == ":parley 401 killer nobody :No such nick/channel"
    assert victim.line() == "ERROR :Closing link: the server closed it"
    assert victim.client.closed()


def test_labeled_echo_comes_with_its_msgid(server: ServerThread) -> None:
    irc = IrcClient(server.port)
    caps = "labeled-response echo-message message-tags batch"
    irc.send("CAP LS 302", f"CAP REQ :{caps}", "NICK lab", "USER l 0 * :L", "CAP END")
    irc.until(" 366 ")
    irc.send("JOIN #echo")
    irc.until(" 366 ")
    irc.send("@label=e1 PRIVMSG #echo :hello", "@label=e2 NOTICE #echo :hi")
    first = irc.line()
    assert re.fullmatch(r"@label=e1;msgid=\d+ :lab!l@parley PRIVMSG #echo :hello", first)
    second = irc.line()
    assert re.fullmatch(r"@label=e2;msgid=\d+ :lab!l@parley NOTICE #echo :hi", second)


def test_a_room_limit_holds_for_every_door_but_invitees(
    server: ServerThread, connect: Connect
) -> None:
    op = _in(server, "op", "#full")
    op.send("MODE #full +l 1", "MODE #full +l 0", "MODE #full")
    assert op.line() == ":op!op@parley MODE #full +l 1"
    assert op.line() == ":parley 696 op #full l 0 :Invalid limit: a positive number"
    assert op.line() == ":parley 324 op #full +nl :1"
    chat1 = connect()
    chat1.send(b"EXTEND rooms CHAT/1.0\nREGISTER carol CHAT/1.0\nJOIN full CHAT/1.0\n")
    assert chat1.lines(3)[2] == b"422 full is invite-only"  # full: an invitation lets one in
    late = IrcClient(server.port)
    late.register("late")
    late.send("JOIN #full")
    assert late.line() == ":parley 471 late #full :Cannot join channel (+l)"
    op.send("INVITE late #full")
    op.until(" 341 ")
    late.until(" INVITE late #full")
    late.send("JOIN #full")
    assert late.line() == ":late!late@parley JOIN #full"
    op.send("MODE #full -l")
    assert op.until(" MODE ")[-1] == ":op!op@parley MODE #full -l"


def test_topic_setter_and_room_creation_time(server: ServerThread) -> None:
    op = _in(server, "op", "#info")
    op.send("TOPIC #info :the plan", "MODE #info")
    assert op.line() == ":op!op@parley TOPIC #info :the plan"
    assert op.line() == ":parley 324 op #info :+n"
    created = op.line()
    assert re.fullmatch(r":parley 329 op #info :\d{10}", created)
    late = IrcClient(server.port)
    late.register("late")
    late.send("JOIN #info")
    assert late.line() == ":late!late@parley JOIN #info"
    assert late.line() == ":parley 332 late #info :the plan"
    assert re.fullmatch(r":parley 333 late #info op :\d{10}", late.line())
