"""Messages: room lines, direct messages (kept for offline users), live typing, history.

Relayed lines are delivered first and kept right after, through the keeper, so the message
path pays an append per line. A direct message to someone offline is kept for them: for an
account until it logs in; for a name without an account (its only identity) for a limited
time, and the sender is told that whoever takes the name next receives it. History is open to
a room's members, and a conversation only to the account that had it, or, for a name without
an account, only what was said since this holder took the name.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from parley.chat.answers import Done, HistoryPage, Outcome
from parley.chat.commands import History, Say, SendDirect, ShowTyping
from parley.chat.events import DirectMessage, RoomMessage, Typing
from parley.chat.model import Room, Session, User, room_key
from parley.chat.names import name_key
from parley.chat.store import StoredMessage

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from parley.chat.core import ChatCore

_OK = Done(Outcome.OK)
MAX_PADDING = 8  # columns of spaces and tabs kept in a row
_PADDING = re.compile(r"[ \t]{2,}")


def fold_padding(text: str) -> str:
    """Fold runs of spaces and tabs wider than `MAX_PADDING` columns into that many spaces.

    A line padded to the width of a terminal wraps so that what follows the padding starts a
    line of its own, where it can pass for another user's message (``@alice: …``).
    """
    if "  " not in text and "\t" not in text:
        return text  # the common case, at the price of two substring searches
    return _PADDING.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    run = match.group()
    width = run.count(" ") + 8 * run.count("\t")
    return run if width <= MAX_PADDING and "\t" not in run else " " * min(width, MAX_PADDING)


class Messaging:
    """The message use cases."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core

    def speaking_room(self, user: User, name: str) -> Room | Done:
        """The room `user` may speak in by that name, or why not (every kind of line)."""
        room = self._core.rooms.get(room_key(name))
        if room is None:
            return Done(Outcome.NO_SUCH_ROOM, name.removeprefix("#"))
        if user not in room.members and not room.hears_from(user):
            return Done(Outcome.NOT_MEMBER, room.name)
        if not room.may_speak(user):
            return Done(Outcome.MUTED, room.name)
        return room

    def say(self, session: Session, command: Say) -> Done:
        """Deliver each line to every other session in the room, then keep it."""
        user = session.user
        assert user is not None
        room = self.speaking_room(user, command.room)
        if isinstance(room, Done):
            return room
        texts = tuple(map(fold_padding, command.texts))
        ports = self._core.ports
        first, at = ports.store.reserve_ids(len(texts)), time.time()
        name, room_name = user.name, room.name
        self._core.to_room(room, RoomMessage(name, texts, room_name, first, at), session)
        ports.keeper.keep(
            session.endpoint,
            [
                StoredMessage(number, at, name, text, room_name)
                for number, text in enumerate(texts, first)
            ],
        )
        return _OK

    def show_typing(self, session: Session, command: ShowTyping) -> Done:
        """Show the room what the user is typing (never kept)."""
        user = session.user
        assert user is not None
        room = self.speaking_room(user, command.room)
        if isinstance(room, Done):
            return room
        self._core.to_room(room, Typing(user.name, command.text, room.name), session)
        return _OK

    def send_direct(
        self, session: Session, command: SendDirect
    ) -> Done | Coroutine[Any, Any, Done]:
        """Deliver to the recipient's sessions (and the sender's others), or keep it offline."""
        sender = session.user
        assert sender is not None
        core = self._core
        command = SendDirect(command.recipient, fold_padding(command.text))
        target = core.user(command.recipient)
        if target is None:
            key = name_key(command.recipient)
            holder = core.ports.directory.holder(key)
            if holder is None or holder == core.ports.node:
                return self._queue(session, sender, command)
            kept = self._numbered(sender.name, command.text, command.recipient)
            event = DirectMessage(
                kept.sender, kept.recipient or "", kept.text, None, kept.id, kept.at
            )
            core.publish("user", key, event)  # online on another node
            core.ports.keeper.keep(session.endpoint, (kept,))
            return _OK
        self.deliver_direct(session, sender, target, command.text)
        return _OK

    def _numbered(self, sender: str, text: str, recipient: str) -> StoredMessage:
        """A direct message with its id and time, as it is relayed and kept."""
        number = self._core.ports.store.reserve_ids(1)
        return StoredMessage(number, time.time(), sender, text, recipient=recipient)

    def deliver_direct(
        self,
        session: Session,
        sender: User,
        target: User,
        text: str,
        *,
        notice: bool = False,
        tags: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """To `target`'s sessions and the sender's others, then kept (every kind of line)."""
        kept = self._numbered(sender.name, text, target.name)
        event = DirectMessage(sender.name, target.name, text, None, kept.id, kept.at, notice, tags)
        self._core.to_user(target, event)
        if target is not sender:
            self._core.to_user(sender, event, exclude=session)
        self._core.ports.keeper.keep(session.endpoint, (kept,))

    async def _queue(self, session: Session, sender: User, command: SendDirect) -> Done:
        core = self._core
        store, config = core.ports.store, core.config
        key = name_key(command.recipient)
        account = await store.get_account(key)
        if account is None and key not in core.seen:
            return Done(Outcome.NO_SUCH_USER, command.recipient)
        target = core.users.get(key)
        if target is not None:  # came online meanwhile
            self.deliver_direct(session, sender, target, command.text)
            return _OK
        name = account.name if account else core.seen[key]
        waiting = await store.offline_count(key)
        from_sender = await store.offline_count(key, sender_key=sender.key)
        if waiting >= config.offline_limit or from_sender >= config.offline_per_sender:
            return Done(Outcome.QUEUE_FULL, name)
        await core.ports.keeper.drain()  # what was relayed before gets the earlier ids
        await store.append(sender.name, command.text, recipient=name, offline_for=key)
        core.registration.waiting.add(key)
        return Done(Outcome.QUEUED if account else Outcome.QUEUED_UNCLAIMED, name)

    async def history(self, session: Session, command: History) -> HistoryPage:
        """A page of a room's history (members only) or of a conversation (its owner only)."""
        core = self._core
        user = session.user
        assert user is not None
        store = core.ports.store
        limit = min(command.count or core.config.history_lines or 20, core.config.max_history_page)
        target = command.target
        if not target.startswith("@"):
            room = core.rooms.get(room_key(target))
            if room is None or user not in room.members:
                return HistoryPage(Outcome.NOT_MEMBER, target.removeprefix("#"))
            await core.ports.keeper.drain()
            messages = await store.room_history(
                room.name, before_id=command.before, after_id=command.after, limit=limit
            )
            return HistoryPage(Outcome.OK, "#" + room.name, tuple(messages))
        other = target.removeprefix("@")
        await core.ports.keeper.drain()
        messages = await store.direct_history(
            user.key,
            name_key(other),
            before_id=command.before,
            after_id=command.after,
            limit=limit,
            since=user.since,
        )
        return HistoryPage(Outcome.OK, target, tuple(messages))
