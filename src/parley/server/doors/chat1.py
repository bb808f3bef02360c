"""The CHAT/1.0 door: seed 004's protocol exactly, plus the extensions a client asks for.

A client that never sends ``EXTEND`` sees exactly seed 004's lines: lobby messages, its own
replies, and ``DISCONNECT CHAT/1.0``; direct messages reach it as ``@sender: [private] text``.
Chat lines of one read are relayed as one `Say`. Dispatch is a table: event type, the
extension it needs, whether registration is needed, and its handler.
"""

from __future__ import annotations

import logging
import time
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
    UserList,
)
from parley.chat.events import (
    LOBBY,
    Delivery as Event,
    DirectMessage,
    RoomMessage,
)
from parley.chat.moderation import ROLE_OF_LETTER, mode_command
from parley.chat.store import StoredMessage
from parley.protocol import chat1
from parley.protocol.chat1 import Reply
from parley.protocol.framing import LineTooLong
from parley.server.doors.base import TOO_MANY_REGISTRATIONS, DoorBase, Link
from parley.server.doors.chat1_encoding import (
    ENCODERS,
    REPLY_FOR,
    encode_extended,
    encode_stored,
)
from parley.server.doors.encoding import EncodeOnce

log = logging.getLogger("parley.server")


_lobby_lines = EncodeOnce[Event](encode_extended)  # what seed-004 clients get: the same bytes
_extended_lines = EncodeOnce[Event](encode_extended)


