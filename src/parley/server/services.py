"""What the doors do with the store: offline delivery, history, accounts, remembered rooms.

Every function here is a coroutine that a door runs as a connection job (`Link.run_job`),
so a client's later lines wait until it is done and take effect in the order sent. The
doors turn the returned values into their own dialect; nothing here formats a reply.

Accounts: a name with an account can be used only by whoever knows its password. Logins
are throttled per name and per address, and a name without an account costs the same
password check as a wrong password, so neither the time nor the answer tells whether a
name has an account.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import Enum

from parley.auth import (
    LoginThrottle,
    check_password_async,
    hash_password_async,
    needs_rehash,
    password_problem,
)
from parley.hub import LOBBY, Hub, Outcome, Peer, Registration, Whispered, room_key
from parley.protocol.names import name_key
from parley.server.config import ServerConfig
from parley.server.keeper import Keeper
from parley.store import Store, StoredMessage
from parley.store.base import StoreError

log = logging.getLogger("parley.server")


class AccountResult(Enum):
    """The answer to a login, sign-up or account command."""

    OK = "ok"
    BAD_LOGIN = "invalid name or password"
    THROTTLED = "too many failed attempts"
    TAKEN = "name in use"
    INVALID_NAME = "invalid name"
    BAD_PASSWORD = "unacceptable password"
    NO_ACCOUNT = "no account"
    ALREADY = "already has an account"
    TOO_MANY = "too many registrations"


@dataclass(frozen=True, slots=True)
class AccountAnswer:
    """An `AccountResult` with the detail a person needs (a wait, a password rule)."""

    result: AccountResult
    detail: str = ""


class Services:
    """Store-backed operations shared by every door of one server."""

    def __init__(
        self, hub: Hub, store: Store, config: ServerConfig, keeper: Keeper | None = None
    ) -> None:
        self.hub = hub
        self.store = store
        self.config = config
        self.keeper = keeper
        self.throttle = LoginThrottle()
        # Which names have accounts, and who has messages waiting: read once at start-up
        # and kept current here, so that an ordinary registration needs no store round trip.
        self._accounts: set[str] = set()
        self._waiting: set[str] = set()

    async def load(self) -> None:
        """Read what the registration path needs to know from the store (at start-up)."""
        self._accounts = await self.store.account_keys()
        self._waiting = await self.store.offline_keys()

    async def _settled(self) -> None:
        """Let messages already relayed reach the store, so that history includes them."""
        if self.keeper is not None:
            await self.keeper.drain()

    # Registration -------------------------------------------------------------------------

    def name_needs_password(self, name: str) -> bool:
        """Whether `name` can only be had by logging in (it has an account, or all must)."""
        return self.config.require_accounts or name_key(name) in self._accounts

    def has_account(self, name: str) -> bool:
        """Whether `name` is protected by a password."""
        return name_key(name) in self._accounts

    def needs_welcome(self, name: str) -> bool:
        """Whether a new registration of `name` has rooms to rejoin or messages waiting."""
        key = name_key(name)
        return key in self._accounts or key in self._waiting

    async def welcome(self, peer: Peer, name: str) -> list[str]:
        """After a registration: rejoin remembered rooms, hand over waiting messages.

        Returns the rooms rejoined (their stored topics restored), for the door to announce.
        """
        key = name_key(name)
        rejoined = []
        for room in await self.store.memberships(key):
            if self.hub.join(peer, room) is Outcome.OK:
                spelled = self.hub.room_name(room) or room
                await self.topic_for_joiner(spelled)
                rejoined.append(spelled)
        self._waiting.discard(key)
        waiting = await self.store.take_offline(key)
        for message in waiting:
            peer.deliver(
                Whispered(message.sender, message.recipient or name, message.text, message.at)
            )
        return rejoined

    # Direct messages ----------------------------------------------------------------------

    async def keep_for_offline(
        self, peer: Peer, sender: str, recipient: str, text: str, known: bool
    ) -> Outcome:
        """Queue a direct message for a recipient who is offline (`known`: seen by the hub)."""
        key = name_key(recipient)
        account = await self.store.get_account(key)
        if account is None and not known:
            return Outcome.NO_SUCH_USER
        if self.hub.direct(peer, recipient, text) is Outcome.OK:  # came online meanwhile
            return Outcome.OK
        if await self.store.offline_count(key) >= self.config.offline_limit:
            return Outcome.QUEUE_FULL
        name = account.name if account else (self.hub.seen_name(recipient) or recipient)
        await self.store.append(sender, text, recipient=name, offline_for=key)
        self._waiting.add(key)
        return Outcome.QUEUED

    # History ------------------------------------------------------------------------------

    async def history(
        self, viewer: str, target: str, count: int | None, before: int | None
    ) -> list[StoredMessage] | None:
        """Messages of room ``#name`` or with user ``@name``; None if `viewer` may not see it.

        A room's history is open to its members (and the lobby's to everyone).
        """
        limit = min(count or self.config.history_lines or 20, 500)
        await self._settled()
        if target.startswith("#"):
            return await self.store.room_history(room_key(target), before_id=before, limit=limit)
        other = target.removeprefix("@")
        return await self.store.direct_history(
            name_key(viewer), name_key(other), before_id=before, limit=limit
        )

    async def recent(self, room: str) -> list[StoredMessage]:
        """The lines shown to someone who joins `room`."""
        if self.config.history_lines <= 0:
            return []
        await self._settled()
        return await self.store.room_history(room_key(room), limit=self.config.history_lines)

    async def topic_for_joiner(self, room: str) -> str:
        """The topic to show someone joining `room`: the hub's, or the one kept in the store."""
        topic = self.hub.topic(room)
        if topic:
            return topic
        key = room_key(room)
        for record in await self.store.rooms():
            if record.key == key and record.topic:
                self.hub.restore_topic(room, record.topic)
                return record.topic
        return ""

    async def remember_topic(self, room: str, topic: str) -> None:
        """Keep a room's topic across restarts."""
        await self.store.save_room(room_key(room), room.removeprefix("#"), topic)

    async def remember_join(self, name: str, room: str, joined: bool) -> None:
        """Keep an account user's room membership across restarts."""
        key = name_key(name)
        if room_key(room) == LOBBY or await self.store.get_account(key) is None:
            return
        if joined:
            await self.store.save_room(room_key(room), room.removeprefix("#"), self.hub.topic(room))
            await self.store.add_membership(key, room_key(room))
        else:
            await self.store.remove_membership(key, room_key(room))

    # Accounts -----------------------------------------------------------------------------

    async def login(self, peer: Peer, name: str, password: str, address: str) -> AccountAnswer:
        """Check `password` for `name` and register `peer` under it."""
        key = name_key(name)
        wait = self.throttle.delay(key, address, time.monotonic())
        if wait > 0:
            return AccountAnswer(AccountResult.THROTTLED, f"{wait:.0f}")
        account = await self.store.get_account(key)
        stored_hash = account.password_hash if account else None
        if not await check_password_async(stored_hash, password) or account is None:
            self.throttle.failed(key, address, time.monotonic())
            return AccountAnswer(AccountResult.BAD_LOGIN)
        self.throttle.succeeded(key, address, time.monotonic())
        if needs_rehash(account.password_hash):
            await self.store.set_password(key, await hash_password_async(password))
        return self._register(peer, account.name)

    async def signup(self, peer: Peer, name: str, password: str) -> AccountAnswer:
        """Register `peer` as `name` and create an account for it."""
        problem = password_problem(password)
        if problem:
            return AccountAnswer(AccountResult.BAD_PASSWORD, problem)
        if await self.store.get_account(name_key(name)) is not None:
            return AccountAnswer(AccountResult.TAKEN)
        answer = self._register(peer, name)
        if answer.result is not AccountResult.OK:
            return answer
        if not await self.store.create_account(
            name_key(name), name, await hash_password_async(password)
        ):
            self.hub.unregister(peer)
            return AccountAnswer(AccountResult.TAKEN)
        self._accounts.add(name_key(name))
        return answer

    def _register(self, peer: Peer, name: str) -> AccountAnswer:
        result = self.hub.register(peer, name)
        if result is Registration.OK:
            return AccountAnswer(AccountResult.OK)
        if result is Registration.INVALID:
            return AccountAnswer(AccountResult.INVALID_NAME)
        return AccountAnswer(AccountResult.TAKEN)

    async def create_account(self, name: str, password: str) -> AccountAnswer:
        """Protect the name `name` (registered now) with `password`."""
        problem = password_problem(password)
        if problem:
            return AccountAnswer(AccountResult.BAD_PASSWORD, problem)
        created = await self.store.create_account(
            name_key(name), name, await hash_password_async(password)
        )
        if created:
            self._accounts.add(name_key(name))
        return AccountAnswer(AccountResult.OK if created else AccountResult.ALREADY)

    async def change_password(self, name: str, old: str, new: str, address: str) -> AccountAnswer:
        """Replace the password of `name`'s account after checking the old one."""
        answer = await self._verify(name, old, address)
        if answer.result is not AccountResult.OK:
            return answer
        problem = password_problem(new)
        if problem:
            return AccountAnswer(AccountResult.BAD_PASSWORD, problem)
        await self.store.set_password(name_key(name), await hash_password_async(new))
        return answer

    async def delete_account(self, name: str, password: str, address: str) -> AccountAnswer:
        """Drop `name`'s account (the name becomes first-come again)."""
        answer = await self._verify(name, password, address)
        if answer.result is AccountResult.OK:
            await self.store.delete_account(name_key(name))
            self._accounts.discard(name_key(name))
        return answer

    async def _verify(self, name: str, password: str, address: str) -> AccountAnswer:
        key = name_key(name)
        wait = self.throttle.delay(key, address, time.monotonic())
        if wait > 0:
            return AccountAnswer(AccountResult.THROTTLED, f"{wait:.0f}")
        account = await self.store.get_account(key)
        if account is None:
            return AccountAnswer(AccountResult.NO_ACCOUNT)
        if not await check_password_async(account.password_hash, password):
            self.throttle.failed(key, address, time.monotonic())
            return AccountAnswer(AccountResult.BAD_LOGIN)
        return AccountAnswer(AccountResult.OK)


__all__ = ["AccountAnswer", "AccountResult", "Services", "StoreError"]
