"""The chat core: live users and rooms, and the command table that runs every use case.

`ChatCore.execute(session, command)` looks the command up in one table (what it needs, which
use case handles it) and returns the answer, or a coroutine of it when the use case needs the
store. Doors never decide a rule: they translate their dialect into commands and answers.

Deliveries go straight to the sessions concerned (`Session.deliver`, once per session, the
same event object for all) and, for other nodes, onto the bus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar, cast

from parley.chat import commands as c
from parley.chat.answers import (
    Answer,
    Done,
    Entered,
    HistoryPage,
    Outcome,
    Registered,
    RoomList,
    RoomView,
    TopicView,
    UnreadCounts,
    UserList,
)
from parley.chat.bus import LocalBus, Routed
from parley.chat.events import LOBBY, OPERATOR_NAME, Delivery, Presence, RoomMessage
from parley.chat.limits import RoomLimits
from parley.chat.messaging import Messaging
from parley.chat.model import Endpoint, Room, Session, User, room_key
from parley.chat.moderation import Moderation
from parley.chat.names import confusable_key, look_alike_key, name_key
from parley.chat.ports import CoreConfig, Ports
from parley.chat.profiles import Profiles
from parley.chat.reading import Reading
from parley.chat.registration import Registration
from parley.chat.relaying import Relaying
from parley.chat.renaming import Renaming
from parley.chat.roominfo import RoomInfo
from parley.chat.rooms import Rooms
from parley.chat.searching import Searching
from parley.chat.tokens import Resumption
from parley.records import record

A = TypeVar("A", bound=Answer)


@record
class Rule:
    """One row of the command table."""

    handler: Callable[[Session, Any], Any]
    registered: bool  # only a registered session (or the server operator) may use it
    refusal: Answer  # the answer for a session that may not


def _not_registered(answer_type: type[Answer]) -> Answer:
    refusals: dict[type[Answer], Answer] = {
        Done: Done(Outcome.NOT_REGISTERED),
        Registered: Registered(Outcome.NOT_REGISTERED),
        Entered: Entered(Outcome.NOT_REGISTERED, ""),
        TopicView: TopicView(Outcome.NOT_REGISTERED, ""),
        HistoryPage: HistoryPage(Outcome.NOT_REGISTERED, ""),
        UserList: UserList(()),
        RoomList: RoomList(()),
    }
    return refusals[answer_type]


class ChatCore:
    """Users, rooms and the use cases, for one server node."""

    def __init__(self, ports: Ports, config: CoreConfig | None = None) -> None:
        self.ports = ports
        self.config = config or CoreConfig()
        self.users: dict[str, User] = {}
        self.lobby = Room(LOBBY)
        self.rooms: dict[str, Room] = {LOBBY: self.lobby}
        self.seen: dict[str, str] = {}  # name key -> spelling, of names used since start
        self.watchers: dict[Session, None] = {}  # sessions told when users quit
        self.looks: dict[str, str] = {}  # confusable key -> name key, of users online
        self.peak_users = 0  # the most users online at once since start (IRC's LUSERS max)
        self.registration = Registration(self)
        self.messaging = Messaging(self)
        self.room_cases = Rooms(self)
        self.moderation = Moderation(self)
        self.reading = Reading(self)  # read markers and unread counts (the web door's)
        self.resumption = Resumption(self)  # session tokens (the web door's resume)
        self.renaming = Renaming(self)  # NICK after registration
        self.profiles = Profiles(self)  # away messages and real names
        self.limits = RoomLimits(self)  # room member limits (IRC's +l)
        self.relaying = Relaying(self)  # notices and lines with client tags (IRC's)
        self.room_info = RoomInfo(self)  # when rooms were made, who set their topics
        self._table = self._build_table()
        self._table.update(self._web_rows())
        self._table.update(self._profile_rows())
        self.searching = Searching(self)
        self._table[c.Search] = Rule(self.searching.search, True, _not_registered(HistoryPage))
        ports.bus.subscribe(self._from_bus)
        self._remote = not isinstance(ports.bus, LocalBus)

    def _build_table(self) -> dict[type, Rule]:
        r, m, rooms, mod = self.registration, self.messaging, self.room_cases, self.moderation
        rows: list[tuple[type, type[Answer], bool, Callable[[Session, Any], Any]]] = [
            (c.Register, Registered, False, r.register),
            (c.Login, Registered, False, r.login),
            (c.Signup, Registered, False, r.signup),
            (c.NameStatus, Done, False, r.name_status),
            (c.Welcome, Registered, True, r.welcome),
            (c.CreateAccount, Done, True, r.create_account),
            (c.ChangePassword, Done, True, r.change_password),
            (c.DeleteAccount, Done, True, r.delete_account),
            (c.Say, Done, True, m.say),
            (c.SendDirect, Done, True, m.send_direct),
            (c.ShowTyping, Done, True, m.show_typing),
            (c.History, HistoryPage, True, m.history),
            (c.Join, Entered, True, rooms.join),
            (c.Leave, Done, True, rooms.leave),
            (c.Quit, Done, True, rooms.quit),
            (c.GetTopic, TopicView, True, rooms.get_topic),
            (c.SetTopic, Done, True, rooms.set_topic),
            (c.Who, UserList, True, rooms.who),
            (c.ListRooms, RoomList, True, rooms.list_rooms),
            (c.SetRole, Done, True, mod.set_role),
            (c.SetFlag, Done, True, mod.set_flag),
            (c.Kick, Done, True, mod.kick),
            (c.Invite, Done, True, mod.invite),
        ]
        return {
            command: Rule(handler, registered, _not_registered(answer))
            for command, answer, registered, handler in rows
        }

    def _web_rows(self) -> dict[type, Rule]:
        """Rows for web sessions: tokens and read markers; and tokens end with the password."""
        tokens, reading, r = self.resumption, self.reading, self.registration
        refused = Done(Outcome.NOT_REGISTERED)
        no_counts = UnreadCounts((), Outcome.NOT_REGISTERED)
        return {
            c.Resume: Rule(tokens.resume, False, Registered(Outcome.NOT_REGISTERED)),
            c.IssueToken: Rule(tokens.issue, True, refused),
            c.RevokeToken: Rule(tokens.revoke, False, refused),
            c.Unread: Rule(reading.unread, True, no_counts),
            c.MarkRead: Rule(reading.mark_read, True, no_counts),
            c.ChangePassword: Rule(tokens.ending_tokens(r.change_password), True, refused),
            c.DeleteAccount: Rule(tokens.ending_tokens(r.delete_account), True, refused),
        }

    def _profile_rows(self) -> dict[type, Rule]:
        """Rows for a user's name and profile: renaming, away, real name."""
        refused = Done(Outcome.NOT_REGISTERED)
        return {
            c.Rename: Rule(self.renaming.rename, True, refused),
            c.SetAway: Rule(self.profiles.set_away, True, refused),
            c.SetRealName: Rule(self.profiles.set_real_name, True, refused),
            c.SetBot: Rule(self.profiles.set_bot, True, refused),
            c.SetLimit: Rule(self.limits.set_limit, True, refused),
            c.Relay: Rule(self.relaying.relay, True, refused),
            c.SendTags: Rule(self.relaying.send_tags, True, refused),
            c.ListenForTags: Rule(self.relaying.listen, True, refused),
            c.Join: Rule(
                self.room_info.noting_creation(self.limits.limited(self.room_cases.join)),
                True,
                Entered(Outcome.NOT_REGISTERED, ""),
            ),
            c.SetTopic: Rule(
                self.room_info.noting_topic(self.room_cases.set_topic),
                True,
                Done(Outcome.NOT_REGISTERED),
            ),
        }

    # Running commands ----------------------------------------------------------------------

    def execute(self, session: Session, command: c.Command[A]) -> A | Coroutine[Any, Any, A]:
        """Run `command` for `session`: its answer, or a coroutine of it (store work)."""
        rule = self._table[type(command)]
        if rule.registered and session.user is None and not session.is_operator:
            return cast(A, rule.refusal)
        return cast("A | Coroutine[Any, Any, A]", rule.handler(session, command))

    async def run(self, session: Session, command: c.Command[A]) -> A:
        """Run `command` and wait for its answer (for callers that may always wait)."""
        result = self.execute(session, command)
        if isinstance(result, Coroutine):
            return await result
        return result

    # Sessions ------------------------------------------------------------------------------

    def open_session(
        self,
        endpoint: Endpoint,
        deliver: Callable[[Delivery], None],
        host: str = "?",
        address: str = "?",
        *,
        is_operator: bool = False,
    ) -> Session:
        """A session for a new connection (not registered yet)."""
        return Session(endpoint, deliver, host, address, is_operator=is_operator)

    def close_session(self, session: Session) -> str | None:
        """The connection is gone: detach it; the user goes when its last session does
        (with the reason its last `Quit` gave).

        Returns the user's name if this was its last session. A quit costs O(watchers + the
        user's rooms), not O(everyone online).
        """
        self.watchers.pop(session, None)
        user = session.user
        if user is None:
            return None
        session.user = None
        user.sessions.remove(session)
        for room in user.rooms:
            room.refresh()
        if user.sessions:
            return None
        self.forget_user(user, session.quit_reason)
        return user.name

    def forget_user(self, user: User, reason: str = "") -> None:
        """Take `user` out of every room and release its name; watchers hear it quit."""
        del self.users[user.key]
        self.profiles.forget(user)
        if not user.account:
            self.reading.markers.forget(user.key)  # a name's only identity went with it
        self.looks.pop(confusable_key(user.name), None)
        self.ports.directory.release(user.key, self.ports.node)
        for room in list(user.rooms):
            self.remove_member(room, user)
        event = Presence(user.name, "*", "quit", reason)
        for watcher in tuple(self.watchers):
            watcher.deliver(event)
        self.publish("everyone", "", event)

    def looks_like_another(self, key: str, name: str) -> bool:
        """Whether `name` is a look-alike of a different name online or with an account."""
        accounts = self.registration.account_looks
        for look in {confusable_key(name), look_alike_key(name)}:
            holder = self.looks.get(look) or accounts.get(look)
            if holder is not None and holder != key:
                return True
        return False

    def watch_presence(self, session: Session) -> None:
        """`session` wants to hear when users quit (everyone shares the lobby, so: anyone)."""
        self.watchers[session] = None

    def attach(self, session: Session, user: User) -> None:
        """Add `session` to `user` (its first, or one more device)."""
        session.user = user
        user.sessions.append(session)
        for room in user.rooms:
            room.refresh()

    def new_user(self, session: Session, key: str, name: str, *, account: bool) -> User | None:
        """Make `session` the first session of a new user `name`; None if the name is held."""
        if key in self.users or self.looks_like_another(key, name):
            return None
        if not self.ports.directory.claim(key, self.ports.node):
            return None
        user = self.users[key] = User(key, name, account=account)
        self.peak_users = max(self.peak_users, len(self.users))
        self.looks[confusable_key(name)] = key
        self.seen[key] = name
        self.resumption.book.claimed(key)  # a token of whoever held the name before ends
        self.attach(session, user)
        self.enter(user, self.lobby, announce=False)
        return user

    # Rooms ---------------------------------------------------------------------------------

    def room(self, name: str) -> Room | None:
        """The room called `name` (any spelling), or None."""
        return self.rooms.get(room_key(name))

    def create_room(self, name: str, creator: User, topic: str = "") -> Room:
        """A new room `name` (or the one made meanwhile); its creator is its operator."""
        room = self.rooms.get(room_key(name))
        if room is None:
            room = self.rooms[room_key(name)] = Room(name)
            room.topic = topic
            room.operators.add(creator.key)
        return room

    def enter(self, user: User, room: Room, *, announce: bool) -> None:
        """Make `user` a member of `room`; its members (the joiner too) hear it if `announce`."""
        room.members[user] = None
        room.refresh()
        user.rooms.append(room)
        if announce:
            self.to_room(room, Presence(user.name, room.name, "joined"))

    def remove_member(self, room: Room, user: User) -> None:
        """Take `user` out of `room` (no announcement); an empty room other than the lobby goes."""
        room.members.pop(user, None)
        room.refresh()
        if room in user.rooms:
            user.rooms.remove(room)
        if not room.members and not room.is_lobby:
            self.rooms.pop(room.key, None)

    def view(self, room: Room) -> RoomView:
        """`room` as a listing shows it."""
        members = room.members
        operators = tuple(u.name for u in members if u.key in room.operators)
        voiced = tuple(u.name for u in members if u.key in room.voiced)
        muted = tuple(u.name for u in members if u.key in room.muted)
        return RoomView(room.name, room.view(), room.topic, operators, voiced, muted)

    # Deliveries ----------------------------------------------------------------------------

    def to_room(self, room: Room, event: Delivery, exclude: Session | None = None) -> None:
        """Deliver `event` to every session in `room` (but `exclude`), here and on other nodes."""
        for session in room.fan_out:
            if session is not exclude:
                session.deliver(event)
        if self._remote:
            self.publish("room", room.key, event)

    def to_user(self, user: User, event: Delivery, exclude: Session | None = None) -> None:
        """Deliver `event` to every session of `user` but `exclude`."""
        for session in user.sessions:
            if session is not exclude:
                session.deliver(event)

    def publish(self, scope: Any, key: str, event: Delivery) -> None:
        """Tell the other nodes (nothing to do with one node: not even a `Routed`)."""
        if self._remote:
            self.ports.bus.publish(Routed(scope, key, event, self.ports.node))

    def _from_bus(self, routed: Routed) -> None:
        """Another node delivered something: hand it to the sessions here that it concerns."""
        if routed.scope == "room":
            room = self.rooms.get(routed.key)
            if room is not None:
                room.deliver(routed.event)
        elif routed.scope == "user":
            user = self.users.get(routed.key)
            if user is not None:
                self.to_user(user, routed.event)
        else:
            for watcher in tuple(self.watchers):
                watcher.deliver(routed.event)

    def announce(self, text: str) -> int:
        """Deliver `text` from the server operator to everyone; return how many sessions."""
        self.to_room(self.lobby, RoomMessage(OPERATOR_NAME, (text,), LOBBY, at=time.time()))
        return len(self.lobby.fan_out)

    # Queries -------------------------------------------------------------------------------

    def who(self) -> list[str]:
        """Online names (each user once), sorted as people expect."""
        return sorted((u.name for u in self.users.values()), key=str.casefold)

    def room_views(self, viewer: User | None = None) -> list[RoomView]:
        """Every room with its members, the lobby first; secret rooms only to members."""
        listing = []
        for room in sorted(self.rooms.values(), key=lambda r: (not r.is_lobby, r.name)):
            if room.secret and (viewer is None or viewer not in room.members):
                continue
            listing.append(self.view(room))
        return listing

    def user(self, name: str) -> User | None:
        """The online user called `name`, or None."""
        return self.users.get(name_key(name))

    def sessions(self) -> Iterator[Session]:
        """Every registered session."""
        return iter([s for user in list(self.users.values()) for s in user.sessions])

    def __len__(self) -> int:
        """How many users are online."""
        return len(self.users)