class Chat1Door(DoorBase):
    """The server side of one CHAT/1.0 client."""

    __slots__ = ("_batch", "_batch_room", "_own_name", "_own_prefix", "extensions")
    takes_fragments = False

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self.extensions: frozenset[str] = frozenset()
        self._batch: list[str] | None = None  # chat lines of this read, not yet relayed
        self._batch_room = LOBBY
        self._own_name: str | None = None  # the name `_own_prefix` was made for
        self._own_prefix = b""  # b"@name:" of this client's registered name

    def goodbye(self) -> bytes:
        return chat1.SERVER_DISCONNECT

    def notify(self, text: str) -> None:
        self._reply(Reply.TOO_FAST, text)

    def kept(self, message: StoredMessage) -> None:
        if "ack" in self.extensions:
            self._reply(Reply.STORED, str(message.id))

    def is_preview(self, line: bytes | LineTooLong) -> bool:
        return self._link.session.user is not None and chat1.is_typing_line(line)

    # Outbound ------------------------------------------------------------------------------

    def deliver(self, event: Event) -> None:
        if isinstance(event, RoomMessage) and event.room == LOBBY:
            cache = _lobby_lines
            self._link.send(cache.data if event is cache.event else cache(event))
        elif isinstance(event, DirectMessage):
            self._direct(event)
        elif ENCODERS[type(event)][0] in self.extensions:
            self._link.send(_extended_lines(event))

    def _direct(self, event: DirectMessage) -> None:
        if "dm" in self.extensions:
            self._link.send(encode_extended(event))
        elif self._link.session.is_named(event.sender) and event.recipient != event.sender:
            return  # sent from this user's other connection: a seed-004 client cannot show it
        elif event.queued_at is not None:
            sent = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(event.queued_at))
            text = f"[private, sent {sent}] {event.text}"
            self._link.send(chat1.encode_message(event.sender, text))
        else:
            self._link.send(chat1.encode_message(event.sender, f"[private] {event.text}"))

    def _confirm(self, reply: Reply, argument: str | None = None) -> Callable[[Done], None]:
        """A renderer: `reply` (naming `argument`, or the answer's subject) or the refusal."""

        def render(answer: Done) -> None:
            if answer.ok:
                self._reply(reply, answer.subject if argument is None else argument)
            else:
                self._done(answer)

        return render

    def _reply(self, reply: Reply, argument: str = "") -> None:
        self._link.send(chat1.encode_reply(reply, argument))

    def _done(self, answer: Done | Entered | HistoryPage) -> None:
        """Refuse with the reply for the outcome, naming its subject where the text has a slot."""
        subject = answer.subject if isinstance(answer, Done) else getattr(answer, "room", "")
        if isinstance(answer, HistoryPage):
            subject = answer.target
        detail = answer.detail if isinstance(answer, Done) else ""
        worded = _WORDED.get(answer.outcome)
        if worded is not None:
            reply, text = worded
            self._link.send(chat1.encode_reply(reply, text.format(subject=subject, detail=detail)))
        elif answer.outcome is Outcome.QUEUED_UNCLAIMED:
            self._link.send(chat1.encode_queued_unclaimed(subject))
        elif answer.outcome is Outcome.BAD_PASSWORD:
            self._reply(Reply.BAD_PASSWORD, detail)
        elif answer.outcome is not Outcome.OK:
            reply = REPLY_FOR[answer.outcome]
            self._reply(reply, subject if "{}" in chat1.REPLY_TEXT[reply] else "")

    # Inbound -------------------------------------------------------------------------------

    def handle_line(self, line: bytes | LineTooLong) -> None:
        if type(line) is bytes and self._said_in_lobby(line):
            return
        event = chat1.parse_client_line(line)
        if isinstance(event, chat1.ChatMessage) and self._collect(event):
            return
        self.end_of_read()  # anything else takes effect after the lines before it
        extension, registered_only, handler = _TABLE[type(event)]
        registered = self._link.session.user is not None
        if registered_only and not registered:
            self._reply(Reply.INVALID_REGISTRATION)
        elif isinstance(event, _SIGNED) and not self._link.session.is_named(event.name):
            self._reply(Reply.SENDER_MISMATCH)
        elif extension and extension not in self.extensions:
            self._reply(Reply.UNKNOWN_COMMAND, f"send 'EXTEND {extension} CHAT/1.0' first")
        else:
            handler(self, event)

    def end_of_read(self) -> None:
        """Relay the chat lines collected from one read, as one `Say`."""
        texts = self._batch
        if not texts:
            return
        self._batch = None
        count = len(texts)
        self.call(core.Say(tuple(texts), self._batch_room), lambda a: self._said(a, count))

    def _said(self, answer: Done, count: int) -> None:
        if not answer.ok:
            for _ in range(count):
                self._done(answer)

    def _said_in_lobby(self, line: bytes) -> bool:
        """Collect ``@name: text`` in the client's own name, as registered, without parsing.

        The lobby line of every client is nearly every line a busy server reads: its name
        needs no check (it is the registered one) and nothing but its text is decoded. What
        this declines takes the general path, which gives the same result for this line.
        """
        user = self._link.session.user
        if user is None:
            return False
        if user.name is not self._own_name:
            self._own_name = user.name
            self._own_prefix = f"@{user.name}:".encode()
        prefix = self._own_prefix
        if not line.startswith(prefix):
            return False
        try:
            text = line[len(prefix) :].decode("utf-8")
        except UnicodeDecodeError:
            return False
        self._hold(LOBBY, chat1.neutralise_controls(text.removeprefix(" ")))
        return True

    def _collect(self, event: chat1.ChatMessage) -> bool:
        """Hold a chat line for `end_of_read` if it can be relayed with its neighbours."""
        room = event.room or LOBBY
        if room != LOBBY and "rooms" not in self.extensions:
            return False
        if not self._link.session.is_named(event.name):
            return False
        self._hold(room, event.text)
        return True

    def _hold(self, room: str, text: str) -> None:
        """Add `text` to this read's batch (one room's lines; another room ends it)."""
        if self._batch is None:
            self._batch = []
        elif room != self._batch_room:
            self.end_of_read()
            self._batch = []
        self._batch_room = room
        self._batch.append(text)

    # Handlers ------------------------------------------------------------------------------

    def _register(self, event: chat1.Register | chat1.Login | chat1.Signup) -> None:
        if self._link.session.user is not None:
            self._reply(Reply.ALREADY_REGISTERED)
        elif not self._link.may_register():
            self._reply(Reply.TOO_FAST, TOO_MANY_REGISTRATIONS)
        elif isinstance(event, chat1.Register):
            self.call(core.Register(event.name), self._registered)
        elif isinstance(event, chat1.Login):
            self.call(core.Login(event.name, event.password), self._registered)
        else:
            self.call(core.Signup(event.name, event.password), self._registered)

    def _registered(self, answer: Registered) -> None:
        if answer.outcome is Outcome.PASSWORD_REQUIRED and "auth" not in self.extensions:
            self._reply(Reply.ALREADY_REGISTERED)  # a seed-004 client knows only 200, 400, 401
        elif answer.outcome in (Outcome.THROTTLED, Outcome.BAD_PASSWORD):
            self._done(Done(answer.outcome, answer.name, answer.detail))
        elif not answer.ok:
            self._reply(REPLY_FOR[answer.outcome])
        else:
            self._reply(Reply.REGISTERED)
            log.info("%s registered from %s (CHAT/1.0)", answer.name, self._link.address)
            if "presence" in self.extensions:
                self._link.core.watch_presence(self._link.session)
            if answer.attached:
                self._rejoined(answer)
            self.registration_done(answer, self._rejoined)

    def _rejoined(self, answer: Registered) -> None:
        """Rooms this connection is in on arrival (another device's, or remembered ones)."""
        if answer.attached and "presence" in self.extensions:
            for room in answer.rejoined:
                self._link.send(chat1.encode_presence("joined", room.name, answer.name))

    def _disconnect(self, event: chat1.Disconnect) -> None:
        session = self._link.session
        if session.user is not None and event.name is not None and not session.is_named(event.name):
            self._reply(Reply.SENDER_MISMATCH)
            return
        self._link.close("client disconnected", notify=False)

    def _extend(self, event: chat1.Extend) -> None:
        wanted = set(event.names) if event.names else set(chat1.EXTENSIONS)
        self.extensions |= wanted & set(chat1.EXTENSIONS)
        if self._link.session.user is not None and "presence" in self.extensions:
            self._link.core.watch_presence(self._link.session)
        enabled = "".join(f" {e}" for e in chat1.EXTENSIONS if e in self.extensions)
        self._reply(Reply.EXTENSIONS, enabled)

    def _malformed(self, event: chat1.Malformed) -> None:
        if self._link.session.user is None and event.reply is Reply.UNKNOWN_COMMAND:
            self._reply(Reply.INVALID_REGISTRATION)
        else:
            self._reply(event.reply, event.detail)

    def _chat(self, event: chat1.ChatMessage) -> None:
        """A chat line that could not be collected: its room needs the extension."""
        self._reply(Reply.UNKNOWN_COMMAND, "send 'EXTEND rooms CHAT/1.0' first")

    def _direct_message(self, event: chat1.DirectMessage) -> None:
        self.call(core.SendDirect(event.recipient, event.text), self._done)

    def _typing(self, event: chat1.TypingUpdate) -> None:
        self.call(core.ShowTyping(event.text, event.room or LOBBY), _ignore)

    def _join(self, event: chat1.Join) -> None:
        self.call(core.Join(event.room, event.key), self._entered)

    def _entered(self, answer: Entered) -> None:
        if not answer.ok:
            self._done(answer)
            return
        self._reply(Reply.JOINED, answer.room)
        if answer.view is not None and answer.view.topic:
            self._link.send(chat1.encode_topic(answer.room, answer.view.topic))
        if "history" in self.extensions:
            self._send_history(answer.recent)

    def _leave(self, event: chat1.Leave) -> None:
        self.call(core.Leave(event.room), self._confirm(Reply.LEFT))

    def _topic(self, event: chat1.Topic) -> None:
        if event.text is None:
            self.call(core.GetTopic(event.room), self._show_topic)
        else:
            self.call(core.SetTopic(event.room, event.text), self._done)

    def _show_topic(self, answer: Any) -> None:
        if answer.ok:
            self._link.send(chat1.encode_topic(answer.room, answer.topic))
        else:
            self._reply(Reply.NO_SUCH_ROOM, answer.room)

    def _who(self, event: chat1.Who) -> None:
        self.call(core.Who(), self._user_list)

    def _user_list(self, answer: UserList) -> None:
        if answer.outcome is Outcome.OK:
            self._reply(Reply.WHO, " ".join(answer.names))
        else:
            self._done(Done(answer.outcome))

    def _rooms(self, event: chat1.Rooms) -> None:
        self.call(core.ListRooms(), self._room_list)

    def _room_list(self, answer: RoomList) -> None:
        if answer.outcome is not Outcome.OK:
            self._done(Done(answer.outcome))
            return
        for room in answer.rooms:
            self._reply(Reply.ROOM, " ".join([room.name, *room.members]))
        self._reply(Reply.END_OF_ROOMS, f"{answer.more} more" if answer.more else "")

    def _history(self, event: chat1.HistoryRequest) -> None:
        command = core.History(event.target, event.count, event.before)
        self.call(command, self._history_page)

    def _history_page(self, answer: HistoryPage) -> None:
        if answer.ok:
            self._send_history(answer.messages)
        else:
            self._reply(Reply.NO_SUCH_ROOM, answer.target)

    def _send_history(self, messages: tuple[StoredMessage, ...]) -> None:
        for message in messages:
            self._link.send(chat1.encode_history(message.id, message.at, encode_stored(message)))
        self._reply(Reply.END_OF_HISTORY)

    def _search(self, event: chat1.SearchRequest) -> None:
        self.call(core.Search(event.text, event.target), self._found)

    def _found(self, answer: HistoryPage) -> None:
        if not answer.ok:
            self._done(Done(answer.outcome, answer.target.removeprefix("#")))
            return
        for message in answer.messages:
            self._link.send(chat1.encode_found(message.id, message.at, encode_stored(message)))
        self._reply(Reply.END_OF_SEARCH, str(len(answer.messages)))

    def _account(self, event: chat1.AccountCommand) -> None:
        done = {
            "CREATE": Reply.ACCOUNT_CREATED,
            "PASSWORD": Reply.PASSWORD_CHANGED,
            "DELETE": Reply.ACCOUNT_DELETED,
        }[event.action]
        command: core.Command[Done]
        if event.action == "CREATE":
            command = core.CreateAccount(event.passwords[0])
        elif event.action == "PASSWORD":
            command = core.ChangePassword(*event.passwords)
        else:
            command = core.DeleteAccount(event.passwords[0])
        self.call(command, self._confirm(done, ""))

    def _ping(self, event: chat1.Ping) -> None:
        self._reply(Reply.PONG, event.token)

    def _mode(self, event: chat1.Mode) -> None:
        command = mode_command(event.room, event.change, event.argument)
        if command is None:
            if event.change[1] in ROLE_OF_LETTER:
                self._reply(Reply.UNKNOWN_COMMAND, f"MODE <room> {event.change} <name>")
            else:
                self._reply(Reply.UNKNOWN_MODE, event.change)
            return
        letter = event.change[1]
        described = " ".join(w for w in (event.room, event.change, event.argument) if w)
        if letter == "k":
            described = f"{event.room} {event.change}"
        self.call(command, self._confirm(Reply.MODE_SET, described))

    def _kick(self, event: chat1.Kick) -> None:
        self.call(core.Kick(event.room, event.name, event.reason), self._confirm(Reply.KICK_DONE))

    def _invite(self, event: chat1.Invite) -> None:
        self.call(core.Invite(event.room, event.name), self._confirm(Reply.INVITE_DONE))


