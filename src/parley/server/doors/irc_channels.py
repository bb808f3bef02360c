"""Channels and messages for the IRC door: JOIN, PART, PRIVMSG, NOTICE, TOPIC, MODE, KICK
and INVITE, each turned into the core's command and its answer into IRC's words.

A base of `parley.server.doors.irc.IrcDoor`. With ``echo-message`` a relayed line is echoed
once the store has it (`echo_kept`), so that the echo carries the same ``msgid`` and time
the other receivers got; a line kept for someone offline is echoed at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from parley.chat import commands as core
from parley.chat.answers import Done, Entered, Outcome, TopicView
from parley.chat.events import LOBBY, DirectMessage, ModeChanged, TagMessage
from parley.chat.moderation import ROLE_OF_LETTER, mode_command
from parley.chat.store import StoredMessage
from parley.protocol import irc
from parley.server.doors.base import Link
from parley.server.doors.irc_encoding import channel, stored_message
from parley.server.doors.irc_history import IrcHistory

MAX_TARGETS = 4  # targets of one PRIVMSG or JOIN (ISUPPORT TARGMAX)


class IrcChannels(IrcHistory):
    """Channel membership, messages and moderation."""

    __slots__ = ("_echoes", "_mode_echo", "_sending")

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        # verbs and client tags of relayed lines waiting to be echoed
        self._echoes: deque[tuple[str, dict[str, str]]] = deque()
        self._sending = ""  # the target of the line being relayed now
        # the client's own mode changes while one MODE line with several is carried out:
        # answered as one MODE line, as servers do (`gather_mode`)
        self._mode_echo: list[ModeChanged] | None = None

    def _entered_channel(self, room: str, nick: str) -> None:
        """Tell the client it is in `room` (the lobby at arrival, remembered rooms)."""
        self._out(self._own_join(room))
        self.call(core.GetTopic(room), self._join_topic)
        self._names((channel(room),))

    def _own_join(self, room: str) -> bytes:
        params: tuple[str, ...] = (channel(room),)
        if "extended-join" in self._caps:
            user = self._link.session.user
            account = user.name if user is not None and user.account else "*"
            params = (channel(room), account, self.real_name_of(self._nick))
        message = irc.Message("JOIN", params, self.prefix_of(self._nick), trailing=len(params) > 1)
        return irc.encode(message)

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
            self._topic_lines(answer.room, answer.view.topic)
        self._names((channel(answer.room),))

    def _join_topic(self, answer: TopicView) -> None:
        if answer.ok and answer.topic:
            self._topic_lines(answer.room, answer.topic)

    def _topic_lines(self, name: str, topic: str) -> None:
        """``332`` and, when known, ``333`` (who set the topic, and when)."""
        self._numeric("332", channel(name), topic)
        room = self._link.core.room(name)
        setting = self._link.core.room_info.topic_setting(room) if room is not None else None
        if setting is not None:
            self._numeric("333", channel(name), setting.by, str(int(setting.at)))

    def _part(self, params: tuple[str, ...]) -> None:
        reason = params[1] if len(params) > 1 else ""
        for target in irc.split_targets(params[0]):
            self.call(core.Leave(target.removeprefix("#"), reason), self._left_answer(target))

    def _left_answer(self, target: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if not answer.ok:
                self._refuse(answer.outcome, target)

        return render

    # Messages -----------------------------------------------------------------------------

    def _privmsg(self, params: tuple[str, ...], *, notice: bool = False) -> None:
        verb = "NOTICE" if notice else "PRIVMSG"
        if len(params) < 2 or not params[1]:
            if not notice:
                code, text = ("412", "No text to send") if params else ("411", "No recipient")
                self._numeric(code, text if params else f"{text} given ({verb})")
            return
        targets = irc.split_targets(params[0])
        if len(targets) > MAX_TARGETS:
            self._numeric("407", params[0], "Too many targets")
            return
        tags = self._client_tags()
        for target in targets:
            command: core.Command[Done]
            online = target.startswith("#") or self._link.core.user(target) is not None
            if notice or (tags and online):
                command = core.Relay(target, params[1], notice, tuple(tags.items()))
            elif target.startswith("#"):
                command = core.Say((params[1],), target[1:])
            else:
                command = core.SendDirect(target, params[1])
            self._sending = target
            try:
                self.call(command, self._sent_answer(verb, target, params[1], tags))
            finally:
                self._sending = ""

    def _tagmsg(self, params: tuple[str, ...]) -> None:
        """``TAGMSG <target>``: client tags alone, for clients with message-tags."""
        tags = self._client_tags()
        if not tags:
            return
        target = params[0]
        self._sending = target
        try:
            self.call(core.SendTags(target, tuple(tags.items())), self._tags_sent(target, tags))
        finally:
            self._sending = ""

    def _tags_sent(self, target: str, tags: dict[str, str]) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if answer.ok and "echo-message" in self._caps:
                echo_tags = self.tags(None, int(answer.detail or 0)) | tags
                source = self.prefix_of(self._nick)
                self._send(irc.Message("TAGMSG", (target,), source, echo_tags))
            elif answer.outcome is Outcome.NOT_MEMBER and target.startswith("#"):
                self._numeric("404", target, "Cannot send to channel (not a member)")
            elif not answer.ok:
                self._refuse(answer.outcome, target)

        return render

    def _listen_for_tags(self) -> None:
        """Tell the core whether this client can show tag-only lines (message-tags)."""
        if self._link.session.user is not None:
            self.call(core.ListenForTags("message-tags" in self._caps), lambda answer: None)

    def _client_tags(self) -> dict[str, str]:
        """The client tags (``+name``) of the line being handled, if the client may send them."""
        if "message-tags" not in self._caps:
            return {}
        return {name: value for name, value in self._tags_in.items() if name.startswith("+")}

    def _sent_answer(
        self, verb: str, target: str, text: str, tags: dict[str, str]
    ) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            kept = answer.outcome in (Outcome.QUEUED, Outcome.QUEUED_UNCLAIMED)
            if answer.ok and "echo-message" in self._caps:
                self._echoes.append((verb, tags))  # echoed once kept, with its msgid
                self._run(self._echo_when_kept())
            elif kept and "echo-message" in self._caps:
                source, echo_tags = self.prefix_of(self._nick), self.tags(None) | tags
                self._out(irc.encode(irc.Message(verb, (target, text), source, echo_tags, True)))
            if verb == "NOTICE":
                return  # a NOTICE is never answered (RFC 2812)
            if kept:
                # A name without an account is only a name: whoever takes it next is given
                # the message, and the sender must know that before saying more (finding 3).
                note = (
                    f"{target} is offline and has no account; "
                    "whoever takes the name next receives your message"
                    if answer.outcome is Outcome.QUEUED_UNCLAIMED
                    else f"{target} is offline; the message was kept for them"
                )
                self._send(irc.Message("NOTICE", (self._nick, note), self._server, trailing=True))
            elif answer.outcome is Outcome.NOT_MEMBER and target.startswith("#"):
                self._numeric("404", target, "Cannot send to channel (not a member)")
            elif not answer.ok:
                self._refuse(answer.outcome, target)
            elif not target.startswith("#"):
                self._away_reply(target)

        return render

    def _away_reply(self, nick: str) -> None:
        """``301``: the one messaged is away."""
        user = self._link.core.user(nick)
        away = self._link.core.profiles.away_message(user) if user is not None else ""
        if user is not None and away and user is not self._link.session.user:
            self._numeric("301", user.name, away)

    async def _echo_when_kept(self) -> None:
        """Hold the client's next line until its line is kept, so the echo comes first."""
        await self._link.core.ports.keeper.drain()
        self._echoes.clear()  # a line the store could not keep is not echoed

    def own_copy(self, event: DirectMessage | TagMessage) -> bool:
        """Whether `event` is this client's own line to itself, being sent now: it is
        received as any line is, and with echo-message also echoed (the echo is the reply)."""
        return (
            "echo-message" in self._caps
            and event.sender == event.recipient
            and self._sending.casefold() == event.recipient.casefold()
        )

    def echo_kept(self, message: StoredMessage) -> None:
        """One of this client's lines is kept: echo it (echo-message) with its id and time."""
        if not self._echoes:
            return
        verb, tags = self._echoes.popleft()
        echo = stored_message(message, self, verb)
        echo.tags.update(tags)
        self._out(irc.encode(echo))
        if not self._echoes:
            self._end_label_when_done()

    def _end_label_when_done(self) -> None:
        if not self._echoes:
            super()._end_label_when_done()

    def _notice(self, params: tuple[str, ...]) -> None:
        self._privmsg(params, notice=True)

    # Topics and moderation ----------------------------------------------------------------

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
            self._topic_lines(answer.room, answer.topic)
        else:
            self._numeric("331", channel(answer.room), "No topic is set")

    def _mode(self, params: tuple[str, ...]) -> None:
        target = params[0]
        if not target.startswith("#"):
            self._user_mode(target, params[1:])
            return
        if len(params) == 1:
            self._channel_modes(target)
            return
        changes = _mode_changes(params[1], list(params[2:]))
        if len(changes) > 1:
            self._mode_echo = []
        try:
            for change, argument in changes:
                self._mode_change(target, change, argument)
        finally:
            gathered, self._mode_echo = self._mode_echo, None
        if gathered:
            self._send(_joined_modes(gathered, self))

    def gather_mode(self, event: ModeChanged) -> bool:
        """Whether `event` is this client's own change within a MODE line being carried
        out, kept to be answered with the others in one line."""
        if self._mode_echo is None or event.by != self._nick:
            return False
        self._mode_echo.append(event)
        return True

    def _mode_change(self, target: str, change: str, argument: str) -> None:
        """One mode letter with its sign (``+o``) and argument ("" for none)."""
        if change == "+b" and not argument:
            self._ban_list(target)
            return
        if change[1:] == "l":
            self._limit_change(target, change[0] == "+", argument)
            return
        if change[1:] == "k" and change[0] == "+" and not _is_key(argument):
            self._numeric("696", target, "k", "*", "Invalid key: 1 to 23 characters, no spaces")
            return
        if change[1:] in "bq" and "!" in argument:
            argument = argument.partition("!")[0]  # a nick!*@* mask bans the nick
        command = mode_command(target[1:], change, argument)
        if command is not None:
            self.call(command, self._mode_answer(target, argument))
        elif change[1:] in ROLE_OF_LETTER and change[:1] in ("+", "-"):
            self._numeric("461", "MODE", "Not enough parameters")
        else:
            self._numeric("472", change[1:] or change, "is unknown mode char to me")

    def _limit_change(self, target: str, on: bool, argument: str) -> None:
        """``+l <count>`` or ``-l``: the core's room limit."""
        if on and not (argument.isdigit() and int(argument) > 0):
            self._numeric("696", target, "l", argument or "*", "Invalid limit: a positive number")
            return
        limit = int(argument) if on else 0
        self.call(core.SetLimit(target[1:], limit), self._mode_answer(target, ""))

    def _mode_answer(self, target: str, nick: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            if answer.outcome is Outcome.TARGET_NOT_MEMBER and self._link.core.user(nick) is None:
                self._numeric("401", nick, "No such nick/channel")
            elif not answer.ok:
                self._refuse(answer.outcome, target)

        return render

    def _ban_list(self, target: str) -> None:
        """``367`` per banned name (as ``nick!*@*``), then ``368``."""
        room = self._link.core.room(target[1:])
        if room is not None:
            seen = self._link.core.seen
            for key in sorted(room.banned):
                shown = seen.get(key, key).casefold()  # masks compare without case
                self._numeric("367", channel(room.name), f"{shown}!*@*")
        self._numeric("368", target, "End of channel ban list")

    def _user_mode(self, target: str, changes: tuple[str, ...]) -> None:
        """A user's own modes: ``+i`` always, ``+o`` once an IRC operator, ``+B`` for a bot
        (the one mode a user may set, and take off)."""
        if target.casefold() != self._nick.casefold():
            user = self._link.core.user(target)
            if user is None:
                self._numeric("401", target, "No such nick/channel")
            else:
                self._numeric("502", "Can't change mode for other users")
            return
        if not changes:
            self._numeric("221", self._user_modes())
            return
        for change, _ in _mode_changes(changes[0], []):
            if change[1:] == "B":
                self.call(core.SetBot(change[0] == "+"), lambda answer: None)
                source = self.prefix_of(self._nick)
                self._send(irc.Message("MODE", (self._nick, change), source))
            elif change[1:] not in "io":
                self._numeric("501", "Unknown MODE flag")

    def _user_modes(self) -> str:
        user = self._link.session.user
        bot = user is not None and self._link.core.profiles.is_bot(user)
        return "+i" + ("o" if self._link.session.is_operator else "") + ("B" if bot else "")

    def _channel_modes(self, target: str) -> None:
        room = self._link.core.room(target[1:])
        if room is None:
            self._numeric("403", target, "No such channel")
            return
        flags = (
            room.no_external,
            room.moderated,
            room.topic_locked,
            room.invite_only,
            bool(room.passkey),
            room.secret,
        )
        letters = "".join(letter for letter, on in zip("nmtiks", flags, strict=True) if on)
        limit = self._link.core.limits.limit(room)
        modes = "+" + letters + ("l" if limit else "")
        self._numeric("324", channel(room.name), modes, *((str(limit),) if limit else ()))
        created = self._link.core.room_info.created_at(room)
        if created is not None:
            self._numeric("329", channel(room.name), str(int(created)))

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
                self._numeric("341", answer.subject or nick, target)
            elif answer.outcome is Outcome.TARGET_ALREADY_MEMBER:
                self._numeric("443", answer.subject or nick, target, "is already on channel")
            elif answer.outcome is Outcome.NO_SUCH_USER:
                self._numeric("401", nick, "No such nick/channel")
            else:
                self._refuse(answer.outcome, target)

        return render


_TAKES_ARGUMENT = {"+": set("bkloqv"), "-": set("boqv")}


def _mode_changes(modes: str, arguments: list[str]) -> list[tuple[str, str]]:
    """``+ov-m ann bob`` as ``[("+o", "ann"), ("+v", "bob"), ("-m", "")]``."""
    changes, sign = [], "+"
    for letter in modes:
        if letter in "+-":
            sign = letter
            continue
        takes = letter in _TAKES_ARGUMENT[sign] or (sign == "-" and letter == "k" and arguments)
        argument = arguments.pop(0) if takes and arguments else ""
        changes.append((sign + letter, argument))
    return changes


def _joined_modes(changes: list[ModeChanged], door: IrcChannels) -> irc.Message:
    """Several changes of one room by this client as one line: ``MODE #dev +it-m``."""
    letters, arguments, sign = "", [], ""
    for event in changes:
        if event.change[0] != sign:
            sign = event.change[0]
            letters += sign
        letters += event.change[1:]
        if event.target:
            arguments.append(event.target)
    params = (channel(changes[0].room), letters, *arguments)
    return irc.Message("MODE", params, door.prefix_of(door.nick), door.tags(None, 0, door.nick))


def _is_key(key: str) -> bool:
    """A channel key IRC can carry: 1 to 23 characters, no space or comma."""
    return 0 < len(key) <= 23 and not any(ch in key for ch in " ,:") and key.isprintable()
