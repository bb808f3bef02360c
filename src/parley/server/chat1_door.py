"""The CHAT/1.0 door: seed 004's protocol exactly, plus the extensions a client asks for.

A client that never sends ``EXTEND`` sees exactly seed 004's lines: lobby messages, its own
replies, and ``DISCONNECT CHAT/1.0``. Direct messages reach it as ``@sender: [private] text``.
Steps that need the store (checking a name for an account, logging in, offline messages,
history) run as connection jobs, so a client's lines still take effect in order.
"""

from __future__ import annotations

import logging
import time

from parley.hub import (
    LOBBY,
    Delivery,
    Outcome,
    Presence,
    Registration,
    Said,
    SaidMany,
    TopicSet,
    Typing,
)
from parley.protocol import chat1
from parley.protocol.chat1 import (
    AccountCommand,
    ChatMessage,
    ClientEvent,
    DirectMessage,
    Disconnect,
    Extend,
    HistoryRequest,
    Join,
    Leave,
    Login,
    Malformed,
    Ping,
    Register,
    Reply,
    Rooms,
    Signup,
    Topic,
    TypingUpdate,
    Who,
)
from parley.protocol.framing import LineTooLong
from parley.ratelimit import TokenBucket
from parley.server.doors import TOO_MANY_REGISTRATIONS, Link
from parley.server.services import AccountAnswer, AccountResult
from parley.store import StoredMessage

log = logging.getLogger("parley.server")

_REGISTRATION_REPLY = {
    Registration.OK: Reply.REGISTERED,
    Registration.INVALID: Reply.INVALID_REGISTRATION,
    Registration.TAKEN: Reply.ALREADY_REGISTERED,
    Registration.ALREADY: Reply.ALREADY_REGISTERED,
}

_OUTCOME_REPLY = {
    Outcome.NOT_REGISTERED: Reply.INVALID_REGISTRATION,
    Outcome.INVALID_NAME: Reply.INVALID_ROOM,
    Outcome.NO_SUCH_USER: Reply.NO_SUCH_USER,
    Outcome.NO_SUCH_ROOM: Reply.NO_SUCH_ROOM,
    Outcome.NOT_MEMBER: Reply.NO_SUCH_ROOM,
    Outcome.ALREADY_MEMBER: Reply.ALREADY_IN_ROOM,
    Outcome.TOO_MANY_ROOMS: Reply.TOO_MANY_ROOMS,
    Outcome.QUEUE_FULL: Reply.QUEUE_FULL,
    Outcome.LOBBY_IS_HOME: Reply.LOBBY_IS_HOME,
    Outcome.QUEUED: Reply.QUEUED,
}

_ACCOUNT_REPLY = {
    AccountResult.BAD_LOGIN: Reply.BAD_LOGIN,
    AccountResult.NO_ACCOUNT: Reply.BAD_LOGIN,
    AccountResult.TAKEN: Reply.ALREADY_REGISTERED,
    AccountResult.ALREADY: Reply.ALREADY_REGISTERED,
    AccountResult.INVALID_NAME: Reply.INVALID_REGISTRATION,
    AccountResult.BAD_PASSWORD: Reply.BAD_PASSWORD,
}

_WANTS: dict[type, str] = {
    Said: "rooms",
    SaidMany: "rooms",
    Presence: "presence",
    Typing: "live",
    TopicSet: "rooms",
}

# Cache keys for encoded deliveries shared by many recipients.
_PLAIN_KEY = "chat1"
_EXTENDED_KEY = "chat1+"


def encode_delivery(event: Said | SaidMany | Presence | Typing | TopicSet) -> bytes:
    """The form of a shared delivery as an extended client sees it."""
    if isinstance(event, TopicSet):
        return chat1.encode_topic(event.room, event.topic)
    if isinstance(event, SaidMany):
        room = None if event.room == LOBBY else event.room
        return b"".join(chat1.encode_message(event.sender, text, room) for text in event.texts)
    if isinstance(event, Said):
        room = None if event.room == LOBBY else event.room
        return chat1.encode_message(event.sender, event.text, room)
    if isinstance(event, Typing):
        room = None if event.room == LOBBY else event.room
        return chat1.encode_typing(event.sender, event.text, room)
    return chat1.encode_presence(event.kind, event.room, event.name)


def encode_stored(message: StoredMessage) -> bytes:
    """A stored message as the line it was relayed as."""
    if message.recipient is not None:
        return chat1.encode_direct(message.sender, message.recipient, message.text)
    room = None if message.room in (None, LOBBY) else message.room
    return chat1.encode_message(message.sender, message.text, room)


