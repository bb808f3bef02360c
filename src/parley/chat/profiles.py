"""What a user says about itself while online: an away message and a real name.

IRC's ``AWAY`` and ``USER``/``SETNAME`` set them; every door may show them (IRC's ``WHOIS``,
``WHO`` and ``away-notify``). They last as long as the user is online (the core forgets them
when its last session goes) and are bounded in length. A change is told to every session
online but the one that made it, as `AwayChanged` and `RealNameChanged`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome
from parley.chat.commands import SetAway, SetRealName
from parley.chat.events import AwayChanged, RealNameChanged
from parley.chat.model import Session, User

if TYPE_CHECKING:
    from parley.chat.core import ChatCore

MAX_AWAY = 300  # characters of an away message
MAX_REAL_NAME = 100  # characters of a real name
MAX_USER_NAME = 16  # characters of a user name (IRC's USERLEN)


class Profiles:
    """Away messages and real names of the users online, by name key."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self._away: dict[str, str] = {}
        self._real_names: dict[str, str] = {}
        self._user_names: dict[str, str] = {}

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

    def renamed(self, old_key: str, new_key: str) -> None:
        """A user's name key changed: what it said about itself follows it."""
        for table in (self._away, self._real_names, self._user_names):
            if old_key in table:
                table[new_key] = table.pop(old_key)

    def forget(self, key: str) -> None:
        """The user went offline."""
        self._away.pop(key, None)
        self._real_names.pop(key, None)
        self._user_names.pop(key, None)
