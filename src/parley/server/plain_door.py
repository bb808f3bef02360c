"""The plain line door: a person with telnet or netcat, or a seed 002/003 client.

It asks for a name (and a password, if the name has an account), then offers the same
commands as the terminal client with replies a person can read. A connection that registers
with seed 003's ``server:register <name>`` gets seed 003's semantics throughout (see
`parley.protocol.plain`). Steps that need the store run as connection jobs.
"""

from __future__ import annotations

import logging
import time

from parley.hub import LOBBY, Delivery, Outcome, Registration, Said, SaidMany, Typing
from parley.protocol import plain
from parley.protocol.chat1 import decode_line
from parley.protocol.framing import LineTooLong
from parley.protocol.plain import (
    Help,
    Invalid,
    JoinRoom,
    LeaveRoom,
    ListRooms,
    ListUsers,
    ManageAccount,
    Mode,
    Nothing,
    PlainCommand,
    Quit,
    SayTo,
    SendDirect,
    SetTopic,
    ShowHistory,
)
from parley.server.doors import TOO_MANY_REGISTRATIONS, Link
from parley.server.services import AccountAnswer, AccountResult
from parley.store import StoredMessage

log = logging.getLogger("parley.server")

GREETING = "Welcome to Parley. Type your name and press Enter."
NAME_PROMPT = "Name: "

_REFUSALS = {
    Outcome.NOT_REGISTERED: "You are not registered.",
    Outcome.INVALID_NAME: "Invalid room name {}: use letters, digits, _ - .",
    Outcome.NO_SUCH_USER: "No such user {}.",
    Outcome.NO_SUCH_ROOM: "You are not in room {}.",
    Outcome.NOT_MEMBER: "You are not in room {}.",
    Outcome.ALREADY_MEMBER: "You are already in {}.",
    Outcome.TOO_MANY_ROOMS: "You are in too many rooms; leave one first.",
    Outcome.QUEUE_FULL: "{} has too many messages waiting; try later.",
    Outcome.LOBBY_IS_HOME: "Everyone stays in the lobby; /leave leaves other rooms.",
    Outcome.QUEUED: "{} is offline; your message will be delivered when they return.",
}

_ACCOUNT_WORDS = {
    AccountResult.BAD_LOGIN: "Wrong name or password.",
    AccountResult.NO_ACCOUNT: "You have no account; /register PASSWORD makes one.",
    AccountResult.TAKEN: "That name is in use.",
    AccountResult.ALREADY: "Your name already has an account.",
    AccountResult.INVALID_NAME: "Invalid name.",
    AccountResult.BAD_PASSWORD: "Unacceptable password: {}.",
    AccountResult.THROTTLED: "Too many failed attempts; wait {} s.",
}


def format_stored(message: StoredMessage) -> str:
    """A history line: ``[HH:MM] alice (in teamchat): text`` in the server's UTC time."""
    stamp = time.strftime("%H:%M", time.gmtime(message.at))
    if message.recipient is not None:
        return f"[{stamp}] {message.sender} -> {message.recipient}: {message.text}"
    if message.room in (None, LOBBY):
        return f"[{stamp}] {message.sender}: {message.text}"
    return f"[{stamp}] {message.sender} (in {message.room}): {message.text}"