def _ignore(answer: Done) -> None:
    """Typing previews are not answered: a refused one is simply not shown."""


# Outcomes whose reply carries words of its own (the code's text is just "{}").
_WORDED: dict[Outcome, tuple[Reply, str]] = {
    Outcome.THROTTLED: (Reply.TOO_FAST, "Too many failed attempts; wait {detail} s"),
    Outcome.TOO_MANY_LISTINGS: (Reply.TOO_FAST, "Too many listings; wait a little"),
}
_SIGNED = (chat1.ChatMessage, chat1.DirectMessage, chat1.TypingUpdate)  # name the sender
_Handler = Callable[[Chat1Door, Any], None]
# event type -> (extension it needs, registration needed, handler)
_TABLE: dict[type, tuple[str, bool, _Handler]] = {
    chat1.Register: ("", False, Chat1Door._register),
    chat1.Login: ("", False, Chat1Door._register),
    chat1.Signup: ("", False, Chat1Door._register),
    chat1.Disconnect: ("", False, Chat1Door._disconnect),
    chat1.Ping: ("", False, Chat1Door._ping),
    chat1.Extend: ("", False, Chat1Door._extend),
    chat1.Malformed: ("", False, Chat1Door._malformed),
    chat1.ChatMessage: ("rooms", True, Chat1Door._chat),
    chat1.DirectMessage: ("dm", True, Chat1Door._direct_message),
    chat1.TypingUpdate: ("live", True, Chat1Door._typing),
    chat1.Join: ("rooms", True, Chat1Door._join),
    chat1.Leave: ("rooms", True, Chat1Door._leave),
    chat1.Topic: ("rooms", True, Chat1Door._topic),
    chat1.Mode: ("rooms", True, Chat1Door._mode),
    chat1.Kick: ("rooms", True, Chat1Door._kick),
    chat1.Invite: ("rooms", True, Chat1Door._invite),
    chat1.Who: ("who", True, Chat1Door._who),
    chat1.Rooms: ("who", True, Chat1Door._rooms),
    chat1.HistoryRequest: ("history", True, Chat1Door._history),
    chat1.SearchRequest: ("search", True, Chat1Door._search),
    chat1.AccountCommand: ("auth", True, Chat1Door._account),
}
