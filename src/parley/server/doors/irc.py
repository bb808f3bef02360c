"""The IRC door: irssi, WeeChat, HexChat and bots, in the same rooms as everyone else.

A connection whose first line is ``CAP``, ``NICK``, ``USER`` or ``PASS`` speaks IRC. Rooms
are channels (``#dev``); everyone is in ``#lobby``, joined for the client on arrival. ``PASS``
logs in to the account of the nick. Dispatch is a table: command, whether registration is
needed, the fewest parameters, and the handler. This first part of the door speaks RFC
1459/2812 as modern.ircdocs.horse describes it; IRCv3 capabilities are listed as none yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley import __version__
from parley.chat import commands as core
from parley.chat.answers import Done, Entered, Outcome, Registered, TopicView
from parley.chat.events import LOBBY, Delivery, DirectMessage
from parley.chat.moderation import ROLE_OF_LETTER, mode_command
from parley.chat.store import StoredMessage
from parley.protocol import irc
from parley.protocol.framing import LineTooLong
from parley.server.doors.base import Link
from parley.server.doors.irc_caps import IrcCapabilities
from parley.server.doors.irc_encoding import channel, encode_delivery, prefix
from parley.server.doors.irc_queries import SERVER

log = logging.getLogger("parley.server")

ISUPPORT = (
    "CASEMAPPING=rfc7613",
    "CHANTYPES=#",
    "PREFIX=(o)@",
    "CHANMODES=b,k,,imstq",
    "NICKLEN=32",
    "CHANNELLEN=33",
    "TOPICLEN=4000",
    "MODES=1",
    "NETWORK=Parley",
)


class IrcDoor(IrcCapabilities):
    """The server side of one IRC client."""

    __slots__ = ("_away_message", "_heard", "_password", "_pinged", "_user")
    takes_fragments = False

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._user = ""
        self._password = ""
        self._away_message = ""
        self._heard = True  # a line arrived since the last keepalive check
        self._pinged = False  # a PING of ours waits for its PONG

    # Door ---------------------------------------------------------------------------------

    def goodbye(self) -> bytes:
        return irc.encode(irc.Message("ERROR", ("Closing link: the server closed it",)))

    def notify(self, text: str) -> None:
        self._send(irc.Message("NOTICE", (self._nick or "*", text), SERVER, trailing=True))

    def kept(self, message: StoredMessage) -> None:
        """IRC has no acknowledgement of a stored message (labeled-response later)."""

    def end_of_read(self) -> None:
        """Each IRC line takes effect as it is read."""

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        return False

    def deliver(self, event: Delivery) -> None:
        data = encode_delivery(event, self._nick)
        if data:
            at = event.queued_at if isinstance(event, DirectMessage) else None
            self._link.send(self.tagged(data, at) if self._caps else data)

    # Input --------------------------------------------------------------------------------

    def handle_line(self, line: bytes | LineTooLong) -> None:
        self._heard = True
        message = irc.parse_message(line)
        if isinstance(message, irc.Malformed):
            if message.too_long:
                self._numeric("417", "Input line was too long")
            return  # an empty or headless line is ignored, as servers do
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
            self._numeric("461", message.command, "Not enough parameters")
        else:
            handler(self, message.params)

    # Registration -------------------------------------------------------------------------

    def _pass(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None:
            self._numeric("462", "You may not reregister")
        else:
            self._password = params[0]

    def _nick_command(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None and self._sasl_answer is None:
            self._numeric("447", "Changing nicknames is not supported yet")
            return
        self._nick = params[0]
        self._try_register()

    def _user_command(self, params: tuple[str, ...]) -> None:
        if self._link.session.user is not None and self._sasl_answer is None:
            self._numeric("462", "You may not reregister")
            return
        if not params[0] or not params[3]:
            self._numeric("461", "USER", "Not enough parameters")
            return
        self._user = params[0]
        self._try_register()

    def _try_register(self) -> None:
        if not self._nick or not self._user or self._negotiating:
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

    def _registered(self, answer: Registered) -> None:
        if not answer.ok:
            nick = self._nick
            self._nick = ""  # the client must send another NICK
            self._refuse(answer.outcome, nick)
            return
        self._nick = answer.name
        log.info("%s registered from %s (IRC)", answer.name, self._link.address)
        self._link.schedule(self._link.config.irc_ping_interval, self._keepalive)
        self._link.core.watch_presence(self._link.session)
        self._numeric("001", f"Welcome to Parley, {prefix(answer.name)}")
        self._numeric("002", f"Your host is {SERVER}, running Parley {__version__}")
        self._numeric("003", "This server speaks IRC, CHAT/1.0 and plain text on one port")
        self._numeric("004", SERVER, __version__, "i", "bkimqst", "bkoqv")
        self._numeric("005", *ISUPPORT, "are supported by this server")
        self._lusers(())
        self._numeric("422", "MOTD File is missing")
        self._entered_channel(LOBBY, answer.name)
        for room in answer.rejoined:
            self._entered_channel(room.name, answer.name)
        self.registration_done(answer, self._welcomed)

    def _keepalive(self) -> None:
        """Every interval: PING a client that said nothing; drop it if it stays silent."""
        if self._heard:
            self._heard, self._pinged = False, False
        elif not self._pinged:
            self._pinged = True
            self._send(irc.Message("PING", (SERVER,), trailing=True))
        else:
            self._send(irc.Message("ERROR", ("Closing link: ping timeout",)))
            self._link.close("ping timeout", notify=False)
            return
        self._link.schedule(self._link.config.irc_ping_interval, self._keepalive)

    def _welcomed(self, answer: Registered) -> None:
        """Remembered rooms came back (their JOINs were delivered as presence)."""

    def _entered_channel(self, room: str, nick: str) -> None:
        self._send(irc.Message("JOIN", (channel(room),), prefix(nick)))
        self.call(core.GetTopic(room), self._join_topic)
        self._names((channel(room),))

    # Channels and messages ----------------------------------------------------------------

    def _join(self, params: tuple[str, ...]) -> None:
        if params[0] == "0":
            for room in [r.name for r in self._link.session.user.rooms]:  # type: ignore[union-attr]
                if room != LOBBY:
                    self.call(core.Leave(room), lambda answer: None)
            return
        keys = irc.split_targets(params[1]) if len(params) > 1 else []
        for index, target in enumerate(irc.split_targets(params[0])):
            key = keys[index] if index < len(keys) else ""
            if not target.startswith("#"):
                self._numeric("403", target, "No such channel")
            elif target.lower() == "#lobby":
                continue  # joined on arrival, always
            else:
                self.call(core.Join(target[1:], key), self._joined)

    def _joined(self, answer: Entered) -> None:
        if answer.outcome is Outcome.ALREADY_MEMBER:
            return
        if not answer.ok:
            self._refuse(answer.outcome, channel(answer.room))
            return
        if answer.view is not None and answer.view.topic:
            self._numeric("332", channel(answer.room), answer.view.topic)
        self._names((channel(answer.room),))

    def _join_topic(self, answer: TopicView) -> None:
        if answer.ok and answer.topic:
            self._numeric("332", channel(answer.room), answer.topic)

    def _part(self, params: tuple[str, ...]) -> None:
        for target in irc.split_targets(params[0]):
            self.call(core.Leave(target.removeprefix("#")), self._left_answer(target))

    def _left_answer(self, target: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if not answer.ok:
                self._refuse(answer.outcome, target)

        return render

    def _privmsg(self, params: tuple[str, ...], *, notice: bool = False) -> None:
        if len(params) < 2 or not params[1]:
            if not notice:
                self._numeric("412", "No text to send")
            return
        verb = "NOTICE" if notice else "PRIVMSG"
        for target in irc.split_targets(params[0]):
            command: core.Command[Done]
            if target.startswith("#"):
                command = core.Say((params[1],), target[1:])
            else:
                command = core.SendDirect(target, params[1])
            self.call(command, self._sent_answer(verb, target, params[1]))

    def _sent_answer(self, verb: str, target: str, text: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            kept = answer.outcome in (Outcome.QUEUED, Outcome.QUEUED_UNCLAIMED)
            if (answer.ok or kept) and "echo-message" in self._caps:
                echo = irc.Message(verb, (target, text), prefix(self._nick), trailing=True)
                self._link.send(self.tagged(irc.encode(echo)))
            if verb == "NOTICE":
                return  # a NOTICE is never answered (RFC 2812)
            if kept:
                note = f"{target} is offline; the message was kept for them"
                self._send(irc.Message("NOTICE", (self._nick, note), SERVER, trailing=True))
            elif not answer.ok:
                self._refuse(answer.outcome, target)

        return render

    def _notice(self, params: tuple[str, ...]) -> None:
        self._privmsg(params, notice=True)

    def _topic(self, params: tuple[str, ...]) -> None:
        target = params[0]
        if len(params) == 1:
            self.call(core.GetTopic(target.removeprefix("#")), self._topic_answer)
        else:
            self.call(core.SetTopic(target.removeprefix("#"), params[1]), self._left_answer(target))

    def _topic_answer(self, answer: TopicView) -> None:
        if not answer.ok:
            self._refuse(answer.outcome, channel(answer.room))
        elif answer.topic:
            self._numeric("332", channel(answer.room), answer.topic)
        else:
            self._numeric("331", channel(answer.room), "No topic is set")

    def _mode(self, params: tuple[str, ...]) -> None:
        target = params[0]
        if not target.startswith("#"):
            self._numeric("221", "+i")
            return
        if len(params) == 1:
            self._channel_modes(target)
            return
        change, argument = params[1], params[2] if len(params) > 2 else ""
        command = mode_command(target[1:], change, argument)
        if command is not None:
            self.call(command, self._left_answer(target))
        elif change in {"+b", "b"}:
            self._numeric("368", target, "End of channel ban list")  # the list is not kept
        elif change[1:] in ROLE_OF_LETTER and change[:1] in ("+", "-"):
            self._numeric("461", "MODE", "Not enough parameters")
        else:
            self._numeric("472", change, "is unknown mode char to me")

    def _channel_modes(self, target: str) -> None:
        room = self._link.core.room(target[1:])
        if room is None:
            self._numeric("403", target, "No such channel")
            return
        flags = (room.moderated, room.topic_locked, room.invite_only, bool(room.passkey))
        letters = "".join(letter for letter, on in zip("mtik", flags, strict=True) if on)
        self._numeric("324", target, "+n" + letters + ("s" if room.secret else ""))

    def _kick(self, params: tuple[str, ...]) -> None:
        reason = params[2] if len(params) > 2 else ""
        self.call(
            core.Kick(params[0].removeprefix("#"), params[1], reason), self._left_answer(params[0])
        )

    def _invite(self, params: tuple[str, ...]) -> None:
        nick, target = params[0], params[1]
        self.call(core.Invite(target.removeprefix("#"), nick), self._invite_answer(nick, target))

    def _invite_answer(self, nick: str, target: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if answer.ok:
                self._numeric("341", nick, target)
            else:
                self._refuse(answer.outcome, target)

        return render

    def _away(self, params: tuple[str, ...]) -> None:
        self._away_message = params[0] if params else ""
        if self._away_message:
            self._numeric("306", "You have been marked as being away")
        else:
            self._numeric("305", "You are no longer marked as being away")

    def _ping(self, params: tuple[str, ...]) -> None:
        self._send(irc.Message("PONG", (SERVER, params[0]), SERVER, trailing=True))

    def _quit(self, params: tuple[str, ...]) -> None:
        self._send(irc.Message("ERROR", ("Closing link: quit",)))
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
    "PRIVMSG": (True, 1, IrcDoor._privmsg),
    "NOTICE": (True, 1, IrcDoor._notice),
    "TOPIC": (True, 1, IrcDoor._topic),
    "NAMES": (True, 0, IrcDoor._names),
    "LIST": (True, 0, IrcDoor._list),
    "WHO": (True, 0, IrcDoor._who),
    "WHOIS": (True, 1, IrcDoor._whois),
    "ISON": (True, 1, IrcDoor._ison),
    "USERHOST": (True, 1, IrcDoor._userhost),
    "MODE": (True, 1, IrcDoor._mode),
    "KICK": (True, 2, IrcDoor._kick),
    "INVITE": (True, 2, IrcDoor._invite),
    "AWAY": (True, 0, IrcDoor._away),
    "LUSERS": (True, 0, IrcDoor._lusers),
    "MOTD": (True, 0, IrcDoor._motd),
    "VERSION": (True, 0, IrcDoor._version),
    "TIME": (True, 0, IrcDoor._time),
}
