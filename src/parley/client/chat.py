"""The conversation as this client sees it: extensions, rooms, the current room, who is typing.

Sans-I/O, like the protocol layer: `ChatState.receive` takes what the server said and returns
the lines to show; `ChatState.perform` takes a typed `Command` and returns a `Step` (the
requests to send and the lines to show). It never touches a socket or the terminal, so each
rule here is tested without either.

Extensions: right after ``200`` the client asks for ``rooms dm who presence history auth``
(plus ``live`` in live mode) and takes whatever ``210 Extensions enabled: ...`` grants. Any
other answer, or none in time (`give_up`), means a plain seed-004 server: every line is
``@me: text`` in one room and the commands that need an extension say that the server lacks
it. The ``seed004`` command style asks for nothing, so the server sees exactly seed 004's
protocol. A client that logs in asks before registering (`first_extensions`: everything but
``dm``, so that messages kept while it was away still say when they were sent); then only
``dm`` is left to ask for after ``200``.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from parley.client.catchup import Transcript, conversation
from parley.client.commands import (
    HELP,
    AccountAction,
    Command,
    CommandStyle,
    ComposeDirect,
    Invalid,
    InviteUser,
    JoinRoom,
    JoinWithKey,
    KickMember,
    LeaveRoom,
    ListRooms,
    ListUsers,
    ManageAccount,
    MoreHistory,
    Nothing,
    Quit,
    Say,
    SearchHistory,
    SendDirect,
    SetLive,
    SetMode,
    SetTopic,
    ShowHelp,
    ShowHistory,
    ShowMentions,
    chat_hint,
    parse_command,
    room_key,
)
from parley.client.completion import Recent
from parley.client.highlights import Highlighter, Mention, Mentions, body_offset
from parley.client.lag import LagMeter
from parley.client.live import Preview, TypingBoard
from parley.client.moderation import (
    ANSWERS as MODERATION_ANSWERS,
    JOIN_REFUSALS,
    REFUSALS as MODERATION_REFUSALS,
    Invited,
    Kicked,
    ModeChanged,
    Moderation,
    Performed,
    parse_event,
    refusal,
)
from parley.client.passwords import Secret
from parley.client.render import (
    Line,
    Older,
    argument,
    describe_reply,
    direct_message,
    history_line,
    lobby_message,
    presence,
    queued_private,
    render_event,
    room_message,
    stamp,
)
from parley.client.requests import (
    AccountCommand,
    ChatMessage,
    DirectMessage,
    Extend,
    HistoryRequest,
    Join,
    Leave,
    Request,
    Rooms,
    SearchRequest,
    Topic,
    Who,
)
from parley.client.session import SessionEvent
from parley.protocol.chat1 import (
    IncomingMessage,
    Notice,
    NumericReply,
    PresenceNotice,
    neutralise_controls,
    parse_server_line,
)
from parley.protocol.names import name_key
from parley.records import record

LOBBY = "lobby"
WANTED = ("rooms", "dm", "who", "presence", "history", "auth")
"""Extensions asked for at the start (``live`` too in live mode)."""
LATER = frozenset({"dm"})
"""Asked for only after registering (see `first_extensions`)."""
PRIVATE_MARK = re.compile(r"\[private(?:, sent ([^\]]+))?\] ")
"""How a server marks a direct message to a client that has not (yet) asked for ``dm``:
``[private] text``, or ``[private, sent 2026-11-21 08:00 UTC] text`` if it waited."""
MESSAGE_REPLIES = frozenset({403, 413, 415, 429})
"""Replies about a message or the connection, never the answer to ``EXTEND``."""
NOT_ROOM_ANSWERS = frozenset({210, 230, 240, 250, 251, 252, 260, 261, 262, 263, 270, 271, 272})
NOT_ROOM_ANSWERS |= frozenset({280})
NOT_ROOM_ANSWERS |= frozenset({406, 407, 408, 410, 414})
NOT_ROOM_ANSWERS |= MODERATION_ANSWERS | (MODERATION_REFUSALS - JOIN_REFUSALS)
"""Replies that never answer ``JOIN`` or ``LEAVE`` (they answer other requests)."""
MAX_PREVIEW = 1000
LATEST = 32503680000.0
"""The year 3000 (Unix time): a history time from beyond it is not one (nor NaN)."""
"""Characters of a line sent as a preview at most (the rest still goes in the message)."""
CATCH_UP = 200
"""Messages asked for per conversation after reconnecting (what was missed is among them)."""

UNSUPPORTED = {
    "rooms": "This server does not support rooms",
    "dm": "This server does not support direct messages",
    "who": "This server does not support listing who is online",
    "live": "This server does not support live typing",
    "history": "This server does not keep history",
    "auth": "This server does not support accounts (names protected by a password)",
}
LIVE_NEEDS_TERMINAL = (
    "Live typing needs the terminal UI; it is not available with --plain or piped input."
)
LIVE_ON = (
    "Live typing is on: people in live mode see your line as you type it "
    "(commands and private messages never are). /live off turns it off."
)


@record
class Step:
    """What to do for one typed command."""

    requests: tuple[Request, ...] = ()
    lines: tuple[Line, ...] = ()
    quit: bool = False
    wait: bool = False
    """The server's extensions are not known yet: wait for them, then perform it again."""
    compose: bool = False
    """Ask the user for a recipient, then a message (seed 003's ``message``)."""
    account: AccountAction | None = None
    """Get the passwords this account command needs, then call `ChatState.account`."""


