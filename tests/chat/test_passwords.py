"""Password hashing, the dummy hash that hides which names exist, and login throttling."""

from __future__ import annotations

import asyncio
import threading

import argon2
import pytest

from parley.chat import passwords
from parley.chat.passwords import (
    MAX_PASSWORD_LENGTH,
    LoginThrottle,
    address_key,
    check_password,
    check_password_async,
    hash_password,
    hash_password_async,
    needs_rehash,
    password_problem,
    verify_password,
    verify_password_async,
)

# Hashing -----------------------------------------------------------------------------------


def test_a_password_verifies_against_its_own_hash_only() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery ")
    assert not verify_password(stored, "Correct horse battery")
    assert stored != hash_password("correct horse battery")  # salted


def test_hashes_use_the_owasp_argon2id_parameters() -> None:
    parameters = argon2.extract_parameters(hash_password("parameters please"))
    assert parameters.type is argon2.Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        19 * 1024,
        2,
        1,
    )


def test_a_malformed_hash_matches_nothing_and_needs_rehash() -> None:
    assert not verify_password("not a hash", "whatever you like")
    assert not verify_password("", "")
    assert needs_rehash("not a hash")


def test_a_hash_made_with_other_parameters_needs_rehash() -> None:
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    old = weaker.hash("an old password")
    assert verify_password(old, "an old password")  # still accepted, then rehashed
    assert needs_rehash(old)
    assert not needs_rehash(hash_password("a new password"))


def test_passwords_are_compared_after_nfkc_normalisation() -> None:
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    assert verify_password(hash_password(composed), decomposed)
    assert verify_password(hash_password("Password1"), "\uff30assword\uff11")  # full-width


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 8"),
        ("1234567", "at least 8"),
        ("12345678", None),
        ("\u043f\u0430\u0440\u043e\u043b\u044c12", None),  # Cyrillic
        ("🔑🔑🔑🔑🔑🔑🔑🔑", None),
        ("x" * MAX_PASSWORD_LENGTH, None),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "at most 1024"),
    ],
)
def test_password_rules(password: str, problem: str | None) -> None:
    found = password_problem(password)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


# Names without an account ------------------------------------------------------------------


def test_the_dummy_hash_is_made_once_like_any_other_and_matches_nothing() -> None:
    dummy = passwords.DUMMY_HASH
    assert passwords.DUMMY_HASH is dummy
    assert not needs_rehash(dummy)  # same parameters, so same cost, as a real hash
    assert not verify_password(dummy, "")
    assert not verify_password(dummy, "password")
    assert not check_password(None, "any password at all")


def test_warm_up_makes_the_dummy_hash_so_no_login_has_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []

    def counting_hash(password: str) -> str:
        made.append(password)
        return hash_password(password)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    passwords._make_dummy_hash.cache_clear()
    passwords.warm_up()
    assert len(made) == 1
    dummy = passwords.DUMMY_HASH
    assert not check_password(None, "the first login for a name without an account")
    passwords.warm_up()
    assert len(made) == 1  # made once, at warm-up, and never again
    assert passwords.DUMMY_HASH is dummy


def test_without_warm_up_the_dummy_hash_is_made_on_first_use() -> None:
    passwords._make_dummy_hash.cache_clear()
    assert not check_password(None, "no account here")
    assert not needs_rehash(passwords.DUMMY_HASH)


class CountingHasher:
    """`passwords.HASHER`, recording every hash it verifies against (the work it does)."""

    def __init__(self, hasher: argon2.PasswordHasher) -> None:
        self._hasher = hasher
        self.verified: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self._hasher.verify(password_hash, password)

    def __getattr__(self, name: str) -> object:
        return getattr(self._hasher, name)


