"""The conversation as this client sees it: extensions, rooms, the current room, who is typing.

Sans-I/O, like the protocol layer: `ChatState.receive` takes what the server said and returns
the lines to show; `ChatState.perform` takes a typed `Command` and returns a `Step` (the
requests to send and the lines to show). It never touches a socket or the terminal, so each
rule here is tested without either.

Extensions: right after ``200`` the client asks for ``rooms dm who presence`` (plus ``live``
in live mode) and takes whatever ``210 Extensions enabled: ...`` grants. Any other answer,
or none in time (`give_up`), means a plain seed-004 server: every line is ``@me: text`` in
one room and the commands that need an extension say that the server lacks it. The
``seed004`` command style asks for nothing, so the server sees exactly seed 004's protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.client.commands import (
    HELP,
    Command,
    CommandStyle,
    ComposeDirect,
    Invalid,
    JoinRoom,
    LeaveRoom,
    ListRooms,
    ListUsers,
    Nothing,
    Quit,
    Say,
    SendDirect,
    SetLive,
    ShowHelp,
    chat_hint,
    parse_command,
    room_key,
)
from parley.client.live import Preview, TypingBoard
from parley.client.render import (
    Line,
    argument,
    describe_reply,
    direct_message,
    lobby_message,
    presence,
    render_event,
    room_message,
)
from parley.client.requests import (
    ChatMessage,
    DirectMessage,
    Extend,
    Join,
    Leave,
    Request,
    Rooms,
    Who,
)
from parley.client.session import SessionEvent
from parley.protocol.chat1 import (
    IncomingMessage,
    NumericReply,
    PresenceNotice,
    neutralise_controls,
)
from parley.protocol.names import name_key

LOBBY = "lobby"
WANTED = ("rooms", "dm", "who", "presence")
"""Extensions asked for at the start (``live`` too in live mode)."""
PRIVATE_MARK = re.compile(r"\[private(?:, sent ([^\]]+))?\] ")
"""How a server marks a direct message to a client that has not (yet) asked for ``dm``:
``[private] text``, or ``[private, sent 2026-11-21 08:00 UTC] text`` if it waited."""
MESSAGE_REPLIES = frozenset({403, 413, 415, 429})
"""Replies about a message or the connection, never the answer to ``EXTEND``."""
MAX_PREVIEW = 1000
"""Characters of a line sent as a preview at most (the rest still goes in the message)."""

UNSUPPORTED = {
    "rooms": "This server does not support rooms",
    "dm": "This server does not support direct messages",
    "who": "This server does not support listing who is online",
    "live": "This server does not support live typing",
}
LIVE_NEEDS_TERMINAL = (
    "Live typing needs the terminal UI; it is not available with --plain or piped input."
)
LIVE_ON = (
    "Live typing is on: people in live mode see your line as you type it "
    "(commands and private messages never are). /live off turns it off."
)


@dataclass(frozen=True, slots=True)
class Step:
    """What to do for one typed command."""

    requests: tuple[Request, ...] = ()
    lines: tuple[Line, ...] = ()
    quit: bool = False
    wait: bool = False
    """The server's extensions are not known yet: wait for them, then perform it again."""
    compose: bool = False
    """Ask the user for a recipient, then a message (seed 003's ``message``)."""


