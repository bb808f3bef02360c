"""Session tokens: how a web page signs in again after a reload or a reconnect (`resume`).

A token is 256 random bits handed to the client once; the server keeps only its SHA-256, so
a copy of the server's memory does not sign anyone in. Each token is bound to a name key and
to whether it was issued to an account. It is valid for `TOKEN_LIFETIME` seconds after its
last use (a sliding expiry), and it ends with `signout`, a password change or the account's
deletion; a token of a name without an account ends when someone else takes the name (the
name is its holder's only identity, so whoever has it next must not be signed in as them).

An account's tokens are kept in the store (`parley.chat.store.TokenStore`, as digests), so
that a page resumes after the server restarts; `TokenBook` holds the tokens of names without
an account, in memory, since such a name is nobody's once the server that knew its holder has
gone. This module knows no socket and no wire format.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parley.chat.answers import Done, Outcome, Registered
from parley.chat.commands import IssueToken, Resume, RevokeToken
from parley.chat.store import StoredToken, TokenStore
from parley.records import record

if TYPE_CHECKING:
    from parley.chat.core import ChatCore
    from parley.chat.model import Session, User

TOKEN_LIFETIME = 7 * 24 * 3600.0  # seconds after the last use
MAX_TOKENS = 100_000  # held in all; the stalest go first past that
MAX_PER_NAME = 20  # held per name (tabs, devices); the stalest go first


@dataclass(slots=True)
class _Grant:
    """What a token's hash stands for."""

    key: str  # the name key
    account: bool
    claim: int  # for a name without an account: the name's claim count when issued
    used: float  # last issue or use, for the sliding expiry


@record
class TokenCheck:
    """A token that is still good: the name key it signs in and whether it is an account's."""

    key: str
    account: bool


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


def new_token() -> tuple[str, bytes]:
    """A new token and the digest the server keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


class TokenBook:
    """The tokens issued by one server node.

    `claimed` is told every time a name is taken (by whatever door): that is how a token of
    a name without an account ends when another person takes the name.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._grants: dict[bytes, _Grant] = {}
        self._by_key: dict[str, set[bytes]] = {}
        self._claims: dict[str, int] = {}  # name key -> times taken, for names with tokens

    def __len__(self) -> int:
        return len(self._grants)

    def issue(self, key: str, *, account: bool) -> str:
        """A new token for the holder of `key` (who holds it right now)."""
        token, digest = new_token()
        held = self._by_key.setdefault(key, set())
        claim = self._claims.setdefault(key, 1)
        self._grants[digest] = _Grant(key, account, claim, self._clock())
        held.add(digest)
        if len(held) > MAX_PER_NAME:
            self._drop(min(held, key=lambda d: self._grants[d].used))
        if len(self._grants) > MAX_TOKENS:
            self._drop(min(self._grants, key=lambda d: self._grants[d].used))
        return token

    def check(self, token: str, *, has_account: Callable[[str], bool]) -> TokenCheck | None:
        """The grant of `token` if it is still good (and its expiry slides); else None.

        `has_account(key)` says whether the name has an account now: an account's token
        whose account is gone is no good, nor is a name-only token of a name that has an
        account now.
        """
        digest = _digest(token)
        grant = self._grants.get(digest)
        if grant is None:
            return None
        now = self._clock()
        stale = now - grant.used > TOKEN_LIFETIME
        taken = not grant.account and self._claims.get(grant.key, 0) != grant.claim
        if stale or taken or has_account(grant.key) != grant.account:
            self._drop(digest)
            return None
        grant.used = now
        return TokenCheck(grant.key, grant.account)

    def resumed(self, token: str) -> None:
        """The holder of `token` took its name back with it: the name's claim stays theirs."""
        grant = self._grants.get(_digest(token))
        if grant is None or grant.account:
            return
        before, now = grant.claim, self._claims.get(grant.key, grant.claim)
        for digest in self._by_key.get(grant.key, ()):
            other = self._grants[digest]
            if other.claim == before:  # the same holder's other tokens stay good too
                other.claim = now

    def claimed(self, key: str) -> None:
        """Someone took the name `key` (a registration, a login, a resume)."""
        if key in self._claims:
            self._claims[key] += 1

    def revoke(self, token: str) -> bool:
        """End `token` (signout); whether it was held."""
        digest = _digest(token)
        if digest not in self._grants:
            return False
        self._drop(digest)
        return True

    def revoke_name(self, key: str) -> int:
        """End every token of `key` (a password change, the account deleted); how many."""
        held = self._by_key.pop(key, set())
        for digest in held:
            self._grants.pop(digest, None)
        self._claims.pop(key, None)
        return len(held)

    def expire(self) -> int:
        """Forget tokens past their lifetime (they would be refused anyway); how many."""
        now = self._clock()
        stale = [d for d, g in self._grants.items() if now - g.used > TOKEN_LIFETIME]
        for digest in stale:
            self._drop(digest)
        return len(stale)

    def _drop(self, digest: bytes) -> None:
        grant = self._grants.pop(digest, None)
        if grant is None:
            return
        held = self._by_key.get(grant.key)
        if held is not None:
            held.discard(digest)
            if not held:
                del self._by_key[grant.key]
                self._claims.pop(grant.key, None)


