"""Registration, login, sign-up and accounts: who may have which name.

A name with an account can be had only with its password; a second connection that logs in
with the password is attached to the user already online (several devices), while a second
plain registration of a name in use is refused. Logins are throttled (`LoginThrottle`), and
a name without an account costs the same password check as a wrong password, so neither the
answer nor the time tells which names have accounts.

Which names have accounts, and who has messages waiting, is read once at start-up (`load`)
and kept current here, so that an ordinary registration needs no store round trip.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from parley.chat.answers import Done, Outcome, Registered, RoomView
from parley.chat.commands import (
    ChangePassword,
    CreateAccount,
    DeleteAccount,
    Login,
    NameStatus,
    Register,
    Signup,
    Welcome,
)
from parley.chat.events import DirectMessage
from parley.chat.model import Session, User
from parley.chat.names import confusable_key, is_reserved, is_valid_name, name_key
from parley.chat.passwords import (
    LoginThrottle,
    check_password_async,
    hash_password_async,
    needs_rehash,
    password_problem,
)
from parley.chat.store import Account

if TYPE_CHECKING:
    from parley.chat.core import ChatCore


class Registration:
    """The registration and account use cases."""

    def __init__(self, core: ChatCore) -> None:
        self._core = core
        self.throttle = LoginThrottle()
        self.accounts: set[str] = set()  # name keys that have an account
        self.waiting: set[str] = set()  # name keys with offline messages
        self.account_looks: dict[str, str] = {}  # confusable key -> name key, of accounts

    async def load(self) -> None:
        """Read what the registration path needs to know from the store (at start-up)."""
        store = self._core.ports.store
        self.accounts = await store.account_keys()
        self.account_looks = {confusable_key(key): key for key in self.accounts}
        self.waiting = await store.offline_keys()

    # Names ---------------------------------------------------------------------------------

    def _name_problem(self, session: Session, name: str) -> Outcome | None:
        if session.user is not None:
            return Outcome.ALREADY_REGISTERED
        if not is_valid_name(name):
            return Outcome.INVALID_NAME
        if is_reserved(name):
            return Outcome.RESERVED_NAME
        return None

    def needs_password(self, key: str) -> bool:
        """Whether the name `key` can only be had by logging in."""
        return self._core.config.require_accounts or key in self.accounts

    def name_status(self, session: Session, command: NameStatus) -> Done:
        """Whether `name` is free (OK), needs a password (detail: login or signup), or not."""
        problem = self._name_problem(session, command.name)
        if problem is not None:
            return Done(problem, command.name)
        key = name_key(command.name)
        if key in self.accounts:
            return Done(Outcome.PASSWORD_REQUIRED, command.name, "login")
        if self._core.config.require_accounts:
            return Done(Outcome.PASSWORD_REQUIRED, command.name, "signup")
        if key in self._core.users:
            return Done(Outcome.NAME_TAKEN, command.name)
        return Done(Outcome.OK, command.name)

    def register(self, session: Session, command: Register) -> Registered:
        """Take a name without a password: no store round trip."""
        name = command.name
        problem = self._name_problem(session, name)
        if problem is not None:
            return Registered(problem, name)
        key = name_key(name)
        if self.needs_password(key):
            return Registered(Outcome.PASSWORD_REQUIRED, name)
        if self._core.new_user(session, key, name, account=False) is None:
            return Registered(Outcome.NAME_TAKEN, name)
        return self._registered(session)

    def _registered(self, session: Session, *, attached: bool = False) -> Registered:
        core = self._core
        user = session.user
        assert user is not None
        rejoined: tuple[RoomView, ...] = ()
        if attached:
            rooms = [room for room in user.rooms if not room.is_lobby]
            rejoined = tuple(core.view(room) for room in rooms)
        return Registered(
            Outcome.OK,
            user.name,
            others_online=len(core.users) - 1,
            rejoined=rejoined,
            attached=attached,
            detail="welcome" if not attached and self.has_welcome(user) else "",
        )

    def has_welcome(self, user: User) -> bool:
        """Whether rooms to rejoin or messages wait for `user` (then a `Welcome` is due)."""
        return user.key in self.accounts or user.key in self.waiting

    async def welcome(self, session: Session, command: Welcome) -> Registered:
        """Rejoin the account's remembered rooms, then hand over the messages waiting.

        Rejoined rooms are announced to their members (the user included) as joins; the
        answer lists them for doors that greet with them.
        """
        core, store = self._core, self._core.ports.store
        user = session.user
        assert user is not None
        rejoined = []
        if user.account:
            for key in await store.memberships(user.key):
                entered = await core.room_cases.rejoin(user, key)
                if entered is not None:
                    rejoined.append(core.view(entered))
        self.waiting.discard(user.key)
        newer_than = None if user.account else time.time() - core.config.offline_ttl
        for message in await store.take_offline(user.key, newer_than=newer_than):
            recipient = message.recipient or user.name
            queued = DirectMessage(
                message.sender, recipient, message.text, message.at, message.id, message.at
            )
            core.to_user(user, queued)
        return Registered(Outcome.OK, user.name, len(core.users) - 1, tuple(rejoined))

    # Logging in ----------------------------------------------------------------------------

    async def login(self, session: Session, command: Login) -> Registered:
        """Check the password, then register or attach `session` as the account's user."""
        problem = self._name_problem(session, command.name)
        if problem is Outcome.ALREADY_REGISTERED:
            return Registered(problem, command.name)
        key = name_key(command.name)
        account = await self._check(key, command.password, session.host)
        if isinstance(account, Done):
            return Registered(account.outcome, command.name, detail=account.detail)
        return self._log_in(session, key, account)

    def _log_in(self, session: Session, key: str, account: Account) -> Registered:
        """The password was right: attach to the user online, or make it."""
        core, name = self._core, account.name
        online = core.users.get(key)
        if session.user is not None:  # registered while the password was checked
            return Registered(Outcome.ALREADY_REGISTERED, name)
        if online is None:
            user = core.new_user(session, key, name, account=True)
            if user is None:
                return Registered(Outcome.NAME_TAKEN, name)
            user.since = account.created_at  # its conversations reach back to the account's start
            return self._registered(session)
        if not online.account:
            return Registered(Outcome.NAME_TAKEN, name)
        core.attach(session, online)
        return self._registered(session, attached=True)

    async def _check(self, key: str, password: str, host: str) -> Account | Done:
        """Check `password` against `key`'s account, throttled: the account, or why not."""
        throttle = self.throttle
        wait = throttle.attempt(key, host, time.monotonic())
        if wait > 0:
            return Done(Outcome.THROTTLED, detail=f"{wait:.0f}")
        store = self._core.ports.store
        account = await store.get_account(key)
        stored_hash = account.password_hash if account else None
        if not await check_password_async(stored_hash, password) or account is None:
            throttle.failed(key, host, time.monotonic())
            return Done(Outcome.BAD_LOGIN)
        throttle.succeeded(key, host, time.monotonic())
        if needs_rehash(account.password_hash):
            await store.set_password(key, await hash_password_async(password))
        return account

    async def signup(self, session: Session, command: Signup) -> Registered:
        """Register `session` as a new name and create its account."""
        name = command.name
        problem = self._name_problem(session, name) or _password_outcome(command.password)
        if problem is not None:
            detail = password_problem(command.password) or ""
            return Registered(problem, name, detail=detail)
        key, store = name_key(name), self._core.ports.store
        if key in self.accounts or await store.get_account(key) is not None:
            return Registered(Outcome.NAME_TAKEN, name)
        user = self._core.new_user(session, key, name, account=True)
        if user is None:
            return Registered(Outcome.NAME_TAKEN, name)
        if not await store.create_account(key, name, await hash_password_async(command.password)):
            self._core.close_session(session)
            return Registered(Outcome.NAME_TAKEN, name)
        self._account_made(key, name)
        user.since = time.time()  # as the account's creation: nothing before it is its own
        return self._registered(session)

    # Accounts ------------------------------------------------------------------------------

    def _account_made(self, key: str, name: str) -> None:
        self.accounts.add(key)
        self.account_looks[confusable_key(name)] = key

    async def create_account(self, session: Session, command: CreateAccount) -> Done:
        """Protect the asker's name (online now) with a password."""
        user = session.user
        assert user is not None
        problem = password_problem(command.password)
        if problem:
            return Done(Outcome.BAD_PASSWORD, user.name, problem)
        store = self._core.ports.store
        hashed = await hash_password_async(command.password)
        if not await store.create_account(user.key, user.name, hashed):
            return Done(Outcome.HAS_ACCOUNT, user.name)
        self._account_made(user.key, user.name)
        user.account = True
        # What this name said or was told before the account existed is not the account's.
        user.since = time.time()
        return Done(Outcome.OK, user.name)

    async def _owner(self, session: Session, password: str) -> User | Done:
        """The session's user, if it has an account and `password` is its password."""
        user = session.user
        assert user is not None
        if user.key not in self.accounts:
            return Done(Outcome.NO_ACCOUNT, user.name)
        check = await self._check(user.key, password, session.host)
        return check if isinstance(check, Done) else user

    async def change_password(self, session: Session, command: ChangePassword) -> Done:
        """Replace the account's password after checking the old one."""
        user = await self._owner(session, command.old)
        if isinstance(user, Done):
            return user
        problem = password_problem(command.new)
        if problem:
            return Done(Outcome.BAD_PASSWORD, user.name, problem)
        hashed = await hash_password_async(command.new)
        await self._core.ports.store.set_password(user.key, hashed)
        return Done(Outcome.OK, user.name)

    async def delete_account(self, session: Session, command: DeleteAccount) -> Done:
        """Drop the account with its remembered rooms and direct history."""
        user = await self._owner(session, command.password)
        if isinstance(user, Done):
            return user
        store = self._core.ports.store
        await store.delete_account(user.key)
        await store.delete_direct_history(user.key)
        self.accounts.discard(user.key)
        self.account_looks.pop(confusable_key(user.name), None)
        user.account = False
        user.since = time.time()
        return Done(Outcome.OK, user.name)


def _password_outcome(password: str) -> Outcome | None:
    return Outcome.BAD_PASSWORD if password_problem(password) else None
