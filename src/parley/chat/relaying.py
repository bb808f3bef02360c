"""Relaying lines with more than text: notices (IRC's ``NOTICE``, lines never answered
automatically) and client tags (IRC's ``+name=value``, such as a reply's ``+draft/reply``).

A relayed line goes where a message would (a room's members, or a user's sessions and the
sender's other ones), with its id and time, and is kept in history as a message is (its text:
the tags are not kept); it is delivered as a `RoomMessage` or `DirectMessage` marked `notice`
and carrying its `tags`, so doors without those ideas show it as a line like any other. It
is refused for the same reasons a message is (not a member, muted), but a line for someone
offline is not kept for later: a door sends such a line as a plain `SendDirect`.

Tags alone (IRC's TAGMSG) are a `TagMessage`: never kept, and delivered only to the sessions
that said they can show one (`ListenForTags`), since the other doors have no form for it.
Sessions listen on this node only: a tag-only line does not cross to other nodes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome
from parley.chat.commands import ListenForTags, Relay, SendTags
from parley.chat.events import RoomMessage, TagMessage
from parley.chat.messaging import fold_padding
from parley.chat.model import Session, User, room_key
from parley.chat.store import StoredMessage

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

MAX_TAGS = 16  # client tags relayed with one line
MAX_TAG_BYTES = 4094  # of their names and values together (IRC's limit for a client's tags)


class Relaying:
    """The relay use case."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self._listeners: dict[Session, None] = {}  # sessions that can show a TagMessage

    def relay(self, session: Session, command: Relay) -> Done:
        """Deliver the line to a room or a user online, then keep its text."""
        user = session.user
        assert user is not None
        tags = _bounded(command.tags)
        text = fold_padding(command.text)
        if command.target.startswith("#"):
            return self._to_room(session, user, command, text, tags)
        return self._to_user(session, user, command, text, tags)

    def _to_room(
        self,
        session: Session,
        user: User,
        command: Relay,
        text: str,
        tags: tuple[tuple[str, str], ...],
    ) -> Done:
        core = self._core
        room = core.messaging.speaking_room(user, command.target)
        if isinstance(room, Done):
            return room
        number, at = core.ports.store.reserve_ids(1), time.time()
        event = RoomMessage(user.name, (text,), room.name, number, at, command.notice, tags)
        core.to_room(room, event, session)
        kept = StoredMessage(number, at, user.name, text, room=room.name)
        core.ports.keeper.keep(session.endpoint, (kept,))
        return Done(Outcome.OK, room.name)

    def _to_user(
        self,
        session: Session,
        user: User,
        command: Relay,
        text: str,
        tags: tuple[tuple[str, str], ...],
    ) -> Done:
        core = self._core
        target = core.user(command.target)
        if target is None:
            return Done(Outcome.NO_SUCH_USER, command.target)
        core.messaging.deliver_direct(session, user, target, text, notice=command.notice, tags=tags)
        return Done(Outcome.OK, target.name)

    # Tags alone ------------------------------------------------------------------------------

    def listen(self, session: Session, command: ListenForTags) -> Done:
        """Deliver tag-only lines to `session` from now on (or no more)."""
        for gone in [s for s in self._listeners if s.user is None]:
            del self._listeners[gone]  # closed sessions, left behind
        if command.on:
            self._listeners[session] = None
        else:
            self._listeners.pop(session, None)
        return Done(Outcome.OK)

    def send_tags(self, session: Session, command: SendTags) -> Done:
        """Deliver tags alone to the listening sessions of a room or of a user online."""
        user = session.user
        assert user is not None
        core, tags = self._core, _bounded(command.tags)
        if command.target.startswith("#"):
            room = core.rooms.get(room_key(command.target))
            if room is None:
                return Done(Outcome.NO_SUCH_ROOM, command.target.removeprefix("#"))
            if user not in room.members and not room.hears_from(user):
                return Done(Outcome.NOT_MEMBER, room.name)
            if not room.may_speak(user):
                return Done(Outcome.MUTED, room.name)
            number = core.ports.store.reserve_ids(1)
            event = TagMessage(user.name, tags, room=room.name, id=number, at=time.time())
            self._tell(room.fan_out, event, session)
            return Done(Outcome.OK, room.name, str(number))
        target = core.user(command.target)
        if target is None:
            return Done(Outcome.NO_SUCH_USER, command.target)
        number = core.ports.store.reserve_ids(1)
        event = TagMessage(user.name, tags, recipient=target.name, id=number, at=time.time())
        if target is user:  # to oneself: every session hears it, the sender's too
            self._tell(user.sessions, event, None)
        else:
            self._tell(target.sessions, event, session)
            self._tell(user.sessions, event, session)
        return Done(Outcome.OK, target.name, str(number))

    def _tell(self, sessions: Iterable[Session], event: TagMessage, sender: Session | None) -> None:
        listeners = self._listeners
        for receiver in tuple(sessions):
            if receiver is not sender and receiver in listeners:
                receiver.deliver(event)


def _bounded(tags: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """At most `MAX_TAGS` client tags within `MAX_TAG_BYTES`, or none."""
    tags = tags[:MAX_TAGS]
    if sum(len(name) + len(value) + 2 for name, value in tags) > MAX_TAG_BYTES:
        return ()
    return tags
