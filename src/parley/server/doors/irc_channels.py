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
from parley.chat.events import LOBBY
from parley.chat.moderation import ROLE_OF_LETTER, mode_command
from parley.chat.store import StoredMessage
from parley.protocol import irc
from parley.server.doors.base import Link
from parley.server.doors.irc_encoding import channel, stored_message
from parley.server.doors.irc_history import IrcHistory

MAX_TARGETS = 4  # targets of one PRIVMSG or JOIN (ISUPPORT TARGMAX)


class IrcChannels(IrcHistory):
    """Channel membership, messages and moderation."""

    __slots__ = ("_echoes",)

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._echoes: deque[str] = deque()  # verbs of relayed lines waiting to be echoed

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
        for target in targets:
            command: core.Command[Done]
            if target.startswith("#"):
                command = core.Say((params[1],), target[1:])
            else:
                command = core.SendDirect(target, params[1])
            self.call(command, self._sent_answer(verb, target, params[1]))

    def _sent_answer(self, verb: str, target: str, text: str) -> Callable[[Done], None]:
        def render(answer: Done) -> None:
            kept = answer.outcome in (Outcome.QUEUED, Outcome.QUEUED_UNCLAIMED)
            if answer.ok and "echo-message" in self._caps:
                self._echoes.append(verb)  # echoed once kept, with its msgid (`echo_kept`)
            elif kept and "echo-message" in self._caps:
                source, tags = self.prefix_of(self._nick), self.tags(None)
                self._out(irc.encode(irc.Message(verb, (target, text), source, tags, True)))
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
            elif not answer.ok:
                self._refuse(answer.outcome, target)
            elif not target.startswith("#"):
                self._away_reply(target)

        return render

    def _away_reply(self, nick: str) -> None:
        """``301``: the one messaged is away."""
        user = self._link.core.user(nick)
        away = self._link.core.profiles.away_message(user) if user is not None else ""
        if user is not None and away:
            self._numeric("301", user.name, away)

    def echo_kept(self, message: StoredMessage) -> None:
        """One of this client's lines is kept: echo it (echo-message) with its id and time."""
        if not self._echoes:
            return
        verb = self._echoes.popleft()
        self._out(irc.encode(stored_message(message, self, verb)))
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
            self._numeric("332", channel(answer.room), answer.topic)
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

    def _user_mode(self, target: str, changes: tuple[str, ...]) -> None:
        """A user's own modes: ``+i`` always, ``+o`` once an IRC operator; none may be set."""
        if target.casefold() != self._nick.casefold():
            user = self._link.core.user(target)
            code, text = (
                ("502", "Can't change mode for other users")
                if user
                else (
                    "401",
                    "No such nick/channel",
                )
            )
            self._numeric(code, *(() if user else (target,)), text)
            return
        modes = "+i" + ("o" if self._link.session.is_operator else "")
        if not changes:
            self._numeric("221", modes)

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
                self._numeric("341", answer.subject or nick, target)
            elif answer.outcome is Outcome.NO_SUCH_USER:
                self._numeric("401", nick, "No such nick/channel")
            else:
                self._refuse(answer.outcome, target)

        return render
