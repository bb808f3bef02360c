"""The `TokenStore` contract: every store (memory, SQLite, any later one) passes it unchanged.

Accounts' session tokens as digests: kept, refreshed, bounded per account, forgotten one at
a time, all of an account's at once, by age, and with the account. For SQLite, also across
closing and opening the file: what a restart sees.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from parley.chat.store import Store, StoredToken, UnknownKeyError
from parley.store import SQLiteStore
from tests.store.conftest import StoreFactory, database, run, with_store


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def test_a_token_is_kept_read_refreshed_and_forgotten(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("alice", "Alice", "h")
        token = StoredToken(digest("one"), "alice", 100.0)
        assert await store.get_token(token.digest) is None
        await store.save_token(token, keep=20)
        assert await store.get_token(token.digest) == token
        await store.save_token(StoredToken(token.digest, "alice", 250.0), keep=20)  # a use
        assert await store.get_token(token.digest) == StoredToken(token.digest, "alice", 250.0)
        assert await store.delete_token(token.digest)
        assert not await store.delete_token(token.digest)
        assert await store.get_token(token.digest) is None

    with_store(new_store, body)


def test_only_accounts_have_kept_tokens(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        with pytest.raises(UnknownKeyError):
            await store.save_token(StoredToken(digest("x"), "nobody", 1.0), keep=20)
        assert await store.get_token(digest("x")) is None

    with_store(new_store, body)


def test_each_account_keeps_its_most_recently_used_tokens(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("bob", "bob", "h")
        await store.create_account("carol", "carol", "h")
        await store.save_token(StoredToken(digest("carol"), "carol", 1.0), keep=3)
        for k in range(5):  # used at 10, 11, ... 14: the two oldest go
            await store.save_token(StoredToken(digest(f"bob{k}"), "bob", 10.0 + k), keep=3)
        kept = [await store.get_token(digest(f"bob{k}")) is not None for k in range(5)]
        assert kept == [False, False, True, True, True]
        assert await store.get_token(digest("carol")) is not None  # another account's stay

    with_store(new_store, body)


def test_an_accounts_tokens_end_together_and_with_the_account(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        for name in ("dan", "erin"):
            await store.create_account(name, name, "h")
            for k in range(2):
                await store.save_token(StoredToken(digest(f"{name}{k}"), name, 5.0), keep=20)
        assert await store.delete_tokens("dan") == 2  # a password change
        assert await store.delete_tokens("dan") == 0
        assert await store.get_token(digest("dan0")) is None
        assert await store.delete_account("erin")
        assert await store.get_token(digest("erin0")) is None
        assert await store.get_token(digest("erin1")) is None
        await store.create_account("erin", "erin", "h")  # a new account of the same name
        assert await store.get_token(digest("erin0")) is None

    with_store(new_store, body)


def test_tokens_expire_by_their_last_use(new_store: StoreFactory) -> None:
    async def body(store: Store) -> None:
        await store.create_account("fay", "fay", "h")
        for k, used in enumerate((100.0, 200.0, 300.0)):
            await store.save_token(StoredToken(digest(f"fay{k}"), "fay", used), keep=20)
        assert await store.expire_tokens(200.0) == 1  # last used before 200
        assert await store.get_token(digest("fay0")) is None
        assert await store.get_token(digest("fay1")) is not None
        assert await store.expire_tokens(1000.0) == 2

    with_store(new_store, body)


def test_sqlite_keeps_tokens_across_a_restart(tmp_path: Path) -> None:
    token = StoredToken(digest("kept"), "gus", 42.0)

    async def first() -> None:
        store = SQLiteStore(database(tmp_path))
        await store.open()
        await store.create_account("gus", "Gus", "h")
        await store.save_token(token, keep=20)
        await store.close()

    async def second() -> StoredToken | None:
        store = SQLiteStore(database(tmp_path))
        await store.open()
        try:
            return await store.get_token(token.digest)
        finally:
            await store.close()

    run(first())
    assert run(second()) == token
    raw = database(tmp_path).read_bytes()
    assert b"kept" not in raw  # only the digest is in the file
