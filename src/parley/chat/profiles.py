"""What a user says about itself while online: an away message and a real name.

IRC's ``AWAY`` and ``USER``/``SETNAME`` set them; every door may show them (IRC's ``WHOIS``,
``WHO`` and ``away-notify``). They last as long as the user is online (the core forgets them
when its last session goes) and are bounded in length. A change is told to every session
online but the one that made it, as `AwayChanged` and `RealNameChanged`.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome
from parley.chat.commands import SetAway, SetBot, SetRealName
from parley.chat.events import AwayChanged, RealNameChanged
from parley.chat.model import Session, User
from parley.chat.names import name_key
from parley.records import record

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

MAX_AWAY = 300  # characters of an away message
MAX_REAL_NAME = 100  # characters of a real name
MAX_USER_NAME = 16  # characters of a user name (IRC's USERLEN)
MAX_DEPARTED = 500  # names remembered after their user left or renamed (IRC's WHOWAS)


@record
class Departed:
    """A name that was online: who held it, as it described itself, and when it went."""

    name: str
    user_name: str
    real_name: str
    at: float


class Profiles:
    """Away messages and real names of the users online, by name key."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self._away: dict[str, str] = {}
        self._real_names: dict[str, str] = {}
        self._user_names: dict[str, str] = {}
        self._departed: deque[Departed] = deque(maxlen=MAX_DEPARTED)
        self._bots: set[str] = set()

    def away_message(self, user: User) -> str:
        """The user's away message ("": not away)."""
        return self._away.get(user.key, "")

    def real_name(self, user: User) -> str:
        """The user's real name (its name, unless it gave one)."""
        return self._real_names.get(user.key) or user.name

    def user_name(self, user: User) -> str:
        """The user name its client logs in with (its name, unless it gave one)."""
        return self._user_names.get(user.key) or user.name

    def set_away(self, session: Session, command: SetAway) -> Done:
        """Mark the asker away with a message, or back (an empty one)."""
        user = session.user
        assert user is not None
        message = " ".join(command.message.split())[:MAX_AWAY]
        if message == self.away_message(user):
            return Done(Outcome.OK, user.name, message)
        if message:
            self._away[user.key] = message
        else:
            self._away.pop(user.key, None)
        core = self._core
        core.to_room(core.lobby, AwayChanged(user.name, message), session)
        return Done(Outcome.OK, user.name, message)

    def set_real_name(self, session: Session, command: SetRealName) -> Done:
        """Give the asker a real name; announced unless `command.announce` is off."""
        user = session.user
        assert user is not None
        real = " ".join(command.real_name.split())[:MAX_REAL_NAME]
        if not real:
            return Done(Outcome.INVALID_NAME, user.name)
        changed = real != self.real_name(user)
        self._real_names[user.key] = real
        login = "".join(ch for ch in command.user_name if ch.isalnum() or ch in "-_.")
        if login:
            self._user_names[user.key] = login[:MAX_USER_NAME]
        if changed and command.announce:
            core = self._core
            core.to_room(core.lobby, RealNameChanged(user.name, real), session)
        return Done(Outcome.OK, user.name, real)

    def is_bot(self, user: User) -> bool:
        """Whether the user said it is a bot."""
        return user.key in self._bots

    def set_bot(self, session: Session, command: SetBot) -> Done:
        """Mark the asker as a bot, or not (nobody else is told: it shows where it speaks)."""
        user = session.user
        assert user is not None
        if command.on:
            self._bots.add(user.key)
        else:
            self._bots.discard(user.key)
        return Done(Outcome.OK, user.name)

    def was(self, name: str) -> list[Departed]:
        """Who held `name` before (most recent first): IRC's WHOWAS."""
        key = name_key(name)
        return [gone for gone in reversed(self._departed) if name_key(gone.name) == key]

    def just_left(self, name: str) -> Departed | None:
        """`name`'s entry if it is among the last few to go (a quit being told right now)."""
        key = name_key(name)
        for index in range(1, min(len(self._departed), 8) + 1):
            gone = self._departed[-index]
            if name_key(gone.name) == key:
                return gone
        return None

    def _depart(self, user: User) -> None:
        self._departed.append(
            Departed(user.name, self.user_name(user), self.real_name(user), time.time())
        )

    def renamed(self, user: User, old_key: str, new_key: str) -> None:
        """`user` (still under its old name) takes another key: its profile follows it."""
        self._depart(user)
        for table in (self._away, self._real_names, self._user_names):
            if old_key in table:
                table[new_key] = table.pop(old_key)
        if old_key in self._bots:
            self._bots.discard(old_key)
            self._bots.add(new_key)

    def forget(self, user: User) -> None:
        """The user went offline."""
        self._depart(user)
        key = user.key
        self._away.pop(key, None)
        self._real_names.pop(key, None)
        self._user_names.pop(key, None)
        self._bots.discard(key)