class Resumption:
    """The token use cases: issue, resume with, revoke; and ending tokens with the password.

    A name without an account gets a token of the `book`; an account's token is kept in the
    store, so that it survives a restart (every check of it is a store read, every use a
    write: once per sign-in, not per message).
    """

    def __init__(self, core: ChatCore, clock: Callable[[], float] = time.time) -> None:
        self._core = core
        self._clock = clock
        self.book = TokenBook(clock)

    @property
    def _store(self) -> TokenStore:
        return self._core.ports.store

    def issue(self, session: Session, command: IssueToken) -> Done | Coroutine[Any, Any, Done]:
        """A token for the asker's name, in the answer's `detail`."""
        user = session.user
        assert user is not None
        if not user.account:
            return Done(Outcome.OK, user.name, self.book.issue(user.key, account=False))
        return self._issue_kept(user.key, user.name)

    async def _issue_kept(self, key: str, name: str) -> Done:
        token, digest = new_token()
        now = self._clock()
        await self._store.expire_tokens(now - TOKEN_LIFETIME)
        await self._store.save_token(StoredToken(digest, key, now), keep=MAX_PER_NAME)
        return Done(Outcome.OK, name, token)

    def revoke(self, session: Session, command: RevokeToken) -> Done | Coroutine[Any, Any, Done]:
        """End the token (signing out); OK whether or not it was still held."""
        if self.book.revoke(command.token):
            return Done(Outcome.OK)
        return self._revoke_kept(command.token)

    async def _revoke_kept(self, token: str) -> Done:
        await self._store.delete_token(_digest(token))
        return Done(Outcome.OK)

    def resume(
        self, session: Session, command: Resume
    ) -> Registered | Coroutine[Any, Any, Registered]:
        """Sign `session` in as the token's name: attach to its user, or take the name again."""
        core = self._core
        if session.user is not None:
            return Registered(Outcome.ALREADY_REGISTERED)
        accounts = core.registration.accounts
        grant = self.book.check(command.token, has_account=accounts.__contains__)
        if grant is None:
            return self._resume_kept(session, command.token)
        online = core.users.get(grant.key)
        if online is not None:
            return self._attach(session, online, grant)
        if grant.account:
            return self._account_back(session, grant.key)
        name = core.seen.get(grant.key)
        if name is None or core.new_user(session, grant.key, name, account=False) is None:
            return Registered(Outcome.NAME_TAKEN, name or "")
        self.book.resumed(command.token)
        return self._welcomed(session)

    async def _resume_kept(self, session: Session, token: str) -> Registered:
        """An account's token, from the store: good for `TOKEN_LIFETIME` after its last use,
        while the account is there; its use slides the expiry."""
        kept = await self._store.get_token(_digest(token))
        if kept is None:
            return Registered(Outcome.BAD_TOKEN)
        now = self._clock()
        if now - kept.used > TOKEN_LIFETIME or kept.key not in self._core.registration.accounts:
            await self._store.delete_token(kept.digest)
            return Registered(Outcome.BAD_TOKEN)
        await self._store.save_token(StoredToken(kept.digest, kept.key, now), keep=MAX_PER_NAME)
        if session.user is not None:
            return Registered(Outcome.ALREADY_REGISTERED)
        online = self._core.users.get(kept.key)
        if online is not None:
            return self._attach(session, online, TokenCheck(kept.key, True))
        return await self._account_back(session, kept.key)

    def _attach(self, session: Session, online: User, grant: TokenCheck) -> Registered:
        """The name is online: an account's token adds this session to it (another device)."""
        core = self._core
        if not online.account or not grant.account:
            return Registered(Outcome.NAME_TAKEN, online.name)
        core.attach(session, online)
        rooms = tuple(core.view(room) for room in online.rooms if not room.is_lobby)
        return Registered(Outcome.OK, online.name, len(core.users) - 1, rooms, attached=True)

    async def _account_back(self, session: Session, key: str) -> Registered:
        core = self._core
        account = await core.ports.store.get_account(key)
        if account is None:
            return Registered(Outcome.BAD_TOKEN)
        if session.user is not None:
            return Registered(Outcome.ALREADY_REGISTERED)
        user = core.new_user(session, key, account.name, account=True)
        if user is None:
            return Registered(Outcome.NAME_TAKEN, account.name)
        user.since = account.created_at
        return self._welcomed(session)

    def _welcomed(self, session: Session) -> Registered:
        core, user = self._core, session.user
        assert user is not None
        welcome = "welcome" if core.registration.has_welcome(user) else ""
        return Registered(Outcome.OK, user.name, len(core.users) - 1, detail=welcome)

    def ending_tokens(
        self, handler: Callable[[Session, Any], Any]
    ) -> Callable[[Session, Any], Any]:
        """`handler` (a password change, an account deletion), ending the name's tokens (in
        memory and in the store) when it succeeds."""

        def run(session: Session, command: Any) -> Any:
            user = session.user
            key = user.key if user is not None else None
            return self._ended(key, handler(session, command))

        return run

    async def _ended(self, key: str | None, result: Done | Coroutine[Any, Any, Done]) -> Done:
        answer = result if isinstance(result, Done) else await result
        if answer.ok and key is not None:
            self.book.revoke_name(key)
            await self._store.delete_tokens(key)
        return answer
