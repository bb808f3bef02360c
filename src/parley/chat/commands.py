"""The typed commands the chat core takes, one frozen dataclass per use case.

Each command names the answer it gets back (`Command[Answer type]`), so a door that runs
`core.execute(session, Who())` knows statically that it gets a `UserList`. Doors build these
from their own dialect; nothing here knows a wire format.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from parley.chat.answers import (
    Answer,
    Done,
    Entered,
    HistoryPage,
    Registered,
    RoomList,
    TopicView,
    UnreadCounts,
    UserList,
)
from parley.records import record

A_co = TypeVar("A_co", bound=Answer, covariant=True)


class Command(Generic[A_co]):
    """Base of every command; `A_co` is the type of its answer."""

    __slots__ = ()


# Registration and accounts -----------------------------------------------------------------


@record
class Register(Command[Registered]):
    """Take `name` without a password (refused if it has an account or is online)."""

    name: str


@record
class Login(Command[Registered]):
    """Take `name` with its account's password; attaches to the user if it is online."""

    name: str
    password: str


@record
class Signup(Command[Registered]):
    """Take `name` and create an account for it with `password`."""

    name: str
    password: str


@record
class NameStatus(Command[Done]):
    """Whether `name` needs a password: OK (free), PASSWORD_REQUIRED, or why it cannot be had."""

    name: str


@record
class CreateAccount(Command[Done]):
    """Protect the asker's name with `password`."""

    password: str


@record
class ChangePassword(Command[Done]):
    """Replace the account's password after checking the old one."""

    old: str
    new: str


@record
class DeleteAccount(Command[Done]):
    """Drop the asker's account, its rooms and its direct history."""

    password: str


@record
class Welcome(Command[Registered]):
    """After a registration: rejoin remembered rooms, hand over waiting messages."""


# Messages ---------------------------------------------------------------------------------


@record
class Say(Command[Done]):
    """Say each of `texts` in `room` (the lobby by default)."""

    texts: tuple[str, ...]
    room: str = "lobby"


@record
class SendDirect(Command[Done]):
    """Send `text` to `recipient` alone; kept for them if they are offline."""

    recipient: str
    text: str


@record
class ShowTyping(Command[Done]):
    """Show `room` what the asker is typing (live mode); refused silently past the rate."""

    text: str
    room: str = "lobby"


# Rooms ------------------------------------------------------------------------------------


@record
class Join(Command[Entered]):
    """Join `room`, creating it (the creator is its operator); `key` for a keyed room."""

    room: str
    key: str = ""


@record
class Leave(Command[Done]):
    """Leave `room` (never the lobby), with an optional `reason` its members are told."""

    room: str
    reason: str = ""


@record
class Quit(Command[Done]):
    """This session is leaving the server (its door closes the connection next); if it was the
    user's last, everyone who shares a room with the user hears `reason` (IRC's ``QUIT``)."""

    reason: str = ""


@record
class GetTopic(Command[TopicView]):
    """The topic of `room`."""

    room: str


@record
class SetTopic(Command[Done]):
    """Set (or clear, with "") the topic of `room`."""

    room: str
    topic: str


@record
class Who(Command[UserList]):
    """Who is online."""


@record
class ListRooms(Command[RoomList]):
    """The rooms and their members (secret rooms only to their members)."""


@record
class History(Command[HistoryPage]):
    """Earlier messages of ``#room`` or with ``@name``, `count` of them before id `before`.

    With `after`, the `count` oldest after that id instead: what a client that reconnects
    missed, found by the last id it showed.
    """

    target: str
    count: int | None = None
    before: int | None = None
    after: int | None = None


@record
class Search(Command[HistoryPage]):
    """Messages holding the words of `text`, in ``#room``, with ``@name``, or (no `target`)
    everywhere the asker may read; `count` of the newest, before id `before`."""

    text: str
    target: str | None = None
    count: int | None = None
    before: int | None = None


# Moderation -------------------------------------------------------------------------------

RoomFlag = Literal["moderated", "topic-lock", "invite-only", "key", "secret", "no-external"]
MemberRole = Literal["operator", "voice", "ban", "mute"]


@record
class SetRole(Command[Done]):
    """Give (`on`) or take a role in `room` from `name`: operator, voice, ban or mute."""

    room: str
    name: str
    role: MemberRole
    on: bool = True


@record
class SetFlag(Command[Done]):
    """Turn a room flag on or off; `key` is the key of a keyed room."""

    room: str
    flag: RoomFlag
    on: bool = True
    key: str = ""


@record
class Kick(Command[Done]):
    """Put `name` (all of its connections) out of `room`."""

    room: str
    name: str
    reason: str = ""


@record
class Invite(Command[Done]):
    """Let `name` into `room` past invite-only and the key; the invitee is told."""

    room: str
    name: str


# Web sessions: tokens and read markers -----------------------------------------------------


@record
class Resume(Command[Registered]):
    """Take back the name a session token was issued for (a page reloaded, a reconnect)."""

    token: str


@record
class IssueToken(Command[Done]):
    """A new session token for the asker's name (the answer's `detail`)."""


@record
class RevokeToken(Command[Done]):
    """End `token` (signing out)."""

    token: str


@record
class Unread(Command[UnreadCounts]):
    """The asker's unread counts for its rooms and conversations, counted up to now."""


@record
class MarkRead(Command[UnreadCounts]):
    """The asker has read `target` (``dev`` or ``@bob``) up to message `id`."""

    target: str
    id: int


# Names and profiles (IRC's NICK, AWAY, SETNAME) ---------------------------------------------


@record
class Rename(Command[Done]):
    """Take `name` instead of the asker's name; everyone online is told."""

    name: str


@record
class SetAway(Command[Done]):
    """Mark the asker away with `message`, or back with ""."""

    message: str = ""


@record
class SetRealName(Command[Done]):
    """Give the asker a real name (told to others when `announce`), and a user name: the
    name its client software logs in with (IRC's ``USER``; "" leaves it as it is)."""

    real_name: str
    announce: bool = True
    user_name: str = ""


@record
class SetBot(Command[Done]):
    """Mark the asker as a bot (IRC's bot mode, ``+B``), or not."""

    on: bool = True


@record
class SetLimit(Command[Done]):
    """Let at most `limit` members into `room` (IRC's ``+l``); 0 lifts the limit."""

    room: str
    limit: int


@record
class Relay(Command[Done]):
    """Send `text` to ``#room`` or a user online, as a notice (a line never answered
    automatically: IRC's NOTICE) and/or with client tags (IRC's ``+name=value``) for the
    receivers that understand them. Unlike `SendDirect`, nothing is kept for someone offline."""

    target: str
    text: str
    notice: bool = False
    tags: tuple[tuple[str, str], ...] = ()


@record
class SendTags(Command[Done]):
    """Send client tags alone to ``#room`` or a user online (IRC's TAGMSG); the answer's
    detail is the line's id."""

    target: str
    tags: tuple[tuple[str, str], ...]


@record
class ListenForTags(Command[Done]):
    """The asking session can show tag-only lines (`SendTags`): deliver them to it, or stop."""

    on: bool = True
