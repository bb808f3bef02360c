"""Session tokens: issued once, kept as a hash, a sliding 7-day expiry, and revocation."""

from __future__ import annotations

from parley.chat.tokens import MAX_PER_NAME, TOKEN_LIFETIME, TokenBook, TokenCheck


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