def wanted_extensions(style: CommandStyle, live: bool) -> tuple[str, ...]:
    """Every extension this client asks for in `style` (``live`` only in live mode)."""
    names = () if style == "seed004" else WANTED
    return (*names, "live") if live else names


def first_extensions(style: CommandStyle, live: bool) -> tuple[str, ...]:
    """What a client that logs in asks for before registering: ``auth`` and the rest of
    `wanted_extensions`, except ``dm``. Without ``dm`` the server hands over the messages
    kept while we were away as ``@bob: [private, sent <time> UTC] text``, with their time;
    ``presence`` makes it tell us the rooms an account is put back in."""
    names = tuple(n for n in wanted_extensions(style, live) if n not in LATER)
    return names if "auth" in names else ("auth", *names)


@dataclass(slots=True)
class HistoryView:
    """One answer to ``HISTORY`` (or the history sent after ``220 Joined``) as it arrives."""

    target: str
    """``#room`` or ``@user``."""
    count: int | None = None
    joined: bool = False
    """Sent because we joined the room (not asked for): shown only if there is some."""
    paging: bool = False
    """Asked for by ``/more``."""
    catch_up: bool = False
    """Asked for after reconnecting: only what was missed is shown."""
    silent: bool = False
    """Taken in without a word (a rejoined room's last lines: its catch-up follows)."""
    missed: int = 0
    oldest: int | None = None
    """The smallest message id shown (what ``/more`` asks for messages before)."""
    shown: int = 0
    abandoned: bool = False
    """Typed lines no longer wait for it (it took too long)."""
    older: str | None = None
    """The full-screen buffer (``#dev``, ``@bob``) it is an older page of, fetched by
    scrolling back past its top (`ChatState.older_history`)."""

    @property
    def subject(self) -> str:
        """``teamchat``, ``the lobby`` or ``bob`` (for a private conversation)."""
        name = self.target[1:]
        if self.target.startswith("@"):
            return name
        return "the lobby" if room_key(name) == LOBBY else name

    @property
    def where(self) -> str:
        """``of teamchat``, ``of the lobby`` or ``with bob``."""
        return f"with {self.subject}" if self.target.startswith("@") else f"of {self.subject}"

    @property
    def among(self) -> str:
        """``in teamchat``, ``in the lobby`` or ``with bob``."""
        return f"with {self.subject}" if self.target.startswith("@") else f"in {self.subject}"


