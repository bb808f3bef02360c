"""Renaming: a user online takes another name (IRC's ``NICK``), and everyone hears it.

The new name passes the rules a registration passes (valid, not reserved, not held or
protected by an account, not a look-alike of a name in use, claimed in the directory across
nodes), so a rename can never be a way around them. A name with an account is that
account's identity: its user may change the spelling (``ann`` to ``Ann``) but not the name.
Everyone shares the lobby, so the `Renamed` event goes to every session online, on every
door and node; roles in rooms (operator, voice, mute) follow the user to its new name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome
from parley.chat.commands import Rename
from parley.chat.events import Renamed
from parley.chat.model import Session, User
from parley.chat.names import confusable_key, is_reserved, is_valid_name, name_key

if TYPE_CHECKING:
    from parley.chat.core import ChatCore


class Renaming:
    """The rename use case."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core

    def rename(self, session: Session, command: Rename) -> Done:
        """Give the asker the name `command.name`; every session online is told."""
        user = session.user
        assert user is not None
        new = command.name
        if new == user.name:
            return Done(Outcome.OK, new)
        if not is_valid_name(new):
            return Done(Outcome.INVALID_NAME, new)
        if is_reserved(new):
            return Done(Outcome.RESERVED_NAME, new)
        key = name_key(new)
        if key != user.key:
            refusal = self._refusal(user, key, new)
            if refusal is not None:
                return Done(refusal, new)
        old = user.name
        self._move(user, key, new)
        core = self._core
        core.to_room(core.lobby, Renamed(old, new))
        return Done(Outcome.OK, new)

    def _refusal(self, user: User, key: str, name: str) -> Outcome | None:
        """Why `user` may not become `name` (key `key`), or None once the name is claimed."""
        core = self._core
        if user.account:
            return Outcome.ACCOUNT_NAME
        if core.registration.needs_password(key):
            return Outcome.PASSWORD_REQUIRED
        if key in core.users or core.looks_like_another(user.key, name):
            return Outcome.NAME_TAKEN
        if not core.ports.directory.claim(key, core.ports.node):
            return Outcome.NAME_TAKEN
        return None

    def _move(self, user: User, key: str, name: str) -> None:
        """Re-key `user` everywhere the core keeps its name (the new one is claimed)."""
        core, old_key = self._core, user.key
        if key != old_key:
            del core.users[old_key]
            core.users[key] = user
            core.ports.directory.release(old_key, core.ports.node)
            core.reading.markers.forget(old_key)  # a name without an account: its only identity
            core.resumption.book.claimed(key)
            for room in user.rooms:
                for holders in (room.operators, room.voiced, room.muted):
                    if old_key in holders:
                        holders.discard(old_key)
                        holders.add(key)
        core.looks.pop(confusable_key(user.name), None)
        core.looks[confusable_key(name)] = key
        core.seen[key] = name
        core.profiles.renamed(user, old_key, key)
        user.key, user.name = key, name