class Chat1Door:
    """The server side of one CHAT/1.0 client."""

    __slots__ = ("_batch", "_batch_room", "_link", "_typing_bucket", "extensions")

    def __init__(self, link: Link) -> None:
        self._link = link
        self.extensions: frozenset[str] = frozenset()
        self._typing_bucket: TokenBucket | None = None
        self._batch: list[str] | None = None  # chat lines of this read, not yet relayed
        self._batch_room = LOBBY

    def goodbye(self) -> bytes:
        return chat1.SERVER_DISCONNECT

    def notify(self, text: str) -> None:
        self._reply(Reply.TOO_FAST, text)

    def kept(self, message: StoredMessage) -> None:
        if "ack" in self.extensions:
            self._reply(Reply.STORED, str(message.id))

    # Outbound ------------------------------------------------------------------------------

    def deliver(self, event: Delivery) -> None:
        if isinstance(event, Said | SaidMany) and event.room == LOBBY:
            data = event.wire.get(_PLAIN_KEY)
            if data is None:
                data = event.wire[_PLAIN_KEY] = encode_delivery(event)
        elif isinstance(event, Said | SaidMany | Presence | Typing | TopicSet):
            if _WANTS[type(event)] not in self.extensions:
                return
            data = event.wire.get(_EXTENDED_KEY)
            if data is None:
                data = event.wire[_EXTENDED_KEY] = encode_delivery(event)
        elif "dm" in self.extensions:
            data = chat1.encode_direct(event.sender, event.recipient, event.text)
        elif event.queued_at is not None:
            sent = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(event.queued_at))
            data = chat1.encode_message(event.sender, f"[private, sent {sent}] {event.text}")
        else:
            data = chat1.encode_message(event.sender, f"[private] {event.text}")
        self._link.send(data)

    def _reply(self, reply: Reply, argument: str = "") -> None:
        self._link.send(chat1.encode_reply(reply, argument))

    # Inbound -------------------------------------------------------------------------------

    def handle_line(self, line: bytes | LineTooLong) -> None:
        self.handle(chat1.parse_client_line(line))

    def end_of_read(self) -> None:
        """Relay the chat lines collected from one read, as one delivery per receiver."""
        texts = self._batch
        if not texts:
            return
        self._batch = None
        hub, room = self._link.hub, self._batch_room
        outcome = hub.say_many(self._link, tuple(texts), room)
        if outcome is not Outcome.OK:
            for _ in texts:
                self._answer(outcome, room)
            return
        sender = hub.name_of(self._link) or "?"
        kept_room = hub.room_name(room) or room
        for text in texts:
            self._link.keep(sender, text, room=kept_room)

    def _collect(self, event: ChatMessage) -> bool:
        """Hold a chat line for `end_of_read` if it can be relayed with its neighbours."""
        room = event.room or LOBBY
        if room != LOBBY and "rooms" not in self.extensions:
            return False
        if not self._link.hub.is_sender(self._link, event.name):
            return False
        if self._batch is None:
            self._batch = []
        elif room != self._batch_room:
            self.end_of_read()
            self._batch = []
        self._batch_room = room
        self._batch.append(event.text)
        return True

    def handle(self, event: ClientEvent) -> None:
        """Act on one parsed client event."""
        if isinstance(event, ChatMessage) and self._collect(event):
            return
        self.end_of_read()  # anything else takes effect after the lines before it
        registered = self._link.hub.name_of(self._link) is not None
        if isinstance(event, Register | Login | Signup):
            self._start_registration(event, registered)
        elif isinstance(event, Disconnect):
            self._disconnect(event)
        elif isinstance(event, Ping):
            self._reply(Reply.PONG, event.token)
        elif isinstance(event, Extend):
            wanted = set(event.names) if event.names else set(chat1.EXTENSIONS)
            self.extensions |= wanted & set(chat1.EXTENSIONS)
            if registered and "presence" in self.extensions:
                self._link.hub.watch_presence(self._link)
            enabled = "".join(f" {e}" for e in chat1.EXTENSIONS if e in self.extensions)
            self._reply(Reply.EXTENSIONS, enabled)
        elif isinstance(event, Malformed):
            if not registered and event.reply is Reply.UNKNOWN_COMMAND:
                self._reply(Reply.INVALID_REGISTRATION)
            else:
                self._reply(event.reply, event.detail)
        elif not registered:
            self._reply(Reply.INVALID_REGISTRATION)
        else:
            self._registered_command(event)

    def _registered_command(self, event: ClientEvent) -> None:
        hub = self._link.hub
        if isinstance(event, ChatMessage | DirectMessage | TypingUpdate) and not hub.is_sender(
            self._link, event.name
        ):
            self._reply(Reply.SENDER_MISMATCH)
        elif isinstance(event, ChatMessage):
            self._needs("rooms")  # collected unless it names a room without the extension
        elif isinstance(event, DirectMessage):
            if self._needs("dm"):
                self._direct(event)
        elif isinstance(event, TypingUpdate):
            if self._needs("live") and self._may_type():
                hub.typing(self._link, event.text, event.room or LOBBY)
        elif isinstance(event, Join | Leave):
            if self._needs("rooms"):
                self._join_or_leave(event)
        elif isinstance(event, Topic):
            if self._needs("rooms"):
                self._topic(event)
        elif isinstance(event, Who | Rooms):
            if self._needs("who"):
                self._who(event)
        elif isinstance(event, HistoryRequest):
            if self._needs("history"):
                self._link.run_job(self._history(event))
        elif isinstance(event, AccountCommand) and self._needs("auth"):
            self._link.run_job(self._account(event))

    def _direct(self, event: DirectMessage) -> None:
        hub = self._link.hub
        sender = hub.name_of(self._link) or event.name
        outcome = hub.direct(self._link, event.recipient, event.text)
        if outcome is Outcome.OK:
            recipient = hub.online_name(event.recipient) or event.recipient
            self._link.keep(sender, event.text, recipient=recipient)
        elif outcome in (Outcome.QUEUED, Outcome.NO_SUCH_USER):
            self._link.run_job(
                self._keep_for_offline(sender, event, known=outcome is Outcome.QUEUED)
            )
        else:
            self._answer(outcome, event.recipient)

    async def _keep_for_offline(self, sender: str, event: DirectMessage, known: bool) -> None:
        outcome = await self._link.services.keep_for_offline(
            self._link, sender, event.recipient, event.text, known
        )
        self._answer(outcome, event.recipient)

    def _join_or_leave(self, event: Join | Leave) -> None:
        hub = self._link.hub
        joining = isinstance(event, Join)
        outcome = hub.join(self._link, event.room) if joining else hub.leave(self._link, event.room)
        if outcome is not Outcome.OK:
            self._answer(outcome, event.room)
            return
        room = hub.room_name(event.room) or event.room.removeprefix("#")
        self._reply(Reply.JOINED if joining else Reply.LEFT, room)
        self._link.run_job(self._after_join_or_leave(room, joining))

    async def _after_join_or_leave(self, room: str, joined: bool) -> None:
        services = self._link.services
        name = self._link.hub.name_of(self._link)
        if name is None:
            return
        if joined:
            topic = await services.topic_for_joiner(room)
            if topic:
                self._link.send(chat1.encode_topic(room, topic))
        await services.remember_join(name, room, joined)
        if joined and "history" in self.extensions:
            self._send_history(await services.recent(room))

    def _topic(self, event: Topic) -> None:
        hub = self._link.hub
        room = hub.room_name(event.room) or event.room.removeprefix("#")
        if event.text is None:
            if hub.room_name(event.room) is None:
                self._reply(Reply.NO_SUCH_ROOM, room)
            else:
                self._link.send(chat1.encode_topic(room, hub.topic(room)))
            return
        outcome = hub.set_topic(self._link, event.room, event.text)
        if outcome is Outcome.OK:
            self._link.run_job(self._link.services.remember_topic(room, event.text))
        else:
            self._answer(outcome, room)

    def _who(self, event: Who | Rooms) -> None:
        hub = self._link.hub
        if isinstance(event, Who):
            self._reply(Reply.WHO, " ".join(hub.who()))
            return
        for room, members in hub.rooms():
            self._reply(Reply.ROOM, " ".join([room, *members]))
        self._reply(Reply.END_OF_ROOMS)

    async def _history(self, event: HistoryRequest) -> None:
        name = self._link.hub.name_of(self._link)
        assert name is not None
        if event.target.startswith("#"):
            room = event.target[1:]
            member = room.casefold() == LOBBY or room in {
                r.casefold() for r in self._link.hub.rooms_of(self._link)
            }
            if not member:
                self._reply(Reply.NO_SUCH_ROOM, room)
                return
        messages = await self._link.services.history(name, event.target, event.count, event.before)
        self._send_history(messages or [])

    def _send_history(self, messages: list[StoredMessage]) -> None:
        for message in messages:
            self._link.send(chat1.encode_history(message.id, message.at, encode_stored(message)))
        self._reply(Reply.END_OF_HISTORY)

    def _needs(self, extension: str) -> bool:
        if extension in self.extensions:
            return True
        self._reply(Reply.UNKNOWN_COMMAND, f"send 'EXTEND {extension} CHAT/1.0' first")
        return False

    def _may_type(self) -> bool:
        """Typing updates past the live-typing rate are dropped: they are only previews."""
        now = time.monotonic()
        if self._typing_bucket is None:
            config = self._link.config
            self._typing_bucket = TokenBucket(config.live_rate, config.live_rate * 2, now)
        return self._typing_bucket.allow(now)

    def _answer(self, outcome: Outcome, argument: str) -> None:
        """Refuse with the reply for `outcome`, naming `argument` where its text has a slot."""
        if outcome is not Outcome.OK:
            reply = _OUTCOME_REPLY[outcome]
            self._reply(reply, argument if "{}" in chat1.REPLY_TEXT[reply] else "")

    # Registration and accounts -------------------------------------------------------------

    def _start_registration(self, event: Register | Login | Signup, registered: bool) -> None:
        if registered:
            self._reply(Reply.ALREADY_REGISTERED)
        elif not self._link.may_register():
            self._reply(Reply.TOO_FAST, TOO_MANY_REGISTRATIONS)
        elif isinstance(event, Register):
            self._register(event.name)
        else:
            self._link.run_job(self._log_in(event))

    def _register(self, name: str) -> None:
        """A plain REGISTER: no store round trip unless the name has something waiting."""
        if self._link.services.name_needs_password(name):
            if "auth" in self.extensions:
                self._reply(Reply.PASSWORD_REQUIRED)
            else:  # a seed-004 client knows only 200, 400 and 401
                self._reply(Reply.ALREADY_REGISTERED)
            return
        result = self._link.hub.register(self._link, name)
        self._reply(_REGISTRATION_REPLY[result])
        if result is Registration.OK and self._registered(name):
            self._link.run_job(self._welcome(name))

    async def _log_in(self, event: Login | Signup) -> None:
        services = self._link.services
        if isinstance(event, Login):
            answer = await services.login(self._link, event.name, event.password, self._link.host)
        else:
            answer = await services.signup(self._link, event.name, event.password)
        if answer.result is not AccountResult.OK:
            self._refuse(answer)
            return
        self._reply(Reply.REGISTERED)
        name = self._link.hub.name_of(self._link) or event.name
        if self._registered(name):
            await self._welcome(name)

    async def _welcome(self, name: str) -> None:
        """Rejoin remembered rooms (announced by JOINED presence lines), then waiting messages.

        Rejoined rooms get no ``220``: a client did not ask to join them, and ``TOPIC``
        and ``HISTORY`` fetch the rest when it wants them.
        """
        await self._link.services.welcome(self._link, name)

    def _registered(self, name: str) -> bool:
        """Note a registration; True if rooms or messages wait for this name."""
        log.info("%s registered from %s (CHAT/1.0)", name, self._link.address)
        self._link.registered()
        if "presence" in self.extensions:
            self._link.hub.watch_presence(self._link)
        return self._link.services.needs_welcome(name)

    def _refuse(self, answer: AccountAnswer) -> None:
        if answer.result is AccountResult.THROTTLED:
            self._reply(Reply.TOO_FAST, f"Too many failed attempts; wait {answer.detail} s")
        else:
            self._reply(_ACCOUNT_REPLY[answer.result], answer.detail)

    async def _account(self, event: AccountCommand) -> None:
        services, name = self._link.services, self._link.hub.name_of(self._link)
        assert name is not None
        host = self._link.host
        if event.action == "CREATE":
            answer = await services.create_account(name, event.passwords[0])
            done = Reply.ACCOUNT_CREATED
        elif event.action == "PASSWORD":
            old, new = event.passwords
            answer = await services.change_password(name, old, new, host)
            done = Reply.PASSWORD_CHANGED
        else:
            answer = await services.delete_account(name, event.passwords[0], host)
            done = Reply.ACCOUNT_DELETED
        if answer.result is AccountResult.OK:
            self._reply(done)
        else:
            self._refuse(answer)

    def _disconnect(self, event: Disconnect) -> None:
        hub = self._link.hub
        registered = hub.name_of(self._link) is not None
        if registered and event.name is not None and not hub.is_sender(self._link, event.name):
            self._reply(Reply.SENDER_MISMATCH)
            return
        self._link.close("client disconnected", notify=False)
