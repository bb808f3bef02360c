"""The IRC door's output helpers and its queries (NAMES, LIST, WHO, WHOIS, ISON, USERHOST,
LUSERS, MOTD, VERSION, TIME): what an IRC client asks about the server, answered in numerics.

A base of `parley.server.doors.irc.IrcDoor`, kept apart so that each module stays small. All
output goes through `_out`, so that a labeled command's replies can be gathered
(`parley.server.doors.irc_caps`).
"""

from __future__ import annotations

import fnmatch
import time

from parley import __version__
from parley.chat import commands as core
from parley.chat.answers import Outcome, RoomList
from parley.chat.events import LOBBY
from parley.chat.model import Room, User
from parley.protocol import irc
from parley.server.doors.base import DoorBase, Link
from parley.server.doors.irc_encoding import HOST, NUMERICS, channel

SERVER = "parley"  # the server name when none is configured


class IrcQueries(DoorBase):
    """Numerics out, and the queries that need nothing but the core's state."""

    __slots__ = ("_caps", "_description", "_mates", "_nick", "_server")

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._nick = ""
        self._server = getattr(link.config, "server_name", SERVER)
        self._description = getattr(link.config, "server_description", "Parley chat server")
        self._caps: frozenset[str] = frozenset()  # replaced, never changed: a cache key
        # Names of users the client has seen in its channels other than the lobby: only
        # their quits, nick changes and away changes are told (the lobby is an auditorium).
        self._mates: set[str] = set()

    # Output -------------------------------------------------------------------------------

    def _out(self, data: bytes) -> None:
        """Queue encoded lines for the client (a labeled command gathers them first)."""
        self._link.send(data)

    def _send(self, message: irc.Message) -> None:
        self._out(irc.encode(message))

    def _numeric(self, code: str, *params: str) -> None:
        self._out(irc.numeric(self._server, code, self._nick or "*", *params))

    def _refuse(self, outcome: Outcome, subject: str = "") -> None:
        code, text = NUMERICS.get(outcome, ("400", outcome.value))
        self._numeric(code, *((subject,) if subject else ()), text)

    def _fail(self, command: str, code: str, *context: str) -> None:
        """A standard reply: ``FAIL <command> <code> [<context>…] :<description>``."""
        *words, description = context
        self._send(
            irc.Message("FAIL", (command, code, *words, description), self._server, trailing=True)
        )

    def prefix_of(self, nick: str) -> str:
        """``nick!user@host`` of a user (its IRC user name if it gave one, else its nick)."""
        user = self._link.core.user(nick)
        if user is None:
            gone = self._link.core.profiles.just_left(nick)  # a quit, told as it happens
            return f"{nick}!{gone.user_name if gone else nick}@{HOST}"
        return f"{user.name}!{self._user_name(user)}@{HOST}"

    def _user_name(self, user: User) -> str:
        return self._link.core.profiles.user_name(user)

    # Queries ------------------------------------------------------------------------------

    def _names(self, params: tuple[str, ...]) -> None:
        """NAMES of channels: read from the rooms themselves, not a whole (budgeted) listing."""
        if not params:
            self.call(core.ListRooms(), self._all_names)
            return
        viewer = self._link.session.user
        for target in irc.split_targets(params[0]):
            room = self._link.core.room(target.removeprefix("#"))
            if room is not None and not (room.secret and viewer not in room.members):
                self._names_of(room)
        self._numeric("366", params[0], "End of /NAMES list")

    def _names_of(self, room: Room) -> None:
        """353 lines for `room`, split so that each stays within the line limit."""
        marked = self._marked(room)
        if not room.is_lobby:
            self._mates.update(user.name for user in room.members)
        kind = "@" if room.secret else "="
        line: list[str] = []
        for entry in marked:
            if line and sum(len(word) + 1 for word in line) + len(entry) > 400:
                self._numeric("353", kind, channel(room.name), " ".join(line))
                line = []
            line.append(entry)
        self._numeric("353", kind, channel(room.name), " ".join(line))

    def _all_names(self, answer: RoomList) -> None:
        for view in answer.rooms:
            room = self._link.core.room(view.name)
            if room is not None:
                self._names_of(room)
        self._numeric("366", "*", "End of /NAMES list")

    def _marked(self, room: Room) -> list[str]:
        """Member nicks with their status (``@`` operator, ``+`` voice), sorted as people
        expect; every status with multi-prefix, full ``nick!user@host`` with
        userhost-in-names."""
        members = sorted(room.members, key=lambda user: user.name.casefold())
        every, full = "multi-prefix" in self._caps, "userhost-in-names" in self._caps
        marked = []
        for user in members:
            status = _status(room, user)
            shown = f"{user.name}!{self._user_name(user)}@{HOST}" if full else user.name
            marked.append((status if every else status[:1]) + shown)
        return marked

    def _list(self, params: tuple[str, ...]) -> None:
        wanted = {channel(t).casefold() for t in irc.split_targets(params[0])} if params else None
        self.call(core.ListRooms(), lambda answer: self._list_answer(answer, wanted))

    def _list_answer(self, answer: RoomList, wanted: set[str] | None) -> None:
        """The rooms, but the lobby: everyone is in it from the start (an auditorium)."""
        self._numeric("321", "Channel", "Users  Name")
        for room in answer.rooms:
            name = channel(room.name)
            if room.name == LOBBY or (wanted is not None and name.casefold() not in wanted):
                continue
            self._numeric("322", name, str(len(room.members)), room.topic)
        self._numeric("323", "End of /LIST")

    def _who(self, params: tuple[str, ...]) -> None:
        target = params[0] if params else "*"
        pairs: list[tuple[Room | None, User]]
        if target.startswith("#"):
            room = self._link.core.room(target[1:])
            viewer = self._link.session.user
            hidden = room is not None and room.secret and viewer not in room.members
            pairs = [(room, user) for user in room.members] if room and not hidden else []
        elif (user := self._link.core.user(target)) is not None:
            pairs = [(None, user)]  # a nick itself is always answered
        else:
            pairs = [(None, user) for user in self._visible() if self._matches(target, user)]
        for room_of, user in sorted(pairs, key=lambda pair: pair[1].name.casefold()):
            self._who_line(channel(room_of.name) if room_of else "*", room_of, user)
        self._numeric("315", target, "End of /WHO list")

    def _visible(self) -> list[User]:
        """Who a mask may find: the asker and whoever shares a channel with it (not the
        lobby: everyone is in it; users are invisible, ``+i``, otherwise)."""
        me = self._link.session.user
        if me is None:
            return []
        seen = {me: None}
        for room in me.rooms:
            if not room.is_lobby:
                seen.update(dict.fromkeys(room.members))
        return list(seen)

    def _matches(self, mask: str, user: User) -> bool:
        pattern = mask.casefold()
        names = (user.name, f"{user.name}!{self._user_name(user)}@{HOST}")
        real = self._link.core.profiles.real_name(user)
        return any(fnmatch.fnmatchcase(text.casefold(), pattern) for text in (*names, real))

    def _who_line(self, mask: str, room: Room | None, user: User) -> None:
        profiles = self._link.core.profiles
        flags = "G" if profiles.away_message(user) else "H"
        if any(session.is_operator for session in user.sessions):
            flags += "*"
        if profiles.is_bot(user):
            flags += "B"
        if room is not None:
            status = _status(room, user)
            flags += status if "multi-prefix" in self._caps else status[:1]
        real = profiles.real_name(user)
        user_name = self._user_name(user)
        self._numeric("352", mask, user_name, HOST, self._server, user.name, flags, f"0 {real}")

    def _whois(self, params: tuple[str, ...]) -> None:
        nick = params[-1]
        user = self._link.core.user(nick)
        if user is None:
            self._numeric("401", nick, "No such nick/channel")
        else:
            self._whois_user(user)
        self._numeric("318", user.name if user else nick, "End of /WHOIS list")

    def _whois_user(self, user: User) -> None:
        profiles, viewer = self._link.core.profiles, self._link.session.user
        name = user.name
        self._numeric("311", name, self._user_name(user), HOST, "*", profiles.real_name(user))
        rooms = [
            _status(room, user)[:1] + channel(room.name)
            for room in user.rooms
            if not room.is_lobby and (not room.secret or viewer in room.members)
        ]
        if rooms:
            self._numeric("319", name, " ".join(rooms))
        self._numeric("312", name, self._server, self._description)
        if any(session.is_operator for session in user.sessions):
            self._numeric("313", name, "is an IRC operator")
        if profiles.is_bot(user):
            self._numeric("335", name, "is a bot")
        away = profiles.away_message(user)
        if away:
            self._numeric("301", name, away)
        if user.account:
            self._numeric("330", name, name, "is logged in as")

    def _ison(self, params: tuple[str, ...]) -> None:
        online = [
            user.name
            for word in params
            for nick in word.split()
            if (user := self._link.core.user(nick)) is not None
        ]
        self._numeric("303", " ".join(online))

    def _userhost(self, params: tuple[str, ...]) -> None:
        profiles = self._link.core.profiles
        replies = []
        for nick in params[:5]:
            user = self._link.core.user(nick)
            if user is not None:
                oper = "*" if any(s.is_operator for s in user.sessions) else ""
                away = "-" if profiles.away_message(user) else "+"
                replies.append(f"{user.name}{oper}={away}{self._user_name(user)}@{HOST}")
        self._numeric("302", " ".join(replies))

    def _lusers(self, params: tuple[str, ...]) -> None:
        users = len(self._link.core)
        peak = max(users, self._link.core.peak_users)
        rooms = len(self._link.core.rooms)
        self._numeric("251", f"There are {users} users and 0 invisible on 1 servers")
        self._numeric("254", str(rooms), "channels formed")
        self._numeric("255", f"I have {users} clients and 0 servers")
        self._numeric("265", str(users), str(peak), f"Current local users {users}, max {peak}")
        self._numeric("266", str(users), str(peak), f"Current global users {users}, max {peak}")

    def _motd(self, params: tuple[str, ...]) -> None:
        self._numeric("422", "MOTD File is missing")

    def _version(self, params: tuple[str, ...]) -> None:
        self._numeric("351", f"parley-{__version__}", self._server, "Parley chat server")
        self._isupport()

    def _isupport(self) -> None:
        """Overridden by the door: the ``005`` lines."""

    def _time(self, params: tuple[str, ...]) -> None:
        now = time.strftime("%A %B %d %Y -- %H:%M:%S UTC", time.gmtime())
        self._numeric("391", self._server, now)


def _status(room: Room, user: User) -> str:
    """The user's status letters in `room`, highest first: ``@``, ``+``, both, or none."""
    status = "@" if user.key in room.operators else ""
    if user.key in room.voiced:
        status += "+"
    return status