def test_a_missing_account_costs_as_much_as_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same work, counted rather than timed: one argon2 verification with the same
    parameters (which fix its cost) against a real hash, for either answer."""
    stored = hash_password("the real password")
    passwords.warm_up()  # made before any login, as the server does at start-up
    counting = CountingHasher(passwords.HASHER)
    monkeypatch.setattr(passwords, "HASHER", counting)
    assert not check_password(stored, "a wrong password")
    assert not check_password(None, "a wrong password")
    wrong, missing = counting.verified
    assert wrong == stored
    assert missing == passwords.DUMMY_HASH != stored
    # Memory, passes, lanes, salt and digest sizes: everything the cost depends on.
    assert argon2.extract_parameters(missing) == argon2.extract_parameters(wrong)


# Async wrappers ----------------------------------------------------------------------------


def test_async_hashing_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each hash waits for the event loop to let it go: on the loop itself it would block it
    for good (the wait fails the test), on the hashing threads the loop goes on."""
    real_hash = passwords.hash_password
    started: list[str] = []

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        started_one = asyncio.Event()
        release = threading.Event()

        def held_hash(password: str) -> str:
            started.append(threading.current_thread().name)
            loop.call_soon_threadsafe(started_one.set)
            assert release.wait(5), "the event loop never ran while a hash was being made"
            return real_hash(password)

        monkeypatch.setattr(passwords, "hash_password", held_hash)
        hashing = asyncio.gather(*(hash_password_async(f"password {i}") for i in range(4)))
        await asyncio.wait_for(started_one.wait(), 5)
        release.set()  # the loop runs while a hash is under way
        return list(await hashing)

    hashes = asyncio.run(main())
    assert len(started) == 4
    assert all(name.startswith("parley-argon2") for name in started)
    assert all(verify_password(h, f"password {i}") for i, h in enumerate(hashes))


def test_async_verification_agrees_with_the_blocking_one() -> None:
    stored = hash_password("open sesame")

    async def main() -> list[bool]:
        return [
            await verify_password_async(stored, "open sesame"),
            await verify_password_async(stored, "open says me"),
            await check_password_async(stored, "open sesame"),
            await check_password_async(None, "open sesame"),
        ]

    assert asyncio.run(main()) == [True, False, True, False]


# Throttling --------------------------------------------------------------------------------


def test_backoff_doubles_after_the_free_failures_up_to_the_cap() -> None:
    throttle = LoginThrottle()
    waits = [throttle.backoff(failures, 3) for failures in range(12)]
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert throttle.backoff(10**6, 3) == 60  # no overflow


def test_failures_for_a_name_make_its_next_attempt_wait() -> None:
    throttle = LoginThrottle()
    for now in (0.0, 0.1, 0.2):
        assert throttle.delay("alice", "10.0.0.1", now) == 0
        throttle.failed("alice", "10.0.0.1", now)
    assert throttle.delay("alice", "10.0.0.1", 0.2) == pytest.approx(1.0)
    assert throttle.delay("alice", "10.0.0.9", 0.7) == 0  # a clean address never waits
    assert throttle.delay("alice", "10.0.0.1", 1.2) == 0
    throttle.failed("alice", "10.0.0.1", 1.2)
    assert throttle.delay("alice", "10.0.0.1", 1.2) == pytest.approx(2.0)
    throttle.failed("alice", "10.0.0.1", 3.2)
    assert throttle.delay("alice", "10.0.0.1", 3.2) == pytest.approx(4.0)
    assert throttle.delay("bob", "10.0.0.2", 3.2) == 0  # other names are not slowed


def test_failures_from_an_address_slow_it_down_for_every_name() -> None:
    throttle = LoginThrottle(free_failures_per_address=10)
    for i in range(10):
        throttle.failed(f"guess{i}", "192.0.2.7", float(i))
    assert throttle.delay("someone-new", "192.0.2.7", 9.0) == pytest.approx(1.0)
    assert throttle.delay("someone-new", "192.0.2.8", 9.0) == 0


