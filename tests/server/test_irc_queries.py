"""The IRC door's queries over real sockets: WHO masks, WHOWAS, LIST, NAMES, and the lobby
as an auditorium (quits of users who share only the lobby are not told)."""

from __future__ import annotations

from tests.server.conftest import Connect, ServerThread
from tests.server.test_irc import IrcClient


def _joined(server: ServerThread, nick: str, *channels: str, real: str = "") -> IrcClient:
    irc = IrcClient(server.port)
    irc.send("CAP LS 302", f"NICK {nick}", f"USER u{nick} 0 * :{real or nick}", "CAP END")
    irc.until(" 366 ")
    for name in channels:
        irc.send(f"JOIN {name}")
        irc.until(" 366 ")
    return irc


def test_who_masks_see_only_users_sharing_a_channel(server: ServerThread) -> None:
    ann = _joined(server, "ann", "#dev", real="Ann Smith")
    andy = _joined(server, "andy")  # only in the lobby: invisible to masks
    bob = _joined(server, "bob", "#dev")
    bob.send("WHO an*")
    assert bob.line() == ":parley 352 bob * uann parley parley ann H :0 Ann Smith"
    assert bob.line() == ":parley 315 bob an* :End of /WHO list"
    bob.send("WHO *smith", "WHO andy")  # a real name matches; a nick itself always answers
    assert bob.line() == ":parley 352 bob * uann parley parley ann H :0 Ann Smith"
    assert bob.line() == ":parley 315 bob *smith :End of /WHO list"
    assert bob.line() == ":parley 352 bob * uandy parley parley andy H :0 andy"
    assert bob.line() == ":parley 315 bob andy :End of /WHO list"
    andy.send("WHO an*")  # finds only itself
    assert andy.line() == ":parley 352 andy * uandy parley parley andy H :0 andy"
    ann.until(" JOIN #dev")
    ann.send("WHO #dev")
    assert ann.line() == ":parley 352 ann #dev uann parley parley ann H@ :0 Ann Smith"
    assert ann.line() == ":parley 352 ann #dev ubob parley parley bob H :0 bob"
    assert ann.line() == ":parley 315 ann #dev :End of /WHO list"


def test_whowas_after_quit_and_rename(server: ServerThread) -> None:
    asker = _joined(server, "asker")
    gone = _joined(server, "gone", real="Gone Soon")
    gone.send("QUIT :bye")
    gone.client.closed()
    moved = _joined(server, "moved")
    moved.send("NICK moving")
    moved.until(" NICK ")
    asker.send("WHOWAS gone", "WHOWAS moved 1", "WHOWAS never")
    assert asker.line() == ":parley 314 asker gone ugone parley * :Gone Soon"
    assert asker.line().startswith(":parley 312 asker gone parley :")
    assert asker.line() == ":parley 369 asker gone :End of WHOWAS"
    assert asker.line() == ":parley 314 asker moved umoved parley * :moved"
    asker.until(" 369 ")
    assert asker.line() == ":parley 406 asker never :There was no such nickname"
    assert asker.line() == ":parley 369 asker never :End of WHOWAS"


def test_lobby_quits_are_quiet_but_channel_mates_are_told(server: ServerThread) -> None:
    watcher = _joined(server, "watcher", "#dev")
    mate = _joined(server, "mate", "#dev")
    stranger = _joined(server, "stranger")
    watcher.until(" JOIN #dev")
    stranger.send("QUIT")
    stranger.client.closed()
    mate.send("QUIT :later")
    assert watcher.line() == ":mate!umate@parley QUIT :Quit: later"  # not the stranger's quit


def test_list_names_and_the_lobby(server: ServerThread, connect: Connect) -> None:
    irc = _joined(server, "lister", "#one", "#two")
    irc.send("LIST", "LIST #two,#none", "NAMES #one,#two")
    assert irc.line() == ":parley 321 lister Channel :Users  Name"
    assert irc.line() == ":parley 322 lister #one 1 :"
    assert irc.line() == ":parley 322 lister #two 1 :"
    assert irc.line() == ":parley 323 lister :End of /LIST"  # not #lobby: everyone is in it
    assert irc.until(" 323 ")[1:] == [
        ":parley 322 lister #two 1 :",
        ":parley 323 lister :End of /LIST",
    ]
    assert irc.line() == ":parley 353 lister = #one :@lister"
    assert irc.line() == ":parley 353 lister = #two :@lister"
    assert irc.line() == ":parley 366 lister #one,#two :End of /NAMES list"


def test_lusers_whois_and_bot_mode(server: ServerThread) -> None:
    bot = _joined(server, "beep", "#bots")
    bot.send("MODE beep +B", "MODE beep", "MODE other +i", "MODE beep +x")
    assert bot.line() == ":beep!ubeep@parley MODE beep +B"
    assert bot.line() == ":parley 221 beep :+iB"
    assert bot.line() == ":parley 401 beep other :No such nick/channel"
    assert bot.line() == ":parley 501 beep :Unknown MODE flag"
    user = IrcClient(server.port)
    user.send("CAP LS 302", "CAP REQ message-tags", "NICK hum", "USER h 0 * :H", "CAP END")
    user.until(" 366 ")
    user.send("WHOIS beep", "JOIN #bots")
    whois = user.until(" 318 ")
    assert ":parley 335 hum beep :is a bot" in whois
    user.until(" 366 ")
    bot.send("PRIVMSG #bots :beep boop")
    relayed = user.until("beep boop")[-1]
    assert relayed.startswith("@") and "bot" in relayed.split(" ")[0][1:].split(";")
    user.send("LUSERS")
    assert user.until(" 266 ") == [
        ":parley 251 hum :There are 2 users and 0 invisible on 1 servers",
        ":parley 254 hum 2 :channels formed",
        ":parley 255 hum :I have 2 clients and 0 servers",
        ":parley 265 hum 2 2 :Current local users 2, max 2",
        ":parley 266 hum 2 2 :Current global users 2, max 2",
    ]
