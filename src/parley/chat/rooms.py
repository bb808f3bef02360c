"""Rooms: join (creating), leave, topics and listings.

The creator of a room is its operator. Whoever may enter is decided here once for every door:
bans, invite-only and keys (an invitation lets a user past the last two). A room's topic and
its account members are kept in the store, so that they outlive a restart.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from parley.chat.answers import Done, Entered, Outcome, RoomList, TopicView, UserList
from parley.chat.commands import GetTopic, Join, Leave, ListRooms, Quit, SetTopic, Who
from parley.chat.events import Presence, TopicChanged
from parley.chat.model import Room, Session, User, is_valid_room, room_key
from parley.ratelimit import TokenBucket

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from parley.chat.core import ChatCore

MAX_REASON = 300  # characters of a part or quit message (IRC's KICKLEN is the same)


class Rooms:
    """The room use cases."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core

    def _refusal(self, session: Session, user: User, room: Room, key: str) -> Outcome | None:
        """Why `user` may not enter `room` now, or None."""
        if session.is_operator:
            return None
        invited = user.key in room.invited
        if user.key in room.banned and not invited:
            return Outcome.BANNED
        if room.invite_only and not invited:
            return Outcome.INVITE_ONLY
        if room.passkey and key != room.passkey and not invited:
            return Outcome.BAD_KEY
        return None

    async def join(self, session: Session, command: Join) -> Entered:
        """Enter (or create) the room; then its topic, remembered membership, recent lines."""
        core = self._core
        user = session.user
        assert user is not None
        if not is_valid_room(command.room):
            return Entered(Outcome.INVALID_ROOM, command.room)
        key = room_key(command.room)
        room = core.rooms.get(key)
        if room is not None and user in room.members:
            return Entered(Outcome.ALREADY_MEMBER, room.name, core.view(room), already=True)
        if len(user.rooms) > core.config.rooms_per_user and not session.is_operator:
            return Entered(Outcome.TOO_MANY_ROOMS, room.name if room else command.room)
        created = room is None
        if room is None:
            room = core.create_room(command.room.removeprefix("#"), user)
        else:
            refusal = self._refusal(session, user, room, command.key)
            if refusal is not None:
                return Entered(refusal, room.name)
        room.invited.discard(user.key)
        core.enter(user, room, announce=True)
        store = core.ports.store
        if created:
            record = await store.get_room(key)
            if record is not None and record.topic and not room.topic:
                room.topic = record.topic
        await self._remember(user, room, joined=True)
        recent: tuple[Any, ...] = ()
        if core.config.history_lines > 0:
            await core.ports.keeper.drain()
            recent = tuple(await store.room_history(room.name, limit=core.config.history_lines))
        return Entered(Outcome.OK, room.name, core.view(room), recent)

    async def rejoin(self, user: User, key: str) -> Room | None:
        """Put a returning account user back in a remembered room (announced as a join)."""
        core = self._core
        room = core.rooms.get(key)
        if room is not None and user in room.members:
            return None
        if room is None:
            record = await core.ports.store.get_room(key)
            if record is None:
                return None
            room = core.rooms.get(key) or core.create_room(record.name, user, record.topic)
        if user.key in room.banned or len(user.rooms) > core.config.rooms_per_user:
            return None
        core.enter(user, room, announce=True)
        return room

    async def _remember(self, user: User, room: Room, *, joined: bool) -> None:
        """Keep an account user's membership across restarts."""
        if room.is_lobby or not user.account:
            return
        store = self._core.ports.store
        if joined:
            await store.save_room(room.key, room.name, room.topic)
            await store.add_membership(user.key, room.key)
        else:
            await store.remove_membership(user.key, room.key)

    def leave(self, session: Session, command: Leave) -> Done | Coroutine[Any, Any, Done]:
        """Leave the room (every session of the user); its members, the leaver too, are told."""
        core = self._core
        user = session.user
        assert user is not None
        key = room_key(command.room)
        if key == core.lobby.key:
            return Done(Outcome.LOBBY_IS_HOME)
        room = core.rooms.get(key)
        if room is None or user not in room.members:
            return Done(Outcome.NOT_MEMBER, command.room.removeprefix("#"))
        reason = " ".join(command.reason.split())[:MAX_REASON]
        core.to_room(room, Presence(user.name, room.name, "left", reason))
        core.remove_member(room, user)
        done = Done(Outcome.OK, room.name)
        if not user.account:
            return done
        return self._remembered(user, room, done)

    def quit(self, session: Session, command: Quit) -> Done:
        """Say why this session is about to go: its user's quit carries it (if it is the last)."""
        session.quit_reason = " ".join(command.reason.split())[:MAX_REASON]
        return Done(Outcome.OK, session.name or "")

    async def _remembered(self, user: User, room: Room, done: Done) -> Done:
        await self._remember(user, room, joined=False)
        return done

    def get_topic(self, session: Session, command: GetTopic) -> TopicView:
        """The topic of a room that exists (members or not may ask)."""
        room = self._core.room(command.room)
        if room is None or (room.secret and session.user not in room.members):
            return TopicView(Outcome.NO_SUCH_ROOM, command.room.removeprefix("#"))
        return TopicView(Outcome.OK, room.name, room.topic)

    def set_topic(self, session: Session, command: SetTopic) -> Done | Coroutine[Any, Any, Done]:
        """Set the topic (a member may; only operators of a topic-locked room); kept."""
        core = self._core
        user = session.user
        room = core.room(command.room)
        name = command.room.removeprefix("#")
        if room is None or (user is None and not session.is_operator):
            return Done(Outcome.NO_SUCH_ROOM, name)
        if user is not None and user not in room.members and not session.is_operator:
            return Done(Outcome.NOT_MEMBER, room.name)
        if room.is_lobby:
            return Done(Outcome.LOBBY_IS_HOME, room.name)
        if room.topic_locked and not core.moderation.is_operator(session, room):
            return Done(Outcome.NOT_OPERATOR, room.name)
        room.topic = command.topic
        by = session.name or "server"
        core.to_room(room, TopicChanged(by, room.name, command.topic))
        return self._keep_topic(room)

    async def _keep_topic(self, room: Room) -> Done:
        await self._core.ports.store.save_room(room.key, room.name, room.topic)
        return Done(Outcome.OK, room.name)

    def may_list(self, session: Session) -> bool:
        """Listings cost O(users) or O(rooms): each session gets a budget of them."""
        per_minute = self._core.config.listings_per_minute
        if per_minute <= 0 or session.is_operator:
            return True
        now = time.monotonic()
        if session.listings is None:
            session.listings = TokenBucket(per_minute / 60.0, max(5, per_minute // 3), now)
        return session.listings.allow(now)

    def who(self, session: Session, command: Who) -> UserList:
        """Who is online, each user once."""
        if not self.may_list(session):
            return UserList((), Outcome.TOO_MANY_LISTINGS)
        return UserList(tuple(self._core.who()))

    def list_rooms(self, session: Session, command: ListRooms) -> RoomList:
        """The rooms the asker may see, with their members, at most `max_rooms_listed`."""
        if not self.may_list(session):
            return RoomList((), outcome=Outcome.TOO_MANY_LISTINGS)
        views = self._core.room_views(session.user)
        shown = self._core.config.max_rooms_listed
        return RoomList(tuple(views[:shown]), max(0, len(views) - shown))