class ChatState:
    """One registered user's view of the chat."""

    def __init__(
        self,
        me: str,
        style: CommandStyle = "slash",
        *,
        live: bool = False,
        live_capable: bool = True,
        first: tuple[tuple[str, ...], frozenset[str]] | None = None,
        clock: Callable[[], float] = time.time,
        highlight_words: Sequence[str] = (),
    ) -> None:
        """`first`: the extensions asked for before registration and what the server
        granted; `clock`: the time of day (for the times of history lines);
        `highlight_words`: words that highlight a line as your name does."""
        self.me = me
        self._clock = clock
        self.style: CommandStyle = style
        self.live_capable = live_capable
        self.extensions: frozenset[str] | None = None
        """What the server granted; None until it answered (or `give_up`)."""
        self._first = first
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
        self._histories: deque[HistoryView] = deque()
        """The history answers still to come, in the order they were asked for."""
        self._last_history: HistoryView | None = None
        self._accounts: deque[AccountAction] = deque()
        """Account commands sent and not yet answered."""
        self._awaiting_account = False
        self.topics: dict[str, str] = {}
        """The topic of each room, by room key, as the server last said."""
        self._moderation = Moderation(me, join_word="/join" if style == "slash" else "join")
        self.highlighter = Highlighter(me, highlight_words)
        self.mentions = Mentions()
        """Recent lines that said your name (``/mentions``)."""
        self.recent = Recent(me)
        """Names and rooms seen, for completion."""
        self.transcript = Transcript()
        """What was shown, to tell what was missed while the connection was down."""
        self.transcript.began(conversation(), clock())
        self._keys: dict[str, str] = {}
        """The key given to join each keyed room (by room key), to rejoin it."""
        self._rejoining: list[str] = []
        """Rooms asked for again after reconnecting, whose answer is still to come."""
        self._announced = False
        """Whether the server's extensions were listed (once, not after reconnecting)."""
        self._quiet = {250: 0, 251: 0}
        """Answers to listings asked for completion's sake, to take in without a word."""
        self.lag = LagMeter()
        """The round trip of the full-screen mode's pings (``290 Pong``)."""
        self.members: dict[str, dict[str, str]] = {}
        """Who is in each room as last seen (``251``, presence, speakers), by room key, then
        by name key; the lobby's are everyone ``250`` listed (the full-screen member list)."""

    # The start and the negotiation -----------------------------------------------------------

    def start(self) -> Step:
        """What to send right after registration: the ``EXTEND`` request, if any."""
        lines: list[Line] = []
        if self._live_wanted and not self.live_capable:
            lines.append(Line.notice(LIVE_NEEDS_TERMINAL))
            self._live_wanted = False
        names = wanted_extensions(self.style, self._live_wanted)
        if self._first is not None:
            # Asked for before registering; the rest (dm) now, or nothing at all.
            asked, granted = self._first
            if not granted:  # a seed-004 server: never send it anything but seed 004
                return Step(lines=tuple(lines + self._fallback("it does not know EXTEND")))
            names = tuple(n for n in names if n not in asked)
            if not names:
                lines += self._granted(granted)
                return Step(lines=tuple(lines))
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
                "everyone; rooms, direct messages, who, history, accounts and live typing "
                "are not available."
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
        return self._granted(frozenset(text.partition(":")[2].split()))

    def _granted(self, names: frozenset[str]) -> list[Line]:
        if self._barrier:
            self._barrier = False
            self.extensions = names
            return []
        first = self.extensions is None or self._awaiting_first
        self._awaiting_first = False
        self._extended = True
        self.extensions = names
        lines: list[Line] = []
        if first and not self._announced:
            self._announced = True  # not again after reconnecting
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
        self._observe(event)
        self._track_members(event)
        if isinstance(event, IncomingMessage):
            lines = self._message(event, now)
        elif isinstance(event, NumericReply):
            lines = self._reply(event)
        elif isinstance(event, PresenceNotice):
            lines = self._presence(event)
        elif isinstance(event, Notice):
            lines = self._notice(event)
        else:
            lines = [render_event(event)]
        return [replace(line, text=neutralise_controls(line.text)) for line in lines]

    def _observe(self, event: SessionEvent) -> None:
        """Remember the names and rooms in `event` (for completion) and when it came."""
        self.transcript.heard(self._clock())
        if isinstance(event, IncomingMessage) and not event.typing:
            self.recent.name_active(event.name)
            if event.room is not None:
                self.recent.room_active(event.room)
        elif isinstance(event, PresenceNotice):
            if event.kind == "joined":
                self.recent.name_active(event.name)
                self.recent.room_active(event.room)
            else:
                self.recent.names_seen([event.name])
        elif isinstance(event, NumericReply) and event.code in (250, 251):
            words = neutralise_controls(event.text).split()
            if event.code == 251 and words:
                self.recent.rooms_seen(words[:1])
                words = words[1:]
            self.recent.names_seen(words)

    def _track_members(self, event: SessionEvent) -> None:
        """Keep `members` up to date with what `event` says about who is where."""
        if isinstance(event, NumericReply) and event.code in (250, 251):
            words = neutralise_controls(event.text).split()
            room = LOBBY if event.code == 250 else (words[0] if words else "")
            names = words if event.code == 250 else words[1:]
            if room:
                self.members[room_key(room)] = {name_key(n): n for n in names}
        elif isinstance(event, NumericReply) and event.code == 220:
            room = neutralise_controls(argument(event.text, "Joined"))
            self._member(room, self.me)
        elif isinstance(event, PresenceNotice):
            name = neutralise_controls(event.name)
            if event.kind == "joined":
                self._member(event.room, name)
                self._member(LOBBY, name)
            elif event.kind == "quit":
                for members in self.members.values():
                    members.pop(name_key(name), None)
            else:
                self.members.get(room_key(event.room), {}).pop(name_key(name), None)
        elif isinstance(event, IncomingMessage) and event.recipient is None:
            self._member(event.room or LOBBY, neutralise_controls(event.name))

    def _member(self, room: str, name: str) -> None:
        self.members.setdefault(room_key(neutralise_controls(room)), {})[name_key(name)] = name

    def _message(self, event: IncomingMessage, now: float) -> list[Line]:
        if event.typing:
            self._typing_update(event, now)
            return []
        where = self._where(event)
        self.transcript.shown(where, event.name, event.text, self._clock())
        return [
            replace(self._marked(line, event, where), where=where)
            for line in self._message_lines(event)
        ]

    def _where(self, event: IncomingMessage) -> str:
        """The conversation `event` belongs to (see `parley.client.catchup.conversation`)."""
        if event.recipient is None:
            return conversation(event.room)
        mine = name_key(event.name) == name_key(self.me)
        return conversation(peer=event.recipient if mine else event.name)

    def _marked(
        self, line: Line, event: IncomingMessage, where: str, *, record: bool = True
    ) -> Line:
        """`line` with your name and highlight words marked (and noted for ``/mentions``)."""
        if name_key(event.name) == name_key(self.me):
            return line
        body = body_offset(line)
        spans = self.highlighter.spans(line.text[body:])
        if not spans:
            return line
        if record:
            kind = "private" if where.startswith("@") else (event.room or LOBBY)
            text = neutralise_controls(line.text[body:])
            self.mentions.add(Mention(self._clock(), kind, neutralise_controls(event.name), text))
        shifted = tuple((start + body, end + body) for start, end in spans)
        return replace(line, mention=record, highlights=shifted)

    def _message_lines(self, event: IncomingMessage) -> list[Line]:
        if event.recipient is not None:
            return [direct_message(event.name, event.text, plain=self.style == "seed003")]
        room = event.room or LOBBY
        self._typing.done(event.name, room)
        if room_key(room) != LOBBY:
            return [room_message(event.name, room, event.text)]
        private = PRIVATE_MARK.match(event.text) if self.extensions is None else None
        if private is not None:
            # A message kept for us while offline comes right after 200, before EXTEND dm.
            text = event.text[private.end() :]
            if private.group(1):
                queued = queued_private(event.text)
                sent = stamp(queued[0], self._clock())[1:-1] if queued else private.group(1)
                text = f"{text} (sent {sent})"
            return [direct_message(event.name, text, plain=self.style == "seed003")]
        return [lobby_message(event.name, event.text)]

    def _presence(self, event: PresenceNotice) -> list[Line]:
        if event.kind == "quit":
            self._typing.gone(event.name)
        elif name_key(event.name) == name_key(self.me):
            if event.kind == "joined" and self._joining is None:
                return self._put_back(event.room)
            return []  # our own join or leave: the 220 or 221 reply says it
        elif event.kind == "left":
            self._typing.done(event.name, event.room)
        where = None if event.kind == "quit" else conversation(event.room)
        return [replace(presence(event.kind, event.room, event.name), where=where)]

    def _notice(self, event: Notice) -> list[Line]:
        """A line of no other kind: a moderation event, or anything else (shown as it is)."""
        moderation = parse_event(event.text)
        if moderation is None:
            return [render_event(event)]
        return _MODERATION_EVENTS[type(moderation)](self, moderation)

    def _kicked(self, event: Kicked) -> list[Line]:
        """Someone was kicked out of a room; if it was us, we are no longer in it."""
        if name_key(event.name) != name_key(self.me):
            self._typing.done(event.name, event.room)
            return [self._moderation.kicked(event)]
        self._forget(event.room)
        return [self._moderation.me_kicked(event, self.current)]

    @property
    def awaiting_reply(self) -> bool:
        """Whether a ``JOIN`` or ``LEAVE`` is unanswered (the current room may be changing),
        or history is still arriving.

        The next typed line should wait for the answer, or a script's ``/join dev`` followed
        by a message would send the message to the room it is leaving, and ``/more`` right
        after ``/history`` would not know where the history shown ends.
        """
        return (
            self._awaiting_reply
            or self._awaiting_account
            or any(not view.abandoned for view in self._histories)
        )

    def stop_waiting(self) -> None:
        """Carry on without the answer (the server is too slow to wait for)."""
        self._awaiting_reply = False
        self._awaiting_account = False
        for view in self._histories:
            view.abandoned = True

    def prime(self) -> Step:
        """``WHO`` and ``ROOMS``, answered quietly: the names and rooms for completion.

        For a person at the terminal UI, once the extensions are settled (and again after
        reconnecting): without them, Tab would know nobody who has not spoken yet.
        """
        if "who" not in (self.extensions or ()) or self.style != "slash":
            return Step()
        self._quiet[250] += 1
        self._quiet[251] += 1
        return Step(requests=(Who(), Rooms()))

    def _quietly(self, code: int) -> bool:
        """Whether `code` answers `prime` (observed for completion, not shown)."""
        if code == 252 and self._quiet[251]:
            self._quiet[251] -= 1
            return True
        if code == 250 and self._quiet[250]:
            self._quiet[250] -= 1
            return True
        return code == 251 and self._quiet[251] > 0

    def _reply(self, reply: NumericReply) -> list[Line]:
        code, text = reply.code, reply.text
        if code == 210:
            return self._enabled(text)
        if code in (250, 251, 252) and self._quietly(code):
            return []
        if code == 290 and self.lag.pong(text):  # the full-screen mode's lag: not shown
            return []
        if code not in NOT_ROOM_ANSWERS:
            self._awaiting_reply = False  # replies come in order: this one answers the request
        if self._awaiting_first:
            return self._first_reply(reply)
        handle = _REPLIES.get(code)
        if handle is not None:
            return handle(self, reply)
        return self._other_reply(reply)

    def _first_reply(self, reply: NumericReply) -> list[Line]:
        """Replies come in order, so the first one after 200 answers EXTEND, unless it is
        about a message (then the server skipped EXTEND: no extensions either)."""
        if reply.code in MESSAGE_REPLIES:
            return [*self._fallback("it did not answer EXTEND"), render_event(reply)]
        return self._fallback(f"it answered EXTEND with '{reply.code} {reply.text}'".strip())

    def _not_in_room(self, text: str) -> list[Line]:
        """``411 Not in room <room>``: we are not (or no longer) in it."""
        room = argument(text, "Not in room")
        self._forget(room)
        self._history_refused(room)
        return self._other_reply(NumericReply(411, text))

    def _already_in(self, text: str) -> list[Line]:
        """``417 Already in <room>``; also (sic) the answer to inviting someone in the room."""
        room = argument(text, "Already in")
        if self._joining is None or room_key(room) != room_key(self._joining):
            invited = self._moderation.already_member(text)
            if invited is not None:
                return invited
        return self._joined(room)

    def _join_refused(self, reply: NumericReply) -> list[Line]:
        """Banned, invite-only or a wrong key: the room asked for was not joined."""
        if self._joining is None and self._rejoining:
            room = self._rejoining.pop(0)
            if room_key(self.current) == room_key(room):
                self.current = self.rooms[-1] if self.rooms else LOBBY
            self._typing.room_closed(room)
        self._joining = None
        return self._other_reply(reply)

    # Reconnecting --------------------------------------------------------------------------

    def reconnected(self, first: tuple[tuple[str, ...], frozenset[str]] | None) -> None:
        """A new connection replaced one that dropped: forget what the old one had settled.

        The rooms, the current room, the mentions and what was shown are kept; `rejoin`
        (once the extensions are settled again) asks for the rooms and the missed messages.
        """
        self.transcript.dropped()
        self._rejoining = [*self._rejoining, *self.rooms]
        self.rooms = []
        self._first = first
        self._live_wanted = self._live_wanted or self.live
        self.live = False
        self.extensions = None
        self._awaiting_first = False
        self._extended = False
        self._joining = None
        self._awaiting_reply = False
        self._barrier = False
        self._typing.clear()
        self._histories.clear()
        self._accounts.clear()
        self._awaiting_account = False
        self._quiet = {250: 0, 251: 0}

    def _rejoined(self, room: str) -> bool:
        """Whether `room` was asked for again after reconnecting (it is no longer pending)."""
        for index, pending in enumerate(self._rejoining):
            if room_key(pending) == room_key(room):
                del self._rejoining[index]
                return True
        return False

    def rejoin(self) -> Step:
        """After `reconnected` and a settled `start`: the missed messages and the rooms.

        Replies arrive in the order of the requests: the ``HISTORY`` of the lobby and of
        each private talk first, then each room's ``JOIN`` and its ``HISTORY``, whose views
        `_joined` queues when the answer to the ``JOIN`` (``220``, or ``417`` for a room an
        account was put back in) arrives.
        """
        extensions = self.extensions or frozenset()
        history = "history" in extensions
        requests: list[Request] = []
        if history:
            for target in ("#lobby", *self.transcript.peers):
                self._histories.append(HistoryView(target, CATCH_UP, catch_up=True))
                requests.append(HistoryRequest(target, CATCH_UP))
        if "rooms" not in extensions:
            self._rejoining = []
            self.current = LOBBY
        for room in self._rejoining:
            requests.append(Join(room, self._keys.get(room_key(room), "")))
            if history:  # more than the few lines a join sends (see `_joined`)
                requests.append(HistoryRequest(f"#{room}", CATCH_UP))
        return Step(requests=tuple(requests))

    def _moderation_answer(self, reply: NumericReply) -> list[Line]:
        """``282 Mode ...``, ``283 Kicked ...``, ``284 Invited ...``."""
        return self._moderation.answer(reply.code, reply.text)

    def _other_reply(self, reply: NumericReply) -> list[Line]:
        code, text = reply.code, reply.text
        account = self._account_answer(code, text)
        if account is not None:
            return account
        line = describe_reply(code, text, joining=self._joining) or refusal(code, text)
        return [line or render_event(reply)]

    def _joined(self, room: str, *, history: bool = False) -> list[Line]:
        room = neutralise_controls(room)  # it becomes part of the prompt
        self._joining = None
        again = self._rejoined(room)
        if not any(room_key(r) == room_key(room) for r in self.rooms):
            self.rooms.append(room)
        has_history = "history" in (self.extensions or ())
        if history and has_history:  # a 220: the room's last lines follow
            self._histories.append(HistoryView(f"#{room}", joined=True, silent=again))
        if again and has_history:  # the HISTORY that `rejoin` sent after the JOIN is next
            self._histories.append(HistoryView(f"#{room}", CATCH_UP, catch_up=True))
        if again:
            return [Line.progress(f"Back in {room}.")]
        self.transcript.began(conversation(room), self._clock())
        self.current = room
        leave = "/leave" if self.style == "slash" else "leave"
        return [
            Line(
                f"You are now in {room}: what you type goes there ({leave} leaves it).",
                where=conversation(room),
            )
        ]

    def _put_back(self, room: str) -> list[Line]:
        """The server put us back in `room` at login (an account's rooms are remembered)."""
        room = neutralise_controls(room)
        if any(room_key(r) == room_key(room) for r in self.rooms) or room_key(room) == LOBBY:
            return []
        if any(room_key(r) == room_key(room) for r in self._rejoining):
            return []  # asked for again: the answer to our JOIN says so
        self.rooms.append(room)
        join = "/join" if self.style == "slash" else "join"
        return [
            Line(f"You are in {room} again (your rooms are remembered): {join} {room} talks there.")
        ]

    # History -------------------------------------------------------------------------------

    def _history_line(self, text: str) -> list[Line]:
        """``260 <id> <unix time> <line>``: one stored message, parsed as a live line is."""
        view = self._histories[0] if self._histories else None
        if view is not None and view.silent:
            return []
        number, _, rest = text.partition(" ")
        when, _, line = rest.partition(" ")
        try:
            message_id, at = int(number), float(when)
        except ValueError:
            return [render_event(NumericReply(260, text))]
        if not 0 <= at < LATEST:
            return [render_event(NumericReply(260, text))]
        event = parse_server_line(line.encode())
        message = isinstance(event, IncomingMessage) and not event.typing
        where = self._where(event) if isinstance(event, IncomingMessage) else ""
        if view is not None and view.catch_up:
            if not isinstance(event, IncomingMessage) or not self.transcript.is_new(
                where, message_id, event.name, event.text, at
            ):
                return []
            view.missed += 1
        elif message:
            self.transcript.shown_id(where, message_id)
        if view is not None:
            view.shown += 1
            view.oldest = message_id if view.oldest is None else min(view.oldest, message_id)
        shown = history_line(event, at, self._clock(), me=self.me, plain=self.style == "seed003")
        if view is not None and view.older is not None:  # the top of a full-screen buffer
            if isinstance(event, IncomingMessage):
                shown = self._marked(shown, event, where, record=False)
            shown = replace(shown, where=view.older, message_id=message_id, older=Older.LINE)
        elif isinstance(event, IncomingMessage):
            catch_up = view is not None and view.catch_up
            if catch_up:
                shown = replace(shown, dim=False)  # missed: as new as a live line
            marked = self._marked(shown, event, where, record=catch_up)
            shown = replace(marked, where=where, message_id=message_id)
        return [shown]

    def _end_of_history(self) -> list[Line]:
        """``261``: the end of an older page for a full-screen buffer, or of any other."""
        if not self._histories or self._histories[0].older is None:
            return self._history_end()
        view = self._histories.popleft()
        key = view.older
        if view.shown:
            return [Line("", where=key, older=Older.END)]
        return [Line(f"No earlier messages {view.among}.", where=key, older=Older.NONE)]

    def _history_end(self) -> list[Line]:
        """``261 End of history``: a separator under what was shown, or a word if nothing was."""
        if not self._histories:
            return []
        view = self._histories.popleft()
        previous = self._last_history
        if view.silent or view.catch_up:  # nothing to say if nothing was missed
            return [Line(f"--- end of what you missed {view.among} ---")] if view.missed else []
        if view.shown:
            self._last_history = view
            more = " (/more for older ones)" if self.style == "slash" else ""
            return [Line(f"--- end of history {view.where}{more} ---", dim=True)]
        if view.joined:
            return []
        if view.paging:
            if previous is not None:
                previous.oldest = None  # nothing before it: /more has nothing more to show
            return [Line(f"No earlier messages {view.among}.")]
        self._last_history = view
        return [Line(f"No messages {view.among} yet.")]

    def _history_refused(self, room: str) -> None:
        """``411`` for a ``HISTORY`` of a room we are not in: no ``261`` will follow."""
        if self._histories and room_key(self._histories[0].target) == room_key(room):
            self._histories.popleft()

    def _show_history(self, command: ShowHistory) -> Step:
        target = command.target or f"#{self.current}"
        view = HistoryView(target, command.count)
        self._histories.append(view)
        return Step(requests=(HistoryRequest(target, command.count),))

    def _search(self, command: SearchHistory) -> Step:
        """``SEARCH``; the first one asks for the ``search`` extension, only then (a server
        without it answers the ``EXTEND`` with what it has, and the search with ``404``)."""
        search = SearchRequest(command.text, command.target)
        if self.extensions is not None and "search" in self.extensions:
            return Step(requests=(search,))
        return Step(requests=(Extend(("search",)), search))

    def _found(self, text: str) -> list[Line]:
        """``262 <id> <unix time> <line>``: one match of a search, shown as history is."""
        number, _, rest = text.partition(" ")
        when, _, line = rest.partition(" ")
        if not (number.isdigit() and _is_time(when)):
            return [render_event(NumericReply(262, text))]
        event = parse_server_line(line.encode())
        at = float(when)
        return [history_line(event, at, self._clock(), me=self.me, plain=self.style == "seed003")]

    def older_history(self, key: str, before: int | None, count: int) -> Step | None:
        """``HISTORY <target> <count> [<before>]`` for the full-screen buffer `key`
        (``#dev``, ``#lobby``, ``@bob``), scrolled back past its top: the messages before
        message `before` (the newest `count` if None), marked to go at its top. None if
        the server keeps no history."""
        if "history" not in (self.extensions or ()):
            return None
        view = HistoryView(key, count, older=key)
        self._histories.append(view)
        return Step(requests=(HistoryRequest(key, count, before),))

    def _more_history(self) -> Step:
        last = self._last_history
        if last is None:
            return Step(
                lines=(
                    Line.notice(
                        "/more shows the messages before those /history (or /join) showed last; "
                        "there are none yet."
                    ),
                )
            )
        if last.oldest is None:
            return Step(lines=(Line(f"No earlier messages {last.among}."),))
        view = HistoryView(last.target, last.count, paging=True)
        self._histories.append(view)
        return Step(requests=(HistoryRequest(last.target, last.count, last.oldest),))

    # Topics --------------------------------------------------------------------------------

    def _topic(self, text: str) -> list[Line]:
        """``280 <room> <topic>``: the answer to ``TOPIC``, a new topic, or a joiner's."""
        room, _, topic = text.partition(" ")
        room, topic = neutralise_controls(room), neutralise_controls(topic.strip())
        if not room:
            return [render_event(NumericReply(280, text))]
        self.topics[room_key(room)] = topic
        if not topic:
            return [Line(f"{room} has no topic.")]
        return [Line(f"Topic of {room}: {topic}")]

    def _set_topic(self, text: str | None) -> Step:
        if self.current == LOBBY:
            return Step(
                lines=(
                    Line.notice("The lobby has no topic; /join a room to see or set its topic."),
                )
            )
        return Step(requests=(Topic(self.current, neutralise_controls(text) if text else None),))

    # Accounts ------------------------------------------------------------------------------

    def account(self, action: AccountAction, passwords: tuple[Secret, ...]) -> Step:
        """The ``ACCOUNT`` request for `action` with the `passwords` it needs, now known."""
        wire = {"create": "CREATE", "change": "PASSWORD", "delete": "DELETE"}[action]
        self._accounts.append(action)
        self._awaiting_account = True  # a script's next line may need the new password
        return Step(requests=(AccountCommand(wire, tuple(p.reveal() for p in passwords)),))

    def _account_answer(self, code: int, text: str) -> list[Line] | None:
        """The words for an answer to an ``ACCOUNT`` command; None if `code` is not one."""
        done = {
            270: f"Account created: the name {self.me} now needs its password to log in.",
            271: "Password changed.",
            272: f"Account deleted: the name {self.me} no longer needs a password.",
        }
        if code in done:
            if self._accounts:
                self._accounts.popleft()
            self._awaiting_account = bool(self._accounts) and self._awaiting_account
            return [Line(done[code])]
        if not self._accounts or code not in (401, 407, 408, 429):
            return None
        if code == 429 and "attempt" not in text:
            return None  # a flood notice, not the answer
        self._accounts.popleft()
        self._awaiting_account = bool(self._accounts) and self._awaiting_account
        unchanged = "nothing was changed."
        if code == 401:
            message = f"The name {self.me} already has an account (/password changes its password)."
        elif code == 407:
            message = f"Wrong password (or the name has no account); {unchanged}"
        elif code == 408:
            rule = text.removeprefix("Unacceptable password").strip(" ()")
            message = f"Unacceptable password{': ' + rule if rule else ''}; {unchanged}"
        else:
            message = f"{text.strip() or 'Too many failed attempts'}; {unchanged}"
        return [Line.notice(message)]

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
        extension, handle = _COMMANDS[type(command)]
        if extension is not None:
            missing = self._needs(extension)
            if missing is not None:
                return missing
        return handle(self, command)

    def _say(self, text: str) -> Step:
        room = None if self.current == LOBBY else self.current
        request = ChatMessage(self.me, neutralise_controls(text), room)
        self.transcript.shown(conversation(room), self.me, request.text, self._clock())
        hint = chat_hint(text, self.style)
        return Step(requests=(request,), lines=(Line.notice(hint),) if hint else ())

    def _direct(self, command: SendDirect | ComposeDirect) -> Step:
        if isinstance(command, ComposeDirect):
            return Step(compose=True)
        text = neutralise_controls(command.text)
        self.transcript.shown(conversation(peer=command.recipient), self.me, text, self._clock())
        return Step(requests=(DirectMessage(self.me, command.recipient, text),))

    def _join(self, room: str, passkey: str = "") -> Step:
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
        if passkey:
            self._keys[key] = neutralise_controls(passkey)
        return Step(requests=(Join(room, neutralise_controls(passkey)),))

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
        refused = self._cannot_go_live()
        return refused if refused is not None else self._go_live()

    def _cannot_go_live(self) -> Step | None:
        """Why live typing cannot be turned on now (or must wait); None if it can."""
        if not self.live_capable:
            return Step(lines=(Line.notice(LIVE_NEEDS_TERMINAL),))
        if self.live:
            return Step(lines=(Line("Live typing is already on."),))
        if self.extensions is None:
            return Step(wait=True)
        return None

    def _go_live(self) -> Step:
        """Turn live typing on, asking the server for ``live`` if it is not on yet."""
        if "live" in (self.extensions or ()):
            self.live = True
            return Step(lines=(Line(LIVE_ON),))
        if self._extended:
            self._live_wanted = True
            return Step(requests=(Extend(("live",)),))
        return Step(lines=(Line.notice(f"{UNSUPPORTED['live']}."),))

    def _set_mode(self, command: SetMode) -> Step:
        return _step(self._moderation.set_mode(command, self.current))

    def _kick(self, command: KickMember) -> Step:
        return _step(self._moderation.kick(command, self.current))

    def _invite(self, command: InviteUser) -> Step:
        return _step(self._moderation.invite(command, self.current))

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


