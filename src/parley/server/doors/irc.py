"""The IRC door: irssi, WeeChat, HexChat and bots, in the same rooms as everyone else.

A connection whose first line is ``CAP``, ``NICK``, ``USER`` or ``PASS`` speaks IRC. Rooms
are channels (``#dev``); everyone is in ``#lobby``, joined for the client on arrival, which
behaves as an auditorium (`IrcDoor._concerns`). ``PASS`` (or SASL) logs in to the account of
the nick. Dispatch is a table: command, whether registration is needed, the fewest
parameters, and the handler; the ``PRIVMSG #channel`` lines of one read are relayed
together, as one `Say`, each still answered as if alone. The door speaks RFC 1459/2812 as
modern.ircdocs.horse describes it, plus the IRCv3 capabilities of
`parley.server.doors.irc_caps`; every rule (names, rooms, moderation) is the core's. It must
never decide one: it translates, and renders answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley import __version__
from parley.chat import commands as core
from parley.chat.answers import Done, Registered
from parley.chat.events import (
    LOBBY,
    AwayChanged,
    Delivery,
    DirectMessage,
    ModeChanged,
    Presence,
    RealNameChanged,
    Renamed,
    RoomMessage,
    TagMessage,
)
from parley.chat.names import MAX_NAME_LENGTH
from parley.chat.passwords import matches_configured
from parley.chat.profiles import MAX_AWAY, MAX_REAL_NAME, MAX_USER_NAME
from parley.chat.store import StoredMessage
from parley.protocol import irc
from parley.protocol.framing import LineTooLong
from parley.server.doors.base import Link
from parley.server.doors.encoding import OncePerEvent
from parley.server.doors.irc_channels import MAX_TARGETS
from parley.server.doors.irc_encoding import encode_delivery, encode_said
from parley.server.doors.irc_history import MAX_LIMIT
from parley.server.doors.irc_users import IrcUsers

log = logging.getLogger("parley.server")

# ISUPPORT (005) tokens: the true values of what this door does.
ISUPPORT = (
    f"AWAYLEN={MAX_AWAY}",
    "BOT=B",
    "CASEMAPPING=rfc7613",
    "CHANLIMIT=#:20",
    "CHANMODES=bq,k,l,imnst",
    f"CHANNELLEN={MAX_NAME_LENGTH + 1}",
    "CHANTYPES=#",
    f"CHATHISTORY={MAX_LIMIT}",
    "KICKLEN=300",
    "MODES=1",
    "MSGREFTYPES=msgid,timestamp",
    "NETWORK=Parley",
    f"NICKLEN={MAX_NAME_LENGTH}",
    "PREFIX=(ov)@+",
    f"TARGMAX=JOIN:,KICK:1,NAMES:,PART:,PRIVMSG:{MAX_TARGETS},NOTICE:{MAX_TARGETS},WHOIS:1",
    "TOPICLEN=4000",
    f"USERLEN={MAX_USER_NAME}",
)
_ISUPPORT_PER_LINE = 13


# The bytes of the last room message, one variant per set of capabilities (its tags): the
# rest of a relayed line (prefix, channel, text) is the same for every receiver, so a room of
# IRC users costs one encoding per variant, not per member.
_room_lines = OncePerEvent[RoomMessage, dict[frozenset[str], bytes]](lambda event: {}, {})


class IrcDoor(IrcUsers):
    """The server side of one IRC client."""

    __slots__ = (
        "_batch",
        "_batch_target",
        "_heard",
        "_next_line",
        "_password",
        "_pinged",
        "_real_name",
        "_server_pass",
        "_user",
    )
    takes_fragments = False

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._user = ""
        self._real_name = ""
        self._password = ""
        # The connection password's state when the server has one (--irc-password): what
        # PASS gave, then None once checked (a check of a hash runs as a job).
        self._server_pass: str | None = "" if link.config.irc_password else None
        self._heard = True  # a line arrived since the last keepalive check
        self._pinged = False  # a PING of ours waits for its PONG
        self._batch: list[str] | None = None  # PRIVMSG texts of this read, not yet relayed
        self._batch_target = ""  # the channel they go to, as the client wrote it
        self._next_line: bytes | LineTooLong | None = None  # waits for the batch's echoes

    # Door ---------------------------------------------------------------------------------

    def goodbye(self) -> bytes:
        return irc.encode(irc.Message("ERROR", ("Closing link: the server closed it",)))

    def notify(self, text: str) -> None:
        self._send(irc.Message("NOTICE", (self._nick or "*", text), self._server, trailing=True))

    def kept(self, message: StoredMessage) -> None:
        """A line of this client's is stored: its echo (echo-message) may go now."""
        self.echo_kept(message)

    def end_of_read(self) -> None:
        """Relay the PRIVMSG lines held from one read (`_batchable`) as one `Say`."""
        if self._batch is not None:
            self._relay_batch()

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        return False

    def deliver(self, event: Delivery) -> None:
        if type(event) is RoomMessage:  # the common case: once per capability set, not per nick
            if event.room != LOBBY:
                self._mates.add(event.sender)
            variants = _room_lines.data if event is _room_lines.event else _room_lines(event)
            data = variants.get(self._caps)
            if data is None:
                data = variants[self._caps] = encode_said(event, self)
            gathered = self._gathered
            if gathered is None:
                self._link.send(data)  # what `_out` does, one call fewer per receiver
            else:
                gathered.append(data)
            return
        if not self._concerns(event):
            return
        if type(event) is ModeChanged and self.gather_mode(event):
            return
        messages = encode_delivery(event, self)
        if not messages:
            return
        data = b"".join(irc.encode(message) for message in messages)
        if isinstance(event, DirectMessage | TagMessage) and self.own_copy(event):
            self._link.send(data)  # received, not a reply: a label is for the echo alone
        else:
            self._out(data)

    def _concerns(self, event: Delivery) -> bool:
        """Whether the client hears of `event`; keeps track of the users it has seen.

        Everyone is in the lobby, and arrivals there are silent; so are the quits, nick,
        away and real-name changes of users the client shares no other channel with (as in
        an auditorium channel): a busy lobby would drown an IRC client otherwise.
        """
        if isinstance(event, RoomMessage):
            if event.room != LOBBY:
                self._mates.add(event.sender)
            return True
        if isinstance(event, Presence):
            return self._presence_event(event)
        if isinstance(event, Renamed):
            return self._renamed_event(event)
        if isinstance(event, AwayChanged | RealNameChanged):
            return event.name in self._mates
        return True

    def _presence_event(self, event: Presence) -> bool:
        if event.kind != "quit":
            if event.room != LOBBY:
                self._mates.add(event.name)
            return True
        if event.name not in self._mates:
            return False
        self._mates.discard(event.name)
        return True

    def _renamed_event(self, event: Renamed) -> bool:
        user = self._link.session.user
        if event.old == self._nick and user is not None and user.name == event.new:
            self._nick = event.new  # this client's own nick changed
            return True
        if event.old not in self._mates:
            return False
        self._mates.discard(event.old)
        self._mates.add(event.new)
        return True

    # Input --------------------------------------------------------------------------------

    def handle_line(self, line: bytes | LineTooLong) -> None:
        self._heard = True
        plain = irc.split_plain_message(line) if type(line) is bytes else None
        if plain is not None and self._batchable(*plain):
            if self._batch is not None and plain[1] == self._batch_target:
                self._batch.append(plain[2])
                return
            if self._batch is None or not self._relay_batch():
                self._start_batch(plain[1], plain[2])
                return
            self._next_line = line  # it takes effect once the lines before it are echoed
            return
        if self._batch is not None and self._relay_batch():
            self._next_line = line
            return
        message = irc.Message(plain[0], plain[1:]) if plain is not None else irc.parse_message(line)
        if isinstance(message, irc.Malformed):
            if message.too_long:
                self._numeric("417", "Input line was too long")
            return  # an empty or headless line is ignored, as servers do
        self._begin_label(message.tags.get("label", ""))
        self._tags_in = message.tags
        try:
            self._dispatch(message)
        finally:
            self._end_label_when_done()

    def _batchable(self, command: str, target: str, text: str) -> bool:
        """Whether a plain line can be held for `end_of_read` and relayed with the lines
        beside it to the same channel, as one `Say` (one event for each receiver, not one
        per line): a registered client's ``PRIVMSG #channel :text`` with some text and no
        tags (a label or client tags get the line's own answer, in `_privmsg`)."""
        return (
            command == "PRIVMSG"
            and text != ""
            and target.startswith("#")
            and "," not in target
            and self._link.session.user is not None
        )

    def _start_batch(self, target: str, text: str) -> None:
        if self._gathered is not None:
            self._end_label()  # what `_begin_label` does for a line without a label
        self._batch, self._batch_target = [text], target

    def _relay_batch(self) -> bool:
        """Relay the collected lines as one `Say`; whether their echoes wait for the store
        (then nothing else the client sent may take effect before they are sent)."""
        texts, target = self._batch or [], self._batch_target
        self._batch = None
        jobs = self._jobs
        self.call(core.Say(tuple(texts), target[1:]), lambda a: self._batch_said(a, target, texts))
        return self._jobs > jobs

    def _batch_said(self, answer: Done, target: str, texts: list[str]) -> None:
        """Answer each line as `_privmsg` would have: an echo each, or a refusal each."""
        if answer.ok:
            if "echo-message" in self._caps:
                self._echoes.extend(("PRIVMSG", {}) for _ in texts)  # echoed once kept
                self._run(self._echo_when_kept())
            return
        for text in texts:
            self._sent_answer("PRIVMSG", target, text, {})(answer)

    def _end_label_when_done(self) -> None:
        """Once the store work of the collected lines is done, the line after them runs."""
        super()._end_label_when_done()
        line = self._next_line
        if line is not None and self._jobs == 0:
            self._next_line = None
            if self._link.session.user is not None:  # else the connection is gone
                self.handle_line(line)

    def _dispatch(self, message: irc.Message) -> None:
        row = _COMMANDS.get(message.command)
        registered = self._link.session.user is not None
        if row is None:
            if registered:
                self._numeric("421", message.command, "Unknown command")
            return
        needs_registration, fewest, handler = row
        if needs_registration and not registered:
            self._numeric("451", "You have not registered")
        elif len(message.params) < fewest:
            if message.command == "NICK":
                self._numeric("431", "No nickname given")
            else:
                self._numeric("461", message.command, "Not enough parameters")
        else:
            handler(self, message.params)

    # Registration -------------------------------------------------------------------------

    def _pass(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None:
            self._numeric("462", "You may not reregister")
        elif self._server_pass is not None:  # the server's password, not the account's
            self._server_pass = params[0]
        else:
            self._password = params[0]

    def _nick_command(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None and self._sasl_answer is None:
            self.call(core.Rename(params[0]), self._renamed(params[0]))
            return
        self._nick = params[0]
        self._try_register()

    def _renamed(self, nick: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if not answer.ok:
                self._refuse(answer.outcome, nick)

        return render

    def _user_command(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None and self._sasl_answer is None:
            self._numeric("462", "You may not reregister")
            return
        if not params[0] or not params[3]:
            self._numeric("461", "USER", "Not enough parameters")
            return
        self._user, self._real_name = params[0], params[3][:MAX_REAL_NAME]
        self._try_register()

    def _try_register(self) -> None:
        if not self._nick or not self._user or self._negotiating:
            return
        if self._server_pass is not None:  # before SASL's answer too: no way around it
            given, self._server_pass = self._server_pass, None
            self._run(self._check_server_pass(given))
            return
        if self._sasl_answer is not None:
            answer, self._sasl_answer = self._sasl_answer, None
            self._registered(answer)
            return
        if not self._link.may_register():
            self._numeric("439", "Too many registrations from your address; try again later")
            return
        command: core.Command[Registered]
        if self._password:
            command = core.Login(self._nick, self._password)
        else:
            command = core.Register(self._nick)
        self.call(command, self._registered)

    async def _check_server_pass(self, given: str) -> None:
        """RFC 1459's connection password: the wrong one (or none) is ``464`` and ``ERROR``,
        and the connection closes (Modern IRC); the right one lets registration go on."""
        if await matches_configured(self._link.config.irc_password, given):
            self._try_register()
            return
        log.info("wrong IRC connection password from %s", self._link.address)
        self._numeric("464", "Password incorrect")
        self._send(irc.Message("ERROR", ("Closing link: bad password",)))
        self._link.close("bad connection password", notify=False)

    def _registered(self, answer: Registered) -> None:
        if not answer.ok:
            nick = self._nick
            self._nick = ""  # the client must send another NICK
            self._refuse(answer.outcome, nick)
            return
        self._nick = answer.name
        log.info("%s registered from %s (IRC)", answer.name, self._link.address)
        if not answer.attached:
            real = core.SetRealName(self._real_name, announce=False, user_name=self._user)
            self.call(real, lambda done: None)
        self._link.schedule(self._link.config.irc_ping_interval, self._keepalive)
        self._link.core.watch_presence(self._link.session)
        self._listen_for_tags()
        self._welcome_burst(answer.name)
        self._entered_channel("lobby", answer.name)
        for room in answer.rejoined:
            self._entered_channel(room.name, answer.name)
        self.registration_done(answer, self._welcomed)

    def _welcome_burst(self, nick: str) -> None:
        server = self._server
        self._numeric("001", f"Welcome to Parley, {self.prefix_of(nick)}")
        self._numeric("002", f"Your host is {server}, running version parley-{__version__}")
        self._numeric("003", "This server speaks IRC, CHAT/1.0, the web and plain text")
        self._numeric("004", server, f"parley-{__version__}", "Bio", "bklimnqstv", "bkloqv")
        self._isupport()
        self._lusers(())
        self._motd(())

    def _isupport(self) -> None:
        for start in range(0, len(ISUPPORT), _ISUPPORT_PER_LINE):
            tokens = ISUPPORT[start : start + _ISUPPORT_PER_LINE]
            self._numeric("005", *tokens, "are supported by this server")

    def _keepalive(self) -> None:
        """Every interval: PING a client that said nothing; drop it if it stays silent."""
        if self._heard:
            self._heard, self._pinged = False, False
        elif not self._pinged:
            self._pinged = True
            self._send(irc.Message("PING", (self._server,), trailing=True))
        else:
            self._send(irc.Message("ERROR", ("Closing link: ping timeout",)))
            self._link.close("ping timeout", notify=False)
            return
        self._link.schedule(self._link.config.irc_ping_interval, self._keepalive)

    def _welcomed(self, answer: Registered) -> None:
        """Remembered rooms came back (their JOINs were delivered as presence)."""

    # Keepalive and leaving ----------------------------------------------------------------

    def _ping(self, params: tuple[str, ...]) -> None:
        self._send(irc.Message("PONG", (self._server, params[0]), self._server, trailing=True))

    def _quit(self, params: tuple[str, ...]) -> None:
        reason = params[0] if params else ""
        if self._link.session.user is not None:
            self.call(core.Quit(reason), lambda answer: None)  # the others hear the reason
        shown = f"Quit: {reason}" if reason else "quit"
        self._send(irc.Message("ERROR", (f"Closing link: {shown}",)))
        self._link.close("client quit", notify=False)


_Handler = Callable[[IrcDoor, tuple[str, ...]], None]
# command -> (registration needed, fewest parameters, handler)
_COMMANDS: dict[str, tuple[bool, int, _Handler]] = {
    "CAP": (False, 1, IrcDoor._cap),
    "AUTHENTICATE": (False, 1, IrcDoor._authenticate),
    "PASS": (False, 1, IrcDoor._pass),
    "NICK": (False, 1, IrcDoor._nick_command),
    "USER": (False, 4, IrcDoor._user_command),
    "PING": (False, 1, IrcDoor._ping),
    "PONG": (False, 0, lambda door, params: None),
    "QUIT": (False, 0, IrcDoor._quit),
    "JOIN": (True, 1, IrcDoor._join),
    "PART": (True, 1, IrcDoor._part),
    "PRIVMSG": (True, 0, IrcDoor._privmsg),
    "NOTICE": (True, 0, IrcDoor._notice),
    "TAGMSG": (True, 1, IrcDoor._tagmsg),
    "TOPIC": (True, 1, IrcDoor._topic),
    "NAMES": (True, 0, IrcDoor._names),
    "LIST": (True, 0, IrcDoor._list),
    "WHO": (True, 0, IrcDoor._who),
    "WHOIS": (True, 1, IrcDoor._whois),
    "WHOWAS": (True, 1, IrcDoor._whowas),
    "ISON": (True, 1, IrcDoor._ison),
    "USERHOST": (True, 1, IrcDoor._userhost),
    "MODE": (True, 1, IrcDoor._mode),
    "KICK": (True, 2, IrcDoor._kick),
    "INVITE": (True, 2, IrcDoor._invite),
    "AWAY": (True, 0, IrcDoor._away),
    "SETNAME": (True, 1, IrcDoor._setname),
    "OPER": (True, 2, IrcDoor._oper),
    "KILL": (True, 1, IrcDoor._kill),
    "CHATHISTORY": (True, 1, IrcDoor._chathistory),
    "LUSERS": (True, 0, IrcDoor._lusers),
    "MOTD": (True, 0, IrcDoor._motd),
    "VERSION": (True, 0, IrcDoor._version),
    "TIME": (True, 0, IrcDoor._time),
    "INFO": (True, 0, IrcDoor._info),
    "LINKS": (True, 0, IrcDoor._links),
}