class ChatState:
    """One registered user's view of the chat."""

    def __init__(
        self,
        me: str,
        style: CommandStyle = "slash",
        *,
        live: bool = False,
        live_capable: bool = True,
    ) -> None:
        self.me = me
        self.style: CommandStyle = style
        self.live_capable = live_capable
        self.extensions: frozenset[str] | None = None
        """What the server granted; None until it answered (or `give_up`)."""
        self.rooms: list[str] = []
        """Rooms joined other than the lobby, in the order they were joined."""
        self.current = LOBBY
        self.live = False
        self._live_wanted = live
        self._awaiting_first = False
        self._extended = False
        self._joining: str | None = None
        self._awaiting_reply = False
        self._barrier = False
        self._typing = TypingBoard()

    # The start and the negotiation -----------------------------------------------------------

    def start(self) -> Step:
        """What to send right after registration: the ``EXTEND`` request, if any."""
        lines: list[Line] = []
        if self._live_wanted and not self.live_capable:
            lines.append(Line.notice(LIVE_NEEDS_TERMINAL))
            self._live_wanted = False
        names = () if self.style == "seed004" else WANTED
        if self._live_wanted:
            names = (*names, "live")
        if not names:
            self.extensions = frozenset()
            return Step(lines=tuple(lines))
        self._awaiting_first = True
        return Step(requests=(Extend(names),), lines=tuple(lines))

    @property
    def settled(self) -> bool:
        """Whether the server's extensions are known."""
        return self.extensions is not None

    def give_up(self) -> list[Line]:
        """No answer to ``EXTEND`` in time: carry on as a plain seed-004 client."""
        if not self._awaiting_first:
            return []
        return self._fallback("it did not answer EXTEND")

    def _fallback(self, reason: str) -> list[Line]:
        self._awaiting_first = False
        self._live_wanted = False
        self.extensions = frozenset()
        return [
            Line.progress(
                f"This server speaks plain CHAT/1.0 ({reason}): every line is chat for "
                "everyone; rooms, direct messages, who and live typing are not available."
            )
        ]

    def barrier(self) -> Request | None:
        """A request whose answer shows the server has handled everything sent before it.

        Used before leaving, so that the answers to the last commands (``/who``, a message
        kept for someone away, an unknown name) are shown rather than lost. It is an
        ``EXTEND`` of an extension already on: the server answers ``210`` and nothing
        changes. None if the server has no extensions (then there is nothing to wait for).
        """
        if not self.extensions:
            return None
        self._barrier = True
        return Extend((min(self.extensions),))

    @property
    def awaiting_barrier(self) -> bool:
        """Whether the answer to `barrier` has yet to come."""
        return self._barrier

    def _enabled(self, text: str) -> list[Line]:
        names = frozenset(text.partition(":")[2].split())
        if self._barrier:
            self._barrier = False
            self.extensions = names
            return []
        first = self.extensions is None or self._awaiting_first
        self._awaiting_first = False
        self._extended = True
        self.extensions = names
        lines: list[Line] = []
        if first:
            listed = " ".join(sorted(names)) or "none"
            help_word = {"slash": " Type /help for the commands.", "seed003": " Type help."}
            lines.append(
                Line.progress(f"Server extensions: {listed}.{help_word.get(self.style, '')}")
            )
        if self._live_wanted:
            self._live_wanted = False
            if "live" in names:
                self.live = True
                lines.append(Line(LIVE_ON))
            else:
                lines.append(Line.notice(f"{UNSUPPORTED['live']}."))
        return lines

    # What the server says ------------------------------------------------------------------

    def receive(self, event: SessionEvent, now: float) -> list[Line]:
        """The lines that show `event` (none for a typing preview), updating the state.

        Whatever the server sends, no control character reaches the terminal.
        """
        if isinstance(event, IncomingMessage):
            lines = self._message(event, now)
        elif isinstance(event, NumericReply):
            lines = self._reply(event)
        elif isinstance(event, PresenceNotice):
            lines = self._presence(event)
        else:
            lines = [render_event(event)]
        return [Line(neutralise_controls(line.text), line.channel) for line in lines]

    def _message(self, event: IncomingMessage, now: float) -> list[Line]:
        if event.typing:
            self._typing_update(event, now)
            return []
        if event.recipient is not None:
            return [direct_message(event.name, event.text, plain=self.style == "seed003")]
        room = event.room or LOBBY
        self._typing.done(event.name, room)
        if room_key(room) != LOBBY:
            return [room_message(event.name, room, event.text)]
        private = PRIVATE_MARK.match(event.text) if self.extensions is None else None
        if private is not None:
            # A message kept for us while offline comes right after 200, before EXTEND.
            text = event.text[private.end() :]
            if private.group(1):
                text = f"{text} (sent {private.group(1)})"
            return [direct_message(event.name, text, plain=self.style == "seed003")]
        return [lobby_message(event.name, event.text)]

    def _presence(self, event: PresenceNotice) -> list[Line]:
        if event.kind == "quit":
            self._typing.gone(event.name)
        elif name_key(event.name) == name_key(self.me):
            return []  # our own join or leave: the 220 or 221 reply says it
        elif event.kind == "left":
            self._typing.done(event.name, event.room)
        return [presence(event.kind, event.room, event.name)]

    @property
    def awaiting_reply(self) -> bool:
        """Whether a ``JOIN`` or ``LEAVE`` is unanswered: the current room may be changing.

        The next typed line should wait for the answer, or a script's ``/join dev`` followed
        by a message would send the message to the room it is leaving.
        """
        return self._awaiting_reply

    def stop_waiting(self) -> None:
        """Carry on without the answer (the server is too slow to wait for)."""
        self._awaiting_reply = False

    def _reply(self, reply: NumericReply) -> list[Line]:
        code, text = reply.code, reply.text
        if code == 210:
            return self._enabled(text)
        self._awaiting_reply = False  # replies come in order: this one answers the request
        if self._awaiting_first:
            # Replies come in order, so the first one after 200 answers EXTEND, unless it
            # is about a message (then the server skipped EXTEND: no extensions either).
            if code in MESSAGE_REPLIES:
                return [*self._fallback("it did not answer EXTEND"), render_event(reply)]
            return self._fallback(f"it answered EXTEND with '{code} {text}'".strip())
        if code == 220:
            return self._joined(argument(text, "Joined"))
        if code == 221:
            return self._left(argument(text, "Left"))
        if code == 417:
            return self._joined(argument(text, "Already in"))
        if code == 411:
            self._forget(argument(text, "Not in room"))
        if code == 252:
            return []  # the end of the room list
        return [describe_reply(code, text, joining=self._joining) or render_event(reply)]

    def _joined(self, room: str) -> list[Line]:
        room = neutralise_controls(room)  # it becomes part of the prompt
        self._joining = None
        if not any(room_key(r) == room_key(room) for r in self.rooms):
            self.rooms.append(room)
        self.current = room
        leave = "/leave" if self.style == "slash" else "leave"
        return [Line(f"You are now in {room}: what you type goes there ({leave} leaves it).")]

    def _left(self, room: str) -> list[Line]:
        self._forget(room)
        where = "the lobby" if self.current == LOBBY else self.current
        return [Line(f"You left {room}; now in {where}.")]

    def _forget(self, room: str) -> None:
        key = room_key(room)
        self.rooms = [r for r in self.rooms if room_key(r) != key]
        self._typing.room_closed(room)
        if room_key(self.current) == key:
            self.current = self.rooms[-1] if self.rooms else LOBBY

    # What the user does --------------------------------------------------------------------

    @property
    def in_room(self) -> bool:
        """Whether a room other than the lobby is current."""
        return self.current != LOBBY

    def parse(self, line: str) -> Command:
        """What `line` means here (style and current room)."""
        return parse_command(line, self.style, in_room=self.in_room)

    def perform(self, command: Command) -> Step:
        """The requests and lines for `command`."""
        if isinstance(command, Say):
            return self._say(command.text)
        if isinstance(command, SendDirect | ComposeDirect):
            return self._needs("dm") or self._direct(command)
        if isinstance(command, JoinRoom):
            return self._join(command.room)
        if isinstance(command, LeaveRoom):
            return self._leave(command.room)
        if isinstance(command, ListUsers):
            return self._needs("who") or Step(requests=(Who(),))
        if isinstance(command, ListRooms):
            return self._needs("who") or Step(requests=(Rooms(),))
        if isinstance(command, SetLive):
            return self._set_live(command.on)
        if isinstance(command, ShowHelp):
            return Step(lines=tuple(Line(text) for text in self._help()))
        if isinstance(command, Quit):
            return Step(quit=True)
        if isinstance(command, Invalid):
            return Step(lines=(Line.notice(command.message),))
        assert isinstance(command, Nothing)
        return Step()

    def _say(self, text: str) -> Step:
        room = None if self.current == LOBBY else self.current
        request = ChatMessage(self.me, neutralise_controls(text), room)
        hint = chat_hint(text, self.style)
        return Step(requests=(request,), lines=(Line.notice(hint),) if hint else ())

    def _direct(self, command: SendDirect | ComposeDirect) -> Step:
        if isinstance(command, ComposeDirect):
            return Step(compose=True)
        text = neutralise_controls(command.text)
        return Step(requests=(DirectMessage(self.me, command.recipient, text),))

    def _join(self, room: str) -> Step:
        key = room_key(room)
        if key == LOBBY:
            self.current = LOBBY
            return Step(lines=(Line("You are now in the lobby (you never leave it)."),))
        joined = next((r for r in self.rooms if room_key(r) == key), None)
        if joined is not None:
            self.current = joined
            return Step(lines=(Line(f"You are now in {joined}."),))
        needs = self._needs("rooms")
        if needs is not None:
            return needs
        self._joining = room
        self._awaiting_reply = True
        return Step(requests=(Join(room),))

    def _leave(self, room: str | None) -> Step:
        target = self.current if room is None else room
        if room_key(target) == LOBBY:
            return Step(
                lines=(
                    Line.notice(
                        "You are in the lobby, which everyone stays in; "
                        "/leave ROOM leaves another room."
                    ),
                )
            )
        needs = self._needs("rooms")
        if needs is not None:
            return needs
        self._awaiting_reply = True
        return Step(requests=(Leave(target),))

    def _set_live(self, on: bool | None) -> Step:
        if not (not self.live if on is None else on):
            self.live = False
            self._live_wanted = False
            self._typing.clear()
            return Step(lines=(Line("Live typing is off."),))
        if not self.live_capable:
            return Step(lines=(Line.notice(LIVE_NEEDS_TERMINAL),))
        if self.live:
            return Step(lines=(Line("Live typing is already on."),))
        if self.extensions is None:
            return Step(wait=True)
        if "live" in self.extensions:
            self.live = True
            return Step(lines=(Line(LIVE_ON),))
        if self._extended:
            self._live_wanted = True
            return Step(requests=(Extend(("live",)),))
        return Step(lines=(Line.notice(f"{UNSUPPORTED['live']}."),))

    def _needs(self, extension: str) -> Step | None:
        """None if `extension` is on; else the step that waits for it or says it is missing."""
        if self.extensions is None:
            return Step(wait=True)
        if extension in self.extensions:
            return None
        return Step(lines=(Line.notice(f"{UNSUPPORTED[extension]}."),))

    def _help(self) -> list[str]:
        lines = HELP[self.style].splitlines()
        if self.extensions == frozenset() and self.style != "seed004":
            lines.append("(This server speaks plain CHAT/1.0: only chat works here.)")
        return lines

    # Live typing -----------------------------------------------------------------------------

    def preview(self, buffer: str) -> Preview | None:
        """What others should see while `buffer` is being typed; None when live is off.

        Only a line that would be sent as chat is shown; while the line is a command or a
        private message the preview is empty.
        """
        if not self.live:
            return None
        command = self.parse(buffer)
        text = neutralise_controls(command.text)[:MAX_PREVIEW] if isinstance(command, Say) else ""
        return Preview(text, None if self.current == LOBBY else self.current)

    def _typing_update(self, event: IncomingMessage, now: float) -> None:
        if self.live:
            self._typing.update(event.name, event.room or LOBBY, event.text, now)

    def typing_lines(self, now: float, width: int = 80) -> list[str]:
        """``bob is typing: hel``, one line per person typing (a few at most)."""
        return self._typing.lines(now, self.current, width)

    def typing_expires(self) -> float | None:
        """When the oldest preview shown will be dropped for lack of news; None if none."""
        return self._typing.expires()

    def prompt(self) -> str:
        """``> `` in the lobby, ``[teamchat] > `` in a room."""
        return "> " if self.current == LOBBY else f"[{self.current}] > "