def test_an_ipv6_host_is_throttled_by_its_slash_64() -> None:
    throttle = LoginThrottle(free_failures_per_address=3)
    for i in range(3):
        throttle.failed(f"name{i}", f"2001:db8:1:2::{i + 1:x}", 0.0)
    assert throttle.delay("fresh", "2001:db8:1:2:ffff::1", 0.0) == pytest.approx(1.0)
    assert throttle.delay("fresh", "2001:db8:1:3::1", 0.0) == 0
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("/run/parley.sock") == "/run/parley.sock"


def test_success_forgives_the_name_but_not_the_address() -> None:
    throttle = LoginThrottle(free_failures=3, free_failures_per_address=3)
    for _ in range(3):
        throttle.failed("alice", "198.51.100.1", 0.0)
    throttle.succeeded("alice", "198.51.100.1", 0.5)
    assert throttle.delay("alice", "198.51.100.2", 0.5) == 0
    assert throttle.delay("alice", "198.51.100.1", 0.5) == pytest.approx(0.5)


def test_idle_entries_are_forgotten() -> None:
    throttle = LoginThrottle(forget_after=300.0)
    for _ in range(5):
        throttle.failed("alice", "203.0.113.5", 0.0)
    assert throttle.delay("alice", "203.0.113.5", 299.0) == 0  # the wait has passed anyway
    assert len(throttle) == 3  # alice, alice from that address, the address
    throttle.failed("bob", "203.0.113.6", 301.0)
    assert len(throttle) == 3  # alice's entries are gone; bob's are new
    throttle.failed("alice", "203.0.113.5", 302.0)
    assert throttle.delay("alice", "203.0.113.5", 302.0) == 0  # counting starts again


def test_the_table_is_bounded() -> None:
    throttle = LoginThrottle(max_entries=100)
    for i in range(5000):
        throttle.failed(f"name{i}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", i / 1000)
    assert len(throttle) <= 100
    assert throttle.delay("name4999", "10.9.9.9", 5.0) == 0  # one failure: no wait yet


def test_others_failures_slow_a_name_only_for_addresses_that_failed_too() -> None:
    throttle = LoginThrottle(free_failures=3)
    for i in range(20):  # a guesser spread over twenty addresses, one guess each
        throttle.failed("alice", f"198.51.100.{i}", float(i))
    assert throttle.delay("alice", "198.51.100.3", 19.0) == pytest.approx(60.0)  # it failed
    assert throttle.delay("alice", "203.0.113.9", 19.0) == 0  # the owner, from elsewhere
    throttle.failed("carol", "203.0.113.9", 19.5)  # the owner's address mistypes another name
    assert throttle.delay("alice", "203.0.113.9", 20.0) == pytest.approx(59.0)


ATTACKER = "192.0.2.66"
OWNER = "203.0.113.10"


def run_attack(throttle: LoginThrottle, seconds: int) -> tuple[list[float], int, list[float]]:
    """One address guesses alice's password once a second; alice logs in every 5 s.

    Returns the attacker's answered waits, how many of its guesses were checked, and the
    waits the owner was asked for.
    """
    attacker_waits: list[float] = []
    checked = 0
    owner_waits: list[float] = []
    for second in range(seconds):
        now = float(second)
        wait = throttle.attempt("alice", ATTACKER, now)
        attacker_waits.append(wait)
        if wait == 0:
            checked += 1
            throttle.failed("alice", ATTACKER, now)  # a wrong password
        if second % 5 == 0:
            owner_wait = throttle.attempt("alice", OWNER, now + 0.5)
            owner_waits.append(owner_wait)
            if owner_wait == 0:
                throttle.succeeded("alice", OWNER, now + 0.5)  # the right password
    return attacker_waits, checked, owner_waits


