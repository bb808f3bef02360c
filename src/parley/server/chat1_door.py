"""The CHAT/1.0 door: seed 004's protocol exactly, plus the extensions a client asks for.

A client that never sends ``EXTEND`` sees exactly seed 004's lines: lobby messages, its own
replies, and ``DISCONNECT CHAT/1.0``. Direct messages reach it as ``@sender: [private] text``.
"""

from __future__ import annotations

import logging
import time

from parley.hub import LOBBY, Delivery, Outcome, Presence, Registration, Said, Typing
from parley.protocol import chat1
from parley.protocol.chat1 import (
    ChatMessage,
    ClientEvent,
    DirectMessage,
    Disconnect,
    Extend,
    Join,
    Leave,
    Malformed,
    Register,
    Reply,
    Rooms,
    TypingUpdate,
    Who,
)
from parley.protocol.framing import LineTooLong
from parley.ratelimit import TokenBucket
from parley.server.doors import TOO_MANY_REGISTRATIONS, Link

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

# Cache keys for encoded deliveries shared by many recipients.
_PLAIN_KEY = "chat1"
_EXTENDED_KEY = "chat1+"


class Chat1Door:
    """The server side of one CHAT/1.0 client."""

    __slots__ = ("_link", "_typing_bucket", "extensions")

    def __init__(self, link: Link) -> None:
        self._link = link
        self.extensions: frozenset[str] = frozenset()
        self._typing_bucket: TokenBucket | None = None

    def goodbye(self) -> bytes:
        return chat1.SERVER_DISCONNECT

    def notify(self, text: str) -> None:
        self._reply(Reply.TOO_FAST, text)

    # Outbound ------------------------------------------------------------------------------

    def deliver(self, event: Delivery) -> None:
        if isinstance(event, Said):
            if event.room == LOBBY:
                data = event.wire.get(_PLAIN_KEY)
                if data is None:
                    data = event.wire[_PLAIN_KEY] = chat1.encode_message(event.sender, event.text)
            elif "rooms" in self.extensions:
                data = event.wire.get(_EXTENDED_KEY)
                if data is None:
                    data = event.wire[_EXTENDED_KEY] = chat1.encode_message(
                        event.sender, event.text, event.room
                    )
            else:
                return
        elif isinstance(event, Typing):
            if "live" not in self.extensions:
                return
            data = event.wire.get(_EXTENDED_KEY)
            if data is None:
                room = None if event.room == LOBBY else event.room
                data = event.wire[_EXTENDED_KEY] = chat1.encode_typing(
                    event.sender, event.text, room
                )
        elif isinstance(event, Presence):
            if "presence" not in self.extensions:
                return
            data = event.wire.get(_EXTENDED_KEY)
            if data is None:
                data = event.wire[_EXTENDED_KEY] = chat1.encode_presence(
                    event.kind, event.room, event.name
                )
        elif "dm" in self.extensions:
            data = chat1.encode_direct(event.sender, event.recipient, event.text)
        else:
            data = chat1.encode_message(event.sender, f"[private] {event.text}")
        self._link.send(data)

    def _reply(self, reply: Reply, argument: str = "") -> None:
        self._link.send(chat1.encode_reply(reply, argument))

    # Inbound -------------------------------------------------------------------------------

    def handle_line(self, line: bytes | LineTooLong) -> None:
        self.handle(chat1.parse_client_line(line))

    def handle(self, event: ClientEvent) -> None:
        """Act on one parsed client event."""
        hub = self._link.hub
        registered = hub.name_of(self._link) is not None
        if isinstance(event, Register):
            self._register(event.name)
        elif isinstance(event, Disconnect):
            self._disconnect(event)
        elif isinstance(event, Extend):
            wanted = set(event.names) if event.names else set(chat1.EXTENSIONS)
            self.extensions |= wanted & set(chat1.EXTENSIONS)
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
        if isinstance(event, ChatMessage):
            if not hub.is_sender(self._link, event.name):
                self._reply(Reply.SENDER_MISMATCH)
            elif event.room is None:
                hub.say(self._link, event.text)
            elif self._needs("rooms"):
                self._answer(hub.say(self._link, event.text, event.room), event.room)
        elif isinstance(event, TypingUpdate):
            if hub.is_sender(self._link, event.name) and self._needs("live") and self._may_type():
                hub.typing(self._link, event.text, event.room or LOBBY)
        elif isinstance(event, DirectMessage):
            if not hub.is_sender(self._link, event.name):
                self._reply(Reply.SENDER_MISMATCH)
            elif self._needs("dm"):
                self._answer(hub.direct(self._link, event.recipient, event.text), event.recipient)
        elif isinstance(event, Join) and self._needs("rooms"):
            outcome = hub.join(self._link, event.room)
            if outcome is Outcome.OK:
                self._reply(Reply.JOINED, hub.room_name(event.room) or event.room)
            else:
                self._answer(outcome, event.room)
        elif isinstance(event, Leave) and self._needs("rooms"):
            outcome = hub.leave(self._link, event.room)
            if outcome is Outcome.OK:
                self._reply(Reply.LEFT, event.room.removeprefix("#"))
            else:
                self._answer(outcome, event.room)
        elif isinstance(event, Who) and self._needs("who"):
            self._reply(Reply.WHO, " ".join(hub.who()))
        elif isinstance(event, Rooms) and self._needs("who"):
            for room, members in hub.rooms():
                self._reply(Reply.ROOM, " ".join([room, *members]))
            self._reply(Reply.END_OF_ROOMS)

    def _may_type(self) -> bool:
        """Typing updates past the live-typing rate are dropped: they are only previews."""
        now = time.monotonic()
        if self._typing_bucket is None:
            config = self._link.config
            self._typing_bucket = TokenBucket(config.live_rate, config.live_rate * 2, now)
        return self._typing_bucket.allow(now)

    def _needs(self, extension: str) -> bool:
        if extension in self.extensions:
            return True
        self._reply(Reply.UNKNOWN_COMMAND, f"send 'EXTEND {extension} CHAT/1.0' first")
        return False

    def _answer(self, outcome: Outcome, argument: str) -> None:
        if outcome is not Outcome.OK:
            self._reply(_OUTCOME_REPLY[outcome], argument)

    def _register(self, name: str) -> None:
        hub = self._link.hub
        if hub.name_of(self._link) is None and not self._link.may_register():
            self._reply(Reply.TOO_FAST, TOO_MANY_REGISTRATIONS)
            return
        result = hub.register(self._link, name)
        self._reply(_REGISTRATION_REPLY[result])
        if result is Registration.OK:
            log.info("%s registered from %s (CHAT/1.0)", name, self._link.address)
            self._link.registered()
            hub.deliver_pending(self._link)

    def _disconnect(self, event: Disconnect) -> None:
        hub = self._link.hub
        registered = hub.name_of(self._link) is not None
        if registered and event.name is not None and not hub.is_sender(self._link, event.name):
            self._reply(Reply.SENDER_MISMATCH)
            return
        self._link.close("client disconnected", notify=False)
