"""The plain line door: a person with telnet/netcat, or a seed 002/003 client.

It asks for a name, then offers the same commands as the terminal client with replies a
person can read. A connection that registers with seed 003's ``server:register <name>``
gets seed 003's semantics throughout (see `parley.protocol.plain`).
"""

from __future__ import annotations

import logging

from parley.hub import LOBBY, Delivery, Outcome, Registration, Said, Typing
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
    Mode,
    Nothing,
    PlainCommand,
    Quit,
    SayTo,
    SendDirect,
)
from parley.server.doors import TOO_MANY_REGISTRATIONS, Link

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


class PlainDoor:
    """The server side of one person on a raw TCP connection."""

    __slots__ = ("_link", "current_room", "mode")

    def __init__(self, link: Link, mode: Mode = "default") -> None:
        self._link = link
        self.mode: Mode = mode
        self.current_room = LOBBY

    def greet(self) -> None:
        """Ask for a name (the connection stayed silent, so a person is probably there)."""
        self._say(GREETING)
        self._say(NAME_PROMPT)

    def goodbye(self) -> bytes:
        return b"Server closing your connection. Goodbye.\n"

    def notify(self, text: str) -> None:
        self._say(f"! {text}")

    def deliver(self, event: Delivery) -> None:
        if isinstance(event, Typing):
            return  # a person on a raw connection sees finished lines only
        if isinstance(event, Said) and self.mode == "default":
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
        if self._link.hub.name_of(self._link) is None:
            self._register(text)
        else:
            in_room = self.current_room != LOBBY
            self._run(plain.parse_line(text, self.mode, in_room))

    def _register(self, text: str) -> None:
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
        hub = self._link.hub
        result = hub.register(self._link, name) if name else Registration.INVALID
        if result is Registration.OK:
            assert name is not None
            log.info("%s registered from %s (plain, %s)", name, self._link.address, self.mode)
            self._link.registered()
            others = len(hub) - 1
            self._say(f"Registration successful. Welcome, {name}! {others} others online.")
            if self.mode == "default":
                self._say("Type to chat in the lobby; /help lists the commands.")
            hub.deliver_pending(self._link)
        elif result is Registration.TAKEN:
            self._say(f"Username {stripped} is already taken, please choose another.")
            self._prompt_again()
        else:
            self._say(f"Invalid username {stripped!r}: one word of up to 32 letters, digits, _ - .")
            self._prompt_again()

    def _prompt_again(self) -> None:
        if self.mode == "default":
            self._say(NAME_PROMPT)

    def _run(self, command: PlainCommand) -> None:
        hub = self._link.hub
        if isinstance(command, SayTo):
            outcome = hub.say(self._link, command.text, self.current_room)
            self._refuse(outcome, self.current_room)
        elif isinstance(command, SendDirect):
            outcome = hub.direct(self._link, command.recipient, command.text)
            self._refuse(outcome, command.recipient)
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
        elif isinstance(command, Invalid):
            self._say(f"! {command.message}")
        else:
            assert isinstance(command, Nothing)

    def _join(self, room: str) -> None:
        hub = self._link.hub
        outcome = hub.join(self._link, room)
        if outcome in (Outcome.OK, Outcome.ALREADY_MEMBER):
            self.current_room = hub.room_name(room) or room
            members = dict(hub.rooms()).get(self.current_room, [])
            self._say(f"You are now in {self.current_room} ({len(members)} here).")
        else:
            self._refuse(outcome, room)

    def _leave(self, room: str) -> None:
        hub = self._link.hub
        outcome = hub.leave(self._link, room)
        if outcome is Outcome.OK:
            rooms = hub.rooms_of(self._link)
            self.current_room = rooms[-1] if rooms else LOBBY
            self._say(f"You left {room.removeprefix('#')}; now in {self.current_room}.")
        else:
            self._refuse(outcome, room)

    def _refuse(self, outcome: Outcome, argument: str) -> None:
        if outcome is not Outcome.OK:
            self._say(
                ("! " if outcome is not Outcome.QUEUED else "")
                + _REFUSALS[outcome].format(argument)
            )


def _line(text: str) -> bytes:
    return (text + "\n").encode()