def _step(done: Performed) -> Step:
    """A moderation command's requests, or the lines saying why there are none."""
    return Step(requests=done.requests, lines=done.lines)


_ReplyHandler = Callable[[ChatState, NumericReply], list[Line]]
_REPLIES: dict[int, _ReplyHandler] = {
    220: lambda state, reply: state._joined(argument(reply.text, "Joined"), history=True),
    221: lambda state, reply: state._left(argument(reply.text, "Left")),
    252: lambda state, reply: [],  # the end of the room list
    260: lambda state, reply: state._history_line(reply.text),
    261: lambda state, reply: state._end_of_history(),
    262: lambda state, reply: state._found(reply.text),
    263: lambda state, reply: [Line(f"--- {reply.text.lower()} ---", dim=True)],
    280: lambda state, reply: state._topic(reply.text),
    411: lambda state, reply: state._not_in_room(reply.text),
    417: lambda state, reply: state._already_in(reply.text),
    426: lambda state, reply: state._moderation.already_there(reply.text),
    **dict.fromkeys(MODERATION_ANSWERS, ChatState._moderation_answer),
    **dict.fromkeys(JOIN_REFUSALS, ChatState._join_refused),
}
"""What each numbered reply (but ``210``) does; any other is shown in words or as it is."""

_MODERATION_EVENTS: dict[type, Callable[[ChatState, Any], list[Line]]] = {
    Kicked: ChatState._kicked,
    ModeChanged: lambda state, event: [state._moderation.mode_changed(event)],
    Invited: lambda state, event: [state._moderation.invited(event)],
}
"""How each moderation event is shown (and what it changes)."""

