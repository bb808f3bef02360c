"""Room moderation: operators, voice, bans, mutes, flags, kicks and invitations.

One set of rules for every door: the creator of a room is its operator and may make others
operators; the server's own operator (the console) may do everything everywhere. Each change
is announced to the room as a `ModeChanged` (IRC-style letters, which the IRC door will use
as they are and the other doors put in words).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome
from parley.chat.commands import Invite, Kick, MemberRole, RoomFlag, SetFlag, SetRole
from parley.chat.events import OPERATOR_NAME, Invited, Kicked, ModeChanged
from parley.chat.model import Room, Session
from parley.chat.names import name_key

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

ROLE_LETTERS: dict[MemberRole, str] = {"operator": "o", "voice": "v", "ban": "b", "mute": "q"}
FLAG_LETTERS: dict[RoomFlag, str] = {
    "moderated": "m",
    "topic-lock": "t",
    "invite-only": "i",
    "key": "k",
    "secret": "s",
    "no-external": "n",
}
ROLE_OF_LETTER = {letter: role for role, letter in ROLE_LETTERS.items()}
FLAG_OF_LETTER = {letter: flag for flag, letter in FLAG_LETTERS.items()}


def mode_command(room: str, change: str, argument: str = "") -> SetRole | SetFlag | None:
    """The command for an IRC-style mode change (``+o bob``, ``-m``, ``+k key``) in `room`;
    None for an unknown letter or a role without its name. Every door that takes mode letters
    (CHAT/1.0's MODE, IRC's MODE, the console) reads them here."""
    if len(change) != 2 or change[0] not in "+-":
        return None
    on, letter = change[0] == "+", change[1]
    role = ROLE_OF_LETTER.get(letter)
    if role is not None:
        return SetRole(room, argument, role, on) if argument else None
    flag = FLAG_OF_LETTER.get(letter)
    return SetFlag(room, flag, on, argument) if flag is not None else None


class Moderation:
    """The moderation use cases."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core

    def is_operator(self, session: Session, room: Room) -> bool:
        """Whether `session` may moderate `room`."""
        user = session.user
        return session.is_operator or (user is not None and user.key in room.operators)

    def _moderated_room(self, session: Session, name: str) -> Room | Done:
        room = self._core.room(name)
        if room is None:
            return Done(Outcome.NO_SUCH_ROOM, name.removeprefix("#"))
        if not self.is_operator(session, room):
            return Done(Outcome.NOT_OPERATOR, room.name)
        return room

    def set_role(self, session: Session, command: SetRole) -> Done:
        """Give or take operator, voice, ban or mute; operator and voice need a member."""
        room = self._moderated_room(session, command.room)
        if isinstance(room, Done):
            return room
        if room.is_lobby and command.role in ("operator", "voice", "ban"):
            return Done(Outcome.LOBBY_IS_HOME, room.name)
        key = name_key(command.name)
        target = self._core.users.get(key)
        display = target.name if target is not None else command.name
        if command.role in ("operator", "voice") and (target is None or target not in room.members):
            return Done(Outcome.TARGET_NOT_MEMBER, command.name)
        roles = {
            "operator": room.operators,
            "voice": room.voiced,
            "ban": room.banned,
            "mute": room.muted,
        }[command.role]
        if command.on:
            roles.add(key)
        else:
            roles.discard(key)
        change = ("+" if command.on else "-") + ROLE_LETTERS[command.role]
        self._announce(session, room, change, display)
        return Done(Outcome.OK, display)

    def set_flag(self, session: Session, command: SetFlag) -> Done:
        """Turn a room flag on or off (a key needs a value to turn on)."""
        room = self._moderated_room(session, command.room)
        if isinstance(room, Done):
            return room
        if room.is_lobby and command.flag != "moderated":
            return Done(Outcome.LOBBY_IS_HOME, room.name)
        flag, on = command.flag, command.on
        if flag == "moderated":
            room.moderated = on
        elif flag == "topic-lock":
            room.topic_locked = on
        elif flag == "invite-only":
            room.invite_only = on
        elif flag == "secret":
            room.secret = on
        elif flag == "no-external":
            room.no_external = on
        elif flag == "key":
            if on and not command.key:
                return Done(Outcome.BAD_KEY, room.name)
            room.passkey = command.key if on else ""
        else:
            return Done(Outcome.UNKNOWN_MODE, str(flag))
        self._announce(session, room, ("+" if on else "-") + FLAG_LETTERS[flag])
        return Done(Outcome.OK, room.name)

    def kick(self, session: Session, command: Kick) -> Done:
        """Put the user (every session of it) out of the room; everyone in it is told."""
        room = self._moderated_room(session, command.room)
        if isinstance(room, Done):
            return room
        if room.is_lobby:
            return Done(Outcome.LOBBY_IS_HOME, room.name)
        target = self._core.user(command.name)
        if target is None or target not in room.members:
            return Done(Outcome.TARGET_NOT_MEMBER, command.name)
        by = session.name or OPERATOR_NAME
        self._core.to_room(room, Kicked(room.name, target.name, by, command.reason))
        self._core.remove_member(room, target)
        return Done(Outcome.OK, target.name)

    def invite(self, session: Session, command: Invite) -> Done:
        """Let an online user in past invite-only and the key; they are told."""
        core = self._core
        room = core.room(command.room)
        if room is None or room.is_lobby:
            return Done(Outcome.NO_SUCH_ROOM, command.room.removeprefix("#"))
        user = session.user
        if not session.is_operator and (user is None or user not in room.members):
            return Done(Outcome.NOT_MEMBER, room.name)
        if room.invite_only and not self.is_operator(session, room):
            return Done(Outcome.NOT_OPERATOR, room.name)
        target = core.user(command.name)
        if target is None:
            return Done(Outcome.NO_SUCH_USER, command.name)
        if target in room.members:
            return Done(Outcome.TARGET_ALREADY_MEMBER, target.name)
        room.invited.add(target.key)
        core.to_user(target, Invited(room.name, session.name or OPERATOR_NAME, target.name))
        return Done(Outcome.OK, target.name)

    def _announce(self, session: Session, room: Room, change: str, target: str = "") -> None:
        by = session.name or OPERATOR_NAME
        self._core.to_room(room, ModeChanged(room.name, by, change, target))
