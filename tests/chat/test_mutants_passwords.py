"""Login-throttle rules that mutation testing found unchecked.

The throttle is pure (the caller passes the time), so each rule is shown at the instant it
turns: an owner who keeps retrying while others' guesses hold the name gets in the moment
that wait ends; the per-name wait applies on a real monotonic clock (large values, not 0);
a record is forgotten exactly `forget_after` seconds after its last failure; the table
holds exactly `max_entries` records; and a string that is not an IP address is its own key.
"""

from __future__ import annotations

import pytest

from parley.chat.passwords import LoginThrottle, address_key

OWNER = "203.0.113.10"
CLOCK = 86_400.0  # a monotonic clock a day after boot: far above `forget_after`


def test_an_owner_retrying_behind_the_names_wait_gets_in_when_it_ends() -> None:
    """Waiting only because others failed at the name is never counted against the owner,
    however often the owner retries: once the name's wait is over, so is the owner's."""
    throttle = LoginThrottle(free_failures=3)
    throttle.failed("alice", OWNER, 0.0)  # the owner mistyped once: the name's wait applies
    for i in range(10):
        throttle.failed("alice", f"198.51.100.{i}", 1.0)
    name_wait = throttle.delay("alice", OWNER, 1.0)
    assert name_wait == pytest.approx(60.0)
    now = 2.0
    while now < 1.0 + name_wait:
        assert throttle.attempt("alice", OWNER, now) > 0
        now += 1.0
    assert throttle.attempt("alice", OWNER, 1.0 + name_wait) == 0


def test_the_names_wait_applies_on_a_real_clock() -> None:
    """A guesser spread over many addresses is slowed by the name's record; the times the
    server passes are a monotonic clock's, far from 0."""
    throttle = LoginThrottle(free_failures=3)
    for i in range(5):
        throttle.failed("alice", f"198.51.100.{i}", CLOCK + i)
    assert throttle.delay("alice", "198.51.100.1", CLOCK + 4) == pytest.approx(4.0)
    assert throttle.delay("alice", OWNER, CLOCK + 4) == 0


def test_an_addresss_own_failure_stops_counting_exactly_forget_after_later() -> None:
    """At `forget_after` seconds after its failure, the owner's address is clean again, so
    others' failures at the name no longer make it wait."""
    throttle = LoginThrottle(free_failures=3, forget_after=900.0)
    throttle.failed("alice", OWNER, CLOCK)
    for i in range(5):
        throttle.failed("alice", f"198.51.100.{i}", CLOCK + 899.0)
    assert throttle.delay("alice", OWNER, CLOCK + 899.5) > 0
    assert throttle.delay("alice", OWNER, CLOCK + 900.0) == 0


def test_a_record_is_forgotten_exactly_forget_after_its_last_failure() -> None:
    throttle = LoginThrottle(forget_after=900.0)
    throttle.failed("alice", OWNER, CLOCK)
    throttle.failed("bob", "192.0.2.1", CLOCK + 900.0)  # alice's three records are idle now
    assert len(throttle) == 3


def test_the_table_holds_exactly_max_entries_records() -> None:
    throttle = LoginThrottle(max_entries=3)
    for k in range(3):
        throttle.failed("alice", OWNER, CLOCK + k)
        assert len(throttle) == 3  # the name from the address, the address, the name
    assert throttle.delay("alice", OWNER, CLOCK + 2) == pytest.approx(1.0)


@pytest.mark.parametrize("address", ["10.0.0.1 forged", "10.0.0.1\tforged", "2001:db8::1 x"])
def test_what_is_not_an_ip_address_is_its_own_key(address: str) -> None:
    """Only an address is grouped with others; text around one must not make it pass for
    that address (nor share its record)."""
    assert address_key(address) == address