class PlainDoor:
    """The server side of one person on a raw TCP connection."""

    __slots__ = ("_link", "_login_name", "_signing_up", "current_room", "mode")

    def __init__(self, link: Link, mode: Mode = "default") -> None:
        self._link = link
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

    def deliver(self, event: Delivery) -> None:
        if isinstance(event, Typing):
            return  # a person on a raw connection sees finished lines only
        if isinstance(event, Said | SaidMany) and self.mode == "default":
            data = event.wire.get("plain")
            if data is None:
                data = event.wire["plain"] = _line(plain.format_delivery(event, self.mode))
            self._link.send(data)
        else:
            self._link.send(_line(plain.format_delivery(event, self.mode)))

    def _say(self, text: str) -> None:
        self._link.send(_line(text))

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
            self._link.run_job(self._password_given(self._login_name, text.strip()))
        elif self._link.hub.name_of(self._link) is None:
            self._name_given(text)
        else:
            in_room = self.current_room != LOBBY
            self._run(plain.parse_line(text, self.mode, in_room))

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
        self._check_name(name)

    def _check_name(self, name: str) -> None:
        services = self._link.services
        has_account = services.has_account(name)
        if not services.name_needs_password(name):
            result = self._link.hub.register(self._link, name)
            if result is Registration.OK:
                if self._registered(name):
                    self._link.run_job(self._welcome(name))
            elif result is Registration.TAKEN:
                self._taken(name)
            else:
                self._say(f"Invalid username {name!r}: that name is reserved.")
                self._prompt_again()
            return
        if self.mode == "seed003":  # seed 003 has no passwords: the name is simply taken
            self._taken(name)
            return
        self._login_name = name
        self._signing_up = not has_account
        if self._signing_up:
            self._say(f"This server needs an account. Choose a password for {name}:")
        else:
            self._say(f"Password for {name} (a name with an account; another name needs none):")

    async def _password_given(self, name: str, password: str) -> None:
        self._login_name = None
        services = self._link.services
        if self._signing_up:
            answer = await services.signup(self._link, name, password)
        else:
            answer = await services.login(self._link, name, password, self._link.host)
        if answer.result is AccountResult.OK:
            name = self._link.hub.name_of(self._link) or name
            if self._registered(name):
                await self._welcome(name)
        else:
            self._refuse(answer)
            self._prompt_again()

    def _registered(self, name: str) -> bool:
        """Greet a new registration; True if rooms or messages wait for this name."""
        hub = self._link.hub
        log.info("%s registered from %s (plain, %s)", name, self._link.address, self.mode)
        self._link.registered()
        hub.watch_presence(self._link)
        others = len(hub) - 1
        company = {0: "nobody else is", 1: "1 other is"}.get(others, f"{others} others are")
        self._say(f"Registration successful. Welcome, {name}! {company.capitalize()} online.")
        if self.mode == "default":
            self._say("Type to chat in the lobby; /help lists the commands.")
        return self._link.services.needs_welcome(name)

    async def _welcome(self, name: str) -> None:
        hub = self._link.hub
        for room in await self._link.services.welcome(self._link, name):
            members = dict(hub.rooms()).get(room, [])
            self._say(f"You are back in {room} ({len(members)} here).")
            topic = hub.topic(room)
            if topic:
                self._say(f"Topic of {room}: {topic}")
            self.current_room = room

    def _taken(self, name: str) -> None:
        self._say(f"Username {name} is already taken, please choose another.")
        self._prompt_again()

    def _prompt_again(self) -> None:
        if self.mode == "default":
            self._say(NAME_PROMPT)

    # Commands ----------------------------------------------------------------------------

    def _run(self, command: PlainCommand) -> None:
        hub = self._link.hub
        if isinstance(command, SayTo):
            outcome = hub.say(self._link, command.text, self.current_room)
            if outcome is Outcome.OK:
                name = hub.name_of(self._link) or "?"
                self._link.keep(name, command.text, room=self.current_room)
            self._refuse_outcome(outcome, self.current_room)
        elif isinstance(command, SendDirect):
            self._direct(command)
        elif isinstance(command, JoinRoom):
            self._join(command.room)
        elif isinstance(command, LeaveRoom):
            self._leave(command.room or self.current_room)
        elif isinstance(command, ListUsers):
            names = hub.who()
            self._say(f"Online ({len(names)}): {', '.join(names)}")
        elif isinstance(command, ListRooms):
            for room, members in hub.rooms():
                self._say(f"{room} ({len(members)}): {', '.join(members)}")
        elif isinstance(command, Quit):
            self._say("Goodbye.")
            self._link.close("client quit", notify=False)
        elif isinstance(command, Help):
            self._say(plain.HELP_SEED003 if self.mode == "seed003" else plain.HELP_DEFAULT)
        elif isinstance(command, SetTopic):
            self._topic(command)
        elif isinstance(command, ShowHistory):
            self._link.run_job(self._history(command))
        elif isinstance(command, ManageAccount):
            self._link.run_job(self._account(command))
        elif isinstance(command, Invalid):
            self._say(f"! {command.message}")
        else:
            assert isinstance(command, Nothing)

    def _direct(self, command: SendDirect) -> None:
        hub = self._link.hub
        sender = hub.name_of(self._link) or "?"
        outcome = hub.direct(self._link, command.recipient, command.text)
        if outcome is Outcome.OK:
            recipient = hub.online_name(command.recipient) or command.recipient
            self._link.keep(sender, command.text, recipient=recipient)
        elif outcome in (Outcome.QUEUED, Outcome.NO_SUCH_USER):
            self._link.run_job(self._keep_for_offline(sender, command, outcome is Outcome.QUEUED))
        else:
            self._refuse_outcome(outcome, command.recipient)

    async def _keep_for_offline(self, sender: str, command: SendDirect, known: bool) -> None:
        outcome = await self._link.services.keep_for_offline(
            self._link, sender, command.recipient, command.text, known
        )
        self._refuse_outcome(outcome, command.recipient)

    def _join(self, room: str) -> None:
        hub = self._link.hub
        outcome = hub.join(self._link, room)
        if outcome not in (Outcome.OK, Outcome.ALREADY_MEMBER):
            self._refuse_outcome(outcome, room)
            return
        self.current_room = hub.room_name(room) or room
        members = dict(hub.rooms()).get(self.current_room, [])
        self._say(f"You are now in {self.current_room} ({len(members)} here).")
        if outcome is Outcome.OK:
            self._link.run_job(self._after_join(self.current_room))

    async def _after_join(self, room: str) -> None:
        services = self._link.services
        topic = await services.topic_for_joiner(room)
        if topic:
            self._say(f"Topic of {room}: {topic}")
        name = self._link.hub.name_of(self._link)
        if name is not None:
            await services.remember_join(name, room, joined=True)
        recent = await services.recent(room)
        if recent:
            self._say(f"--- the last {len(recent)} messages in {room} ---")
            for message in recent:
                self._say(format_stored(message))
            self._say("--- end of history ---")

    def _topic(self, command: SetTopic) -> None:
        hub = self._link.hub
        room = self.current_room
        if command.text is None:
            topic = hub.topic(room)
            self._say(f"Topic of {room}: {topic}" if topic else f"{room} has no topic.")
            return
        outcome = hub.set_topic(self._link, room, command.text)
        if outcome is Outcome.OK:
            self._link.run_job(self._link.services.remember_topic(room, command.text))
        elif outcome is Outcome.LOBBY_IS_HOME:
            self._say("! The lobby has no topic; /join a room first.")
        else:
            self._refuse_outcome(outcome, room)

    def _leave(self, room: str) -> None:
        hub = self._link.hub
        outcome = hub.leave(self._link, room)
        if outcome is not Outcome.OK:
            self._refuse_outcome(outcome, room)
            return
        rooms = hub.rooms_of(self._link)
        self.current_room = rooms[-1] if rooms else LOBBY
        self._say(f"You left {room.removeprefix('#')}; now in {self.current_room}.")
        name = hub.name_of(self._link)
        if name is not None:
            self._link.run_job(self._link.services.remember_join(name, room, joined=False))

    async def _history(self, command: ShowHistory) -> None:
        hub = self._link.hub
        name = hub.name_of(self._link) or "?"
        target = command.target or self.current_room
        if not target.startswith("@"):
            room = hub.room_name(target.removeprefix("#"))
            if room is None or room not in hub.rooms_of(self._link):
                self._say(f"! You are not in room {target.removeprefix('#')}.")
                return
            target = "#" + room
        messages = await self._link.services.history(name, target, command.count, None) or []
        self._say(f"--- {len(messages)} earlier messages ({target}) ---")
        for message in messages:
            self._say(format_stored(message))
        self._say("--- end of history ---")

    async def _account(self, command: ManageAccount) -> None:
        services = self._link.services
        name = self._link.hub.name_of(self._link) or "?"
        host = self._link.host
        if command.action == "create":
            answer = await services.create_account(name, command.passwords[0])
            done = f"Your name {name} is now protected by your password."
        elif command.action == "change":
            old, new = command.passwords
            answer = await services.change_password(name, old, new, host)
            done = "Password changed."
        else:
            answer = await services.delete_account(name, command.passwords[0], host)
            done = f"Account dropped; the name {name} is first-come again."
        if answer.result is AccountResult.OK:
            self._say(done)
        else:
            self._refuse(answer)

    def _refuse(self, answer: AccountAnswer) -> None:
        self._say("! " + _ACCOUNT_WORDS[answer.result].format(answer.detail))

    def _refuse_outcome(self, outcome: Outcome, argument: str) -> None:
        if outcome is Outcome.OK:
            return
        prefix = "" if outcome is Outcome.QUEUED else "! "
        self._say(prefix + _REFUSALS[outcome].format(argument))


def _line(text: str) -> bytes:
    return (text + "\n").encode()
