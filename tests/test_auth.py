"""Password hashing, the dummy hash that hides which names exist, and login throttling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import argon2
import pytest

from parley import auth
from parley.auth import (
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
    dummy = auth.DUMMY_HASH
    assert auth.DUMMY_HASH is dummy
    assert not needs_rehash(dummy)  # same parameters, so same cost, as a real hash
    assert not verify_password(dummy, "")
    assert not verify_password(dummy, "password")
    assert not check_password(None, "any password at all")


def fastest_of_each(repeat: int, *actions: Callable[[], object]) -> list[float]:
    """The least time each action took in `repeat` interleaved rounds.

    Interleaving makes both actions meet the same load from other processes; the least time
    is the one least disturbed by it.
    """
    best = [float("inf")] * len(actions)
    for _ in range(repeat):
        for index, action in enumerate(actions):
            started = time.perf_counter()
            action()
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def test_a_missing_account_costs_as_much_as_a_wrong_password() -> None:
    stored = hash_password("the real password")
    auth.dummy_hash()  # made before timing, as a server warming up would
    wrong, missing = fastest_of_each(
        7,
        lambda: check_password(stored, "a wrong password"),
        lambda: check_password(None, "a wrong password"),
    )
    assert 1 / 3 < missing / wrong < 3  # loose: the test runs beside other processes
    assert wrong > 0.002  # a real argon2 verification, not a shortcut


# Async wrappers ----------------------------------------------------------------------------


def test_async_hashing_runs_off_the_event_loop() -> None:
    async def main() -> tuple[list[str], int]:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                await asyncio.sleep(0.002)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        hashes = await asyncio.gather(*(hash_password_async(f"password {i}") for i in range(4)))
        done = True
        await ticking
        return list(hashes), ticks

    hashes, ticks = asyncio.run(main())
    assert ticks >= 3  # the loop kept running while argon2 worked
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
    assert throttle.delay("alice", "10.0.0.9", 0.7) == pytest.approx(0.5)  # any address
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
    assert len(throttle) == 2
    throttle.failed("bob", "203.0.113.6", 301.0)
    assert len(throttle) == 2  # alice's and her address's entries are gone
    throttle.failed("alice", "203.0.113.5", 302.0)
    assert throttle.delay("alice", "203.0.113.5", 302.0) == 0  # counting starts again


def test_the_table_is_bounded() -> None:
    throttle = LoginThrottle(max_entries=100)
    for i in range(5000):
        throttle.failed(f"name{i}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", i / 1000)
    assert len(throttle) <= 100
    assert throttle.delay("name4999", "10.9.9.9", 5.0) == 0  # one failure: no wait yet