def test_one_attacker_never_makes_the_owner_wait() -> None:
    """The review's finding: 200 s of guessing left the owner 0 logins in 40."""
    throttle = LoginThrottle()
    attacker_waits, checked, owner_waits = run_attack(throttle, 200)
    assert len(owner_waits) == 40
    assert owner_waits == [0.0] * 40
    assert checked <= throttle.free_failures + 2  # hammering is not free
    refused = [wait for wait in attacker_waits if wait > 0]
    assert refused == sorted(refused)  # the attacker's wait only grows ...
    assert refused[-1] == pytest.approx(throttle.max_delay)  # ... to the cap, and stays there


def test_an_attacker_who_waits_as_told_gets_one_guess_per_max_delay() -> None:
    throttle = LoginThrottle()
    now, checked = 0.0, 0
    while now < 600:
        wait = throttle.attempt("alice", ATTACKER, now)
        if wait == 0:
            checked += 1
            throttle.failed("alice", ATTACKER, now)
            wait = throttle.delay("alice", ATTACKER, now)
        assert throttle.attempt("alice", OWNER, now + 0.1) == 0
        now += max(wait, 0.5)
    # 3 free guesses, one after each wait of 1, 2, 4 ... 32 s, then one a minute: 17 in all.
    assert checked <= 18


def test_hammering_from_an_address_stretches_its_own_wait_only() -> None:
    throttle = LoginThrottle(free_failures=3)
    for now in (0.0, 0.1, 0.2):
        throttle.failed("alice", ATTACKER, now)
    assert throttle.delay("alice", ATTACKER, 0.3) == pytest.approx(0.9)
    assert throttle.attempt("alice", ATTACKER, 0.3) == pytest.approx(2.0)  # counted: 1 -> 2 s
    assert throttle.attempt("alice", ATTACKER, 0.4) == pytest.approx(4.0)
    assert throttle.delay("alice", "192.0.2.67", 0.4) == 0
    assert throttle.delay("bob", ATTACKER, 0.4) == 0  # 5 failures, under the address's 10


def test_waiting_only_for_the_name_costs_an_address_nothing() -> None:
    throttle = LoginThrottle(free_failures=3)
    throttle.failed("alice", OWNER, 0.0)  # the owner mistyped once
    for i in range(10):
        throttle.failed("alice", f"198.51.100.{i}", 1.0)
    first = throttle.attempt("alice", OWNER, 2.0)
    assert first == pytest.approx(59.0)  # the name's wait, because the owner failed too
    for now in (7.0, 12.0, 17.0):
        throttle.attempt("alice", OWNER, now)
    assert throttle.delay("alice", OWNER, 61.0) == 0  # retrying did not stretch it


def test_one_address_is_throttled_across_many_names() -> None:
    throttle = LoginThrottle(free_failures=3, free_failures_per_address=10)
    refused = 0
    for second in range(100):
        name = f"user{second}"  # a new name every time: no name's own limit is reached
        wait = throttle.attempt(name, ATTACKER, float(second))
        if wait > 0:
            refused += 1
        else:
            throttle.failed(name, ATTACKER, float(second))
    assert refused >= 80
    assert throttle.delay("user0", OWNER, 100.0) == 0  # nobody else is slowed
    assert throttle.delay("someone", "192.0.2.67", 100.0) == 0


def test_refused_attempts_never_add_entries() -> None:
    throttle = LoginThrottle(free_failures_per_address=10)
    for i in range(11):
        throttle.failed(f"guess{i}", ATTACKER, 0.0)
    size = len(throttle)
    for i in range(10_000):
        assert throttle.attempt(f"spray{i}", ATTACKER, 1.0 + i / 1000) > 0
    assert len(throttle) == size


def test_memory_stays_bounded_under_a_spread_out_attack() -> None:
    throttle = LoginThrottle(max_entries=1000, forget_after=60.0)
    for i in range(20_000):
        address = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
        now = i / 100
        if throttle.attempt(f"name{i % 500}", address, now) == 0:
            throttle.failed(f"name{i % 500}", address, now)
        assert len(throttle) <= 1000
    throttle.failed("late", "10.200.0.1", 10_000.0)
    assert len(throttle) == 3  # everything idle was forgotten