_CommandHandler = Callable[[ChatState, Any], Step]
_COMMANDS: dict[type, tuple[str | None, _CommandHandler]] = {
    Say: (None, lambda state, command: state._say(command.text)),
    SendDirect: ("dm", ChatState._direct),
    ComposeDirect: ("dm", ChatState._direct),
    JoinRoom: (None, lambda state, command: state._join(command.room)),
    JoinWithKey: (None, lambda state, command: state._join(command.room, command.key)),
    LeaveRoom: (None, lambda state, command: state._leave(command.room)),
    ListUsers: ("who", lambda state, command: Step(requests=(Who(),))),
    ListRooms: ("who", lambda state, command: Step(requests=(Rooms(),))),
    ShowHistory: ("history", ChatState._show_history),
    MoreHistory: ("history", lambda state, command: state._more_history()),
    SearchHistory: (None, ChatState._search),
    SetTopic: ("rooms", lambda state, command: state._set_topic(command.text)),
    ManageAccount: ("auth", lambda state, command: Step(account=command.action)),
    SetLive: (None, lambda state, command: state._set_live(command.on)),
    ShowHelp: (None, lambda state, command: Step(lines=tuple(map(Line, state._help())))),
    ShowMentions: (
        None,
        lambda state, command: Step(lines=tuple(state.mentions.lines(state.highlighter))),
    ),
    SetMode: ("rooms", ChatState._set_mode),
    KickMember: ("rooms", ChatState._kick),
    InviteUser: ("rooms", ChatState._invite),
    Quit: (None, lambda state, command: Step(quit=True)),
    Invalid: (None, lambda state, command: Step(lines=(Line.notice(command.message),))),
    Nothing: (None, lambda state, command: Step()),
}
"""Each command: the extension it needs (None: none, or it checks for itself), and what
it does. Like the server's command table, the gate comes before the handler."""


def _is_time(word: str) -> bool:
    """Whether `word` is a Unix time a server could have sent (not beyond `LATEST`, not NaN)."""
    try:
        return 0 <= float(word) < LATEST
    except ValueError:
        return False
