"""Session tokens: issued once, kept as a hash, a sliding 7-day expiry, and revocation; an
account's kept in the store, so that it outlives the server."""

from __future__ import annotations

import hashlib
import time

from parley.chat.answers import Outcome
from parley.chat.commands import ChangePassword, IssueToken, Resume, RevokeToken, Signup
from parley.chat.model import Session
from parley.chat.ports import Ports
from parley.chat.store import StoredToken
from parley.chat.tokens import MAX_PER_NAME, TOKEN_LIFETIME, TokenBook, TokenCheck
from tests.chat.conftest import World, in_world


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def no_account(key: str) -> bool:
    return False


def test_a_token_signs_its_name_in_and_is_held_only_as_a_hash() -> None:
    book = TokenBook()
    token = book.issue("alice", account=False)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert book.check(token, has_account=no_account) == TokenCheck("alice", False)
    assert token.encode() not in repr(book.__dict__).encode()
    assert book.check("forged", has_account=no_account) is None


def test_expiry_slides_with_use() -> None:
    clock = Clock()
    book = TokenBook(clock)
    token = book.issue("alice", account=False)
    clock.now += TOKEN_LIFETIME - 1
    assert book.check(token, has_account=no_account) is not None  # used: the week restarts
    clock.now += TOKEN_LIFETIME - 1
    assert book.check(token, has_account=no_account) is not None
    clock.now += TOKEN_LIFETIME + 1
    assert book.check(token, has_account=no_account) is None
    assert len(book) == 0


def test_signout_and_password_change_end_tokens() -> None:
    book = TokenBook()
    one, two = book.issue("bob", account=True), book.issue("bob", account=True)
    has = {"bob"}.__contains__
    assert book.revoke(one)
    assert book.check(one, has_account=has) is None
    assert book.check(two, has_account=has) is not None
    assert book.revoke_name("bob") == 1
    assert book.check(two, has_account=has) is None


def test_an_account_token_ends_with_the_account() -> None:
    book = TokenBook()
    token = book.issue("bob", account=True)
    assert book.check(token, has_account=no_account) is None


def test_a_name_only_token_ends_when_another_takes_the_name() -> None:
    book = TokenBook()
    token = book.issue("carol", account=False)
    book.claimed("carol")  # someone else registered the name meanwhile
    assert book.check(token, has_account=no_account) is None


def test_resuming_keeps_the_holders_tokens_good() -> None:
    book = TokenBook()
    token = book.issue("dan", account=False)
    other = book.issue("dan", account=False)
    assert book.check(token, has_account=no_account) is not None
    book.claimed("dan")  # the resume itself takes the name again
    book.resumed(token)
    assert book.check(token, has_account=no_account) is not None
    assert book.check(other, has_account=no_account) is not None


def test_tokens_per_name_are_bounded() -> None:
    clock = Clock()
    book = TokenBook(clock)
    first = book.issue("eve", account=False)
    for _ in range(MAX_PER_NAME):
        clock.now += 1
        book.issue("eve", account=False)
    assert len(book) == MAX_PER_NAME
    assert book.check(first, has_account=no_account) is None  # the stalest went


# An account's tokens are kept in the store: a new core on the same store (a restart) takes
# them; expiry, signout and a password change end them there too.


async def restarted(world: World) -> World:
    """A new core on the same store, as after a restart of the server."""
    again = World(ports=Ports(world.store, world.keeper))
    again.store = world.store
    await again.core.registration.load()
    return again


async def signed_up(world: World, name: str) -> tuple[Session, str]:
    session, _ = world.connect()
    assert (await world.run(session, Signup(name, "a long secret"))).ok
    issued = await world.run(session, IssueToken())
    assert issued.ok and issued.detail
    return session, issued.detail


def test_an_account_token_survives_a_restart_and_a_name_only_one_does_not() -> None:
    async def body(world: World) -> None:
        _, token = await signed_up(world, "alice")
        guest, _ = await world.user("gus")
        guest_token = (await world.run(guest, IssueToken())).detail
        assert len(world.core.resumption.book) == 1  # only the name without an account
        again = await restarted(world)
        session, _ = again.connect()
        answer = await again.run(session, Resume(token))
        assert answer.ok and answer.name == "alice", answer
        other, _ = again.connect()
        assert (await again.run(other, Resume(guest_token))).outcome is Outcome.BAD_TOKEN

    in_world(body)


def test_a_kept_token_expires_a_week_after_its_last_use() -> None:
    async def body(world: World) -> None:
        _, token = await signed_up(world, "bob")
        digest = hashlib.sha256(token.encode()).digest()
        kept = await world.store.get_token(digest)
        assert kept is not None and kept.key == "bob"
        old = time.time() - TOKEN_LIFETIME - 1
        await world.store.save_token(StoredToken(digest, "bob", old), keep=MAX_PER_NAME)
        again = await restarted(world)
        session, _ = again.connect()
        assert (await again.run(session, Resume(token))).outcome is Outcome.BAD_TOKEN
        assert await world.store.get_token(digest) is None  # forgotten, not just refused

    in_world(body)


def test_a_kept_tokens_use_slides_its_expiry_and_signout_ends_it() -> None:
    async def body(world: World) -> None:
        _, token = await signed_up(world, "cy")
        digest = hashlib.sha256(token.encode()).digest()
        old = time.time() - TOKEN_LIFETIME + 60
        await world.store.save_token(StoredToken(digest, "cy", old), keep=MAX_PER_NAME)
        session, _ = world.connect()
        assert (await world.run(session, Resume(token))).ok
        kept = await world.store.get_token(digest)
        assert kept is not None and kept.used > old + 30  # used now: another week
        assert (await world.run(session, RevokeToken(token))).ok
        assert await world.store.get_token(digest) is None

    in_world(body)


def test_a_password_change_ends_the_kept_tokens() -> None:
    async def body(world: World) -> None:
        session, token = await signed_up(world, "di")
        assert (await world.run(session, ChangePassword("a long secret", "another secret"))).ok
        again = await restarted(world)
        other, _ = again.connect()
        assert (await again.run(other, Resume(token))).outcome is Outcome.BAD_TOKEN

    in_world(body)
