"""The plain line door: a person with telnet or netcat, or a seed 002/003 client.

It asks for a name (and a password, if the name has an account), then offers the same
commands as the terminal client with replies a person can read. A connection that registers
with seed 003's ``server:register <name>`` gets seed 003's semantics throughout (see
`parley.protocol.plain`). Lines that arrive without a line end are taken whole after a pause
(`takes_fragments`): seed 003's client sends its commands that way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from parley.chat import commands as core
from parley.chat.answers import (
    Done,
    Entered,
    HistoryPage,
    Outcome,
    Registered,
    RoomList,
    RoomView,
    UserList,
)
from parley.chat.events import LOBBY, Delivery, DirectMessage, Kicked, RoomMessage, Typing
from parley.chat.store import StoredMessage
from parley.protocol import plain
from parley.protocol.chat1 import decode_line
from parley.protocol.framing import LineTooLong
from parley.server.doors.base import TOO_MANY_REGISTRATIONS, DoorBase, Link
from parley.server.doors.encoding import EncodeOnce
from parley.server.doors.plain_text import (
    REFUSALS,
    Mode,
    format_delivery,
    format_sent_direct,
    format_stored,
)

log = logging.getLogger("parley.server")

GREETING = "Welcome to Parley. Type your name and press Enter."
NAME_PROMPT = "Name: "

_ROLES: dict[str, tuple[core.MemberRole, bool]] = {
    "op": ("operator", True),
    "deop": ("operator", False),
    "voice": ("voice", True),
    "devoice": ("voice", False),
    "ban": ("ban", True),
    "unban": ("ban", False),
    "mute": ("mute", True),
    "unmute": ("mute", False),
}
_FLAGS: dict[str, core.RoomFlag] = {
    "m": "moderated",
    "t": "topic-lock",
    "i": "invite-only",
    "k": "key",
    "s": "secret",
}


def _line(text: str) -> bytes:
    return (text + "\n").encode()


_lobby_lines = EncodeOnce[Delivery](lambda event: _line(format_delivery(event, "default")))


class PlainDoor(DoorBase):
    """The server side of one person on a raw TCP connection."""

    __slots__ = ("_login_name", "_signing_up", "current_room", "mode")
    takes_fragments = True

    def __init__(self, link: Link, mode: Mode = "default") -> None:
        super().__init__(link)
        self.mode: Mode = mode
        self.current_room = LOBBY
        self._login_name: str | None = None  # waiting for this name's password
        self._signing_up = False  # the password will create the account

    def greet(self) -> None:
        """Ask for a name (the connection stayed silent, so a person is probably there)."""
        self._say(GREETING)
        self._say(NAME_PROMPT)

    def goodbye(self) -> bytes:
        return b"Server closing your connection. Goodbye.\n"

    def notify(self, text: str) -> None:
        self._say(f"! {text}")

    def kept(self, message: StoredMessage) -> None:
        """People are not told that each line was stored."""

    def end_of_read(self) -> None:
        """Each line of a person's takes effect as it is read: nothing is held."""

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        return False  # a person's every line counts

    def deliver(self, event: Delivery) -> None:
        if isinstance(event, Typing):
            return  # a person on a raw connection sees finished lines only
        if isinstance(event, RoomMessage) and self.mode == "default":
            cache = _lobby_lines
            self._link.send(cache.data if event is cache.event else cache(event))
            return
        session = self._link.session
        if isinstance(event, DirectMessage) and event.recipient != event.sender:
            if session.is_named(event.sender):  # sent from this user's other connection
                self._say(format_sent_direct(event))
                return
        elif isinstance(event, Kicked) and session.is_named(event.name):
            self._kicked(event.room)
        self._say(format_delivery(event, self.mode))

    def _kicked(self, room: str) -> None:
        if room == self.current_room:  # told before the core takes this user out
            self.current_room = self._last_room(excluding=room)

    def _say(self, text: str) -> None:
        self._link.send(_line(text))

    def _refuse(self, answer: Done | Entered | HistoryPage | Registered) -> None:
        if answer.outcome is Outcome.OK:
            return
        subject = getattr(answer, "subject", "") or getattr(answer, "room", "")
        prefix = "" if answer.outcome in (Outcome.QUEUED, Outcome.QUEUED_UNCLAIMED) else "! "
        text = REFUSALS[answer.outcome].format(subject, detail=getattr(answer, "detail", ""))
        self._say(prefix + text)

    def _last_room(self, excluding: str = "") -> str:
        user = self._link.session.user
        rooms = [r.name for r in user.rooms] if user is not None else []
        rooms = [room for room in rooms if room != excluding]
        return rooms[-1] if rooms else LOBBY

    def handle_line(self, line: bytes | LineTooLong) -> None:
        text = decode_line(line)
        if not isinstance(text, str):
            limit = self._link.config.max_line
            self._say(
                f"! Line too long (limit {limit} bytes)."
                if isinstance(line, LineTooLong)
                else "! That line was not valid UTF-8; please use UTF-8."
            )
            return
        if self._login_name is not None:
            self._password_given(self._login_name, text.strip())
        elif self._link.session.user is None:
            self._name_given(text)
        else:
            in_room = self.current_room != LOBBY
            command = plain.parse_line(text, self.mode, in_room)
            _COMMANDS[type(command)](self, command)

    # Registration ------------------------------------------------------------------------

    def _name_given(self, text: str) -> None:
        stripped = text.strip()
        if stripped.startswith("server:register"):
            self.mode = "seed003"
            stripped = stripped.removeprefix("server:register").strip()
        elif not stripped:
            self._say(NAME_PROMPT)
            return
        if not self._link.may_register():
            self._say(f"! {TOO_MANY_REGISTRATIONS}.")
            return
        name = plain.parse_name_answer(stripped)
        if name is None:
            self._say(f"Invalid username {stripped!r}: one word of up to 32 letters, digits, _ - .")
            self._prompt_again()
            return
        self.call(core.NameStatus(name), lambda answer: self._name_status(name, answer))

    def _name_status(self, name: str, answer: Done) -> None:
        if answer.outcome is Outcome.OK:
            self.call(core.Register(name), self._registered)
        elif answer.outcome is Outcome.NAME_TAKEN or (
            answer.outcome is Outcome.PASSWORD_REQUIRED and self.mode == "seed003"
        ):  # seed 003 has no passwords: the name is simply taken
            self._taken(name)
        elif answer.outcome is Outcome.PASSWORD_REQUIRED:
            self._login_name = name
            self._signing_up = answer.detail == "signup"
            if self._signing_up:
                self._say(f"This server needs an account. Choose a password for {name}:")
            else:
                self._say(f"Password for {name} (a name with an account; another name needs none):")
        else:
            self._say(f"Invalid username {name!r}: that name is reserved.")
            self._prompt_again()

    def _password_given(self, name: str, password: str) -> None:
        self._login_name = None
        command = core.Signup(name, password) if self._signing_up else core.Login(name, password)
        self.call(command, self._registered)

    def _registered(self, answer: Registered) -> None:
        if answer.outcome is Outcome.NAME_TAKEN:
            self._taken(answer.name)
            return
        if not answer.ok:
            self._refuse(answer)
            self._prompt_again()
            return
        log.info("%s registered from %s (plain, %s)", answer.name, self._link.address, self.mode)
        self._link.core.watch_presence(self._link.session)
        others = answer.others_online
        company = {0: "nobody else is", 1: "1 other is"}.get(others, f"{others} others are")
        self._say(
            f"Registration successful. Welcome, {answer.name}! {company.capitalize()} online."
        )
        if self.mode == "default":
            self._say("Type to chat in the lobby; /help lists the commands.")
        self._back_in(answer.rejoined)
        self.registration_done(answer, lambda welcome: self._back_in(welcome.rejoined))

    def _back_in(self, rooms: tuple[RoomView, ...]) -> None:
        for room in rooms:
            self._say(f"You are back in {room.name} ({len(room.members)} here).")
            if room.topic:
                self._say(f"Topic of {room.name}: {room.topic}")
            self.current_room = room.name

    def _taken(self, name: str) -> None:
        self._say(f"Username {name} is already taken, please choose another.")
        self._prompt_again()

    def _prompt_again(self) -> None:
        if self.mode == "default":
            self._say(NAME_PROMPT)

    # Commands ----------------------------------------------------------------------------

    def _say_to(self, command: plain.SayTo) -> None:
        self.call(core.Say((command.text,), self.current_room), self._refuse)

    def _direct(self, command: plain.SendDirect) -> None:
        self.call(core.SendDirect(command.recipient, command.text), self._refuse)

    def _join(self, command: plain.JoinRoom) -> None:
        room, _, key = command.room.partition(" ")
        self.call(core.Join(room, key.strip()), self._entered)

    def _entered(self, answer: Entered) -> None:
        if not answer.ok and not answer.already:
            self._refuse(answer)
            return
        self.current_room = answer.room
        members = len(answer.view.members) if answer.view else 0
        self._say(f"You are now in {answer.room} ({members} here).")
        if answer.already:
            return
        if answer.view is not None and answer.view.topic:
            self._say(f"Topic of {answer.room}: {answer.view.topic}")
        if answer.recent:
            self._say(f"--- the last {len(answer.recent)} messages in {answer.room} ---")
            for message in answer.recent:
                self._say(format_stored(message))
            self._say("--- end of history ---")

    def _leave(self, command: plain.LeaveRoom) -> None:
        room = command.room or self.current_room
        self.call(core.Leave(room), lambda answer: self._left(answer, room))

    def _left(self, answer: Done, room: str) -> None:
        if not answer.ok:
            self._refuse(answer)
            return
        self.current_room = self._last_room()
        self._say(
            f"You left {answer.subject or room.removeprefix('#')}; now in {self.current_room}."
        )

    def _who(self, command: plain.ListUsers) -> None:
        self.call(core.Who(), self._user_list)

    def _user_list(self, answer: UserList) -> None:
        if answer.outcome is not Outcome.OK:
            self._refuse(Done(answer.outcome))
            return
        self._say(f"Online ({len(answer.names)}): {', '.join(answer.names)}")

    def _rooms(self, command: plain.ListRooms) -> None:
        self.call(core.ListRooms(), self._room_list)

    def _room_list(self, answer: RoomList) -> None:
        if answer.outcome is not Outcome.OK:
            self._refuse(Done(answer.outcome))
            return
        for room in answer.rooms:
            self._say(f"{room.name} ({len(room.members)}): {', '.join(room.members)}")
        if answer.more:
            self._say(f"... and {answer.more} more rooms.")

    def _quit(self, command: plain.Quit) -> None:
        self._say("Goodbye.")
        self._link.close("client quit", notify=False)

    def _help(self, command: plain.Help) -> None:
        self._say(plain.HELP_SEED003 if self.mode == "seed003" else plain.HELP_DEFAULT)

    def _topic(self, command: plain.SetTopic) -> None:
        room = self.current_room
        if command.text is None:
            self.call(core.GetTopic(room), self._show_topic)
        elif room == LOBBY:
            self._say("! The lobby has no topic; /join a room first.")
        else:
            self.call(core.SetTopic(room, command.text), self._refuse)

    def _show_topic(self, answer: Any) -> None:
        topic = answer.topic
        self._say(f"Topic of {answer.room}: {topic}" if topic else f"{answer.room} has no topic.")

    def _history(self, command: plain.ShowHistory) -> None:
        target = command.target or self.current_room
        if not target.startswith("@"):
            target = "#" + target.removeprefix("#")
        self.call(core.History(target, command.count), self._history_page)

    def _history_page(self, answer: HistoryPage) -> None:
        if not answer.ok:
            self._say(f"! You are not in room {answer.target}.")
            return
        self._say(f"--- {len(answer.messages)} earlier messages ({answer.target}) ---")
        for message in answer.messages:
            self._say(format_stored(message))
        self._say("--- end of history ---")

    def _search(self, command: plain.SearchHistory) -> None:
        self.call(core.Search(command.text, command.target), self._found)

    def _found(self, answer: HistoryPage) -> None:
        where = "everywhere" if answer.target == "*" else answer.target
        if answer.outcome is Outcome.NOT_MEMBER:
            self._say(f"! You are not in room {answer.target}.")
            return
        if not answer.ok:
            self._say(f"! {answer.outcome.value.capitalize()}.")
            return
        self._say(f"--- {len(answer.messages)} messages found ({where}) ---")
        for message in answer.messages:
            self._say(format_stored(message))
        self._say("--- end of search ---")

    def _account(self, command: plain.ManageAccount) -> None:
        name = self._link.session.name or "?"
        cmd: core.Command[Done]
        if command.action == "create":
            cmd = core.CreateAccount(command.passwords[0])
            done = f"Your name {name} is now protected by your password."
        elif command.action == "change":
            cmd = core.ChangePassword(*command.passwords)
            done = "Password changed."
        else:
            cmd = core.DeleteAccount(command.passwords[0])
            done = f"Account dropped; the name {name} is first-come again."
        self.call(cmd, lambda answer: self._say(done) if answer.ok else self._refuse(answer))

    def _moderate(self, command: plain.Moderate) -> None:
        room = self.current_room
        cmd: core.Command[Done]
        if command.action == "kick":
            cmd = core.Kick(room, command.name, command.reason)
        elif command.action == "invite":
            cmd = core.Invite(room, command.name)
        else:
            role, on = _ROLES[command.action]
            cmd = core.SetRole(room, command.name, role, on)
        self.call(cmd, self._refuse)

    def _mode(self, command: plain.ChangeMode) -> None:
        flag = _FLAGS.get(command.change[1])
        if flag is None:
            self._say(f"! Unknown mode {command.change}.")
            return
        on = command.change[0] == "+"
        self.call(core.SetFlag(self.current_room, flag, on, command.argument), self._refuse)

    def _invalid(self, command: plain.Invalid) -> None:
        self._say(f"! {command.message}")

    def _nothing(self, command: plain.Nothing) -> None:
        """An empty line: nothing to do."""


_COMMANDS: dict[type, Callable[[PlainDoor, Any], None]] = {
    plain.SayTo: PlainDoor._say_to,
    plain.SendDirect: PlainDoor._direct,
    plain.JoinRoom: PlainDoor._join,
    plain.LeaveRoom: PlainDoor._leave,
    plain.ListUsers: PlainDoor._who,
    plain.ListRooms: PlainDoor._rooms,
    plain.Quit: PlainDoor._quit,
    plain.Help: PlainDoor._help,
    plain.SetTopic: PlainDoor._topic,
    plain.ShowHistory: PlainDoor._history,
    plain.SearchHistory: PlainDoor._search,
    plain.ManageAccount: PlainDoor._account,
    plain.Moderate: PlainDoor._moderate,
    plain.ChangeMode: PlainDoor._mode,
    plain.Invalid: PlainDoor._invalid,
    plain.Nothing: PlainDoor._nothing,
}
