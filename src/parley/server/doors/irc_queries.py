"""The IRC door's output helpers and its queries (NAMES, LIST, WHO, WHOIS, ISON, USERHOST,
LUSERS, MOTD, VERSION, TIME): what an IRC client asks about the server, answered in numerics.

A base of `parley.server.doors.irc.IrcDoor`, kept apart so that each module stays small.
"""

from __future__ import annotations

import time

from parley import __version__
from parley.chat import commands as core
from parley.chat.answers import Outcome, RoomList
from parley.chat.model import Room
from parley.protocol import irc
from parley.server.doors.base import DoorBase, Link
from parley.server.doors.irc_encoding import NUMERICS, channel

SERVER = "parley"


class IrcQueries(DoorBase):
    """Numerics out, and the queries that need nothing but the core's state."""

    __slots__ = ("_nick",)

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._nick = ""

    # Output -------------------------------------------------------------------------------

    def _send(self, message: irc.Message) -> None:
        self._link.send(irc.encode(message))

    def _numeric(self, code: str, *params: str) -> None:
        self._link.send(irc.numeric(SERVER, code, self._nick or "*", *params))

    def _refuse(self, outcome: Outcome, subject: str = "") -> None:
        code, text = NUMERICS.get(outcome, ("400", outcome.value))
        self._numeric(code, *((subject,) if subject else ()), text)

    def _names(self, params: tuple[str, ...]) -> None:
        """NAMES of channels: read from the rooms themselves, not a whole (budgeted) listing."""
        if not params:
            self.call(core.ListRooms(), self._all_names)
            return
        viewer = self._link.session.user
        for target in irc.split_targets(params[0]):
            room = self._link.core.room(target.removeprefix("#"))
            if room is not None and not (room.secret and viewer not in room.members):
                self._numeric("353", "=", channel(room.name), " ".join(_marked(room)))
            self._numeric("366", target, "End of /NAMES list")

    def _all_names(self, answer: RoomList) -> None:
        for view in answer.rooms:
            room = self._link.core.room(view.name)
            if room is not None:
                self._numeric("353", "=", channel(room.name), " ".join(_marked(room)))
        self._numeric("366", "*", "End of /NAMES list")

    def _list(self, params: tuple[str, ...]) -> None:
        self.call(core.ListRooms(), self._list_answer)

    def _list_answer(self, answer: RoomList) -> None:
        self._numeric("321", "Channel", "Users  Name")
        for room in answer.rooms:
            self._numeric("322", channel(room.name), str(len(room.members)), room.topic)
        self._numeric("323", "End of /LIST")

    def _who(self, params: tuple[str, ...]) -> None:
        target = params[0] if params else "*"
        if target.startswith("#"):
            room = self._link.core.room(target[1:])
            names = list(room.view()) if room is not None else []
        else:
            user = self._link.core.user(target)
            names = [user.name] if user is not None else []
        for name in names:
            self._numeric("352", target, name, "parley", SERVER, name, "H", f"0 {name}")
        self._numeric("315", target, "End of /WHO list")

    def _whois(self, params: tuple[str, ...]) -> None:
        nick = params[-1]
        user = self._link.core.user(nick)
        if user is None:
            self._numeric("401", nick, "No such nick/channel")
        else:
            self._numeric("311", user.name, user.name, "parley", "*", user.name)
            rooms = " ".join(channel(room.name) for room in user.rooms if not room.secret)
            self._numeric("319", user.name, rooms)
            self._numeric("312", user.name, SERVER, "Parley")
            if user.account:
                self._numeric("330", user.name, user.name, "is logged in as")
        self._numeric("318", nick, "End of /WHOIS list")

    def _ison(self, params: tuple[str, ...]) -> None:
        online = [n for word in params for n in word.split() if self._link.core.user(n)]
        self._numeric("303", " ".join(online))

    def _userhost(self, params: tuple[str, ...]) -> None:
        found = [self._link.core.user(nick) for nick in params[:5]]
        self._numeric("302", " ".join(f"{u.name}=+{u.name}@parley" for u in found if u))

    def _lusers(self, params: tuple[str, ...]) -> None:
        users = len(self._link.core)
        self._numeric("251", f"There are {users} users and 0 invisible on 1 servers")
        self._numeric("255", f"I have {users} clients and 0 servers")

    def _motd(self, params: tuple[str, ...]) -> None:
        self._numeric("422", "MOTD File is missing")

    def _version(self, params: tuple[str, ...]) -> None:
        self._numeric("351", f"parley-{__version__}", SERVER, "Parley chat server")

    def _time(self, params: tuple[str, ...]) -> None:
        self._numeric("391", SERVER, time.strftime("%A %B %d %Y -- %H:%M:%S UTC", time.gmtime()))


def _marked(room: Room) -> list[str]:
    """Member nicks, operators marked ``@``, sorted as people expect."""
    members = sorted(room.members, key=lambda user: user.name.casefold())
    return [("@" if user.key in room.operators else "") + user.name for user in members]
