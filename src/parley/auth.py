"""Passwords and login throttling for accounts.

Passwords are kept only as argon2id hashes (argon2-cffi), with the OWASP parameters for
argon2id: 19 MiB of memory, 2 passes, 1 lane, which costs a few tens of milliseconds. That is
too long for the event loop, so the server calls the `*_async` forms, which hash on a small
pool of threads of its own (argon2 releases the GIL); the pool's size bounds the memory and
CPU that a burst of logins can take. A password is NFKC-normalised before hashing, so the
same password typed on two keyboards that compose accents differently still matches.

Nothing here may tell whether a name has an account: `check_password` verifies a login for a
name without an account against `DUMMY_HASH`, a hash made once (lazily, on first use) with the
same parameters as every real hash, so it costs the same time as a wrong password; the door
must answer both with the same words. `LoginThrottle` slows failed logins down per name and
per address whether or not the name exists, for the same reason.

`LoginThrottle` is pure: the caller passes the current time (a monotonic clock), like
`parley.ratelimit.TokenBucket`, so it is tested without sleeping.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
HASH_THREADS = min(4, os.cpu_count() or 1)

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)

if TYPE_CHECKING:
    DUMMY_HASH: str


def password_problem(password: str) -> str | None:
    """Why `password` may not be used, in words for its owner; None if it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password has at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    return None


def _prepared(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """The argon2id hash to keep for `password` (blocks for tens of milliseconds)."""
    return HASHER.hash(_prepared(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; a malformed hash matches nothing."""
    try:
        return HASHER.verify(password_hash, _prepared(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether `password_hash` was made with other parameters than ours (rehash at login)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash() -> str:
    """A hash of a random secret, made once with our parameters: it matches no password."""
    return hash_password(secrets.token_urlsafe(32))


def __getattr__(name: str) -> str:
    if name == "DUMMY_HASH":
        return dummy_hash()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_password(password_hash: str | None, password: str) -> bool:
    """Verify a login: `password_hash` is the account's, or None if the name has no account.

    Without an account the password is verified against `DUMMY_HASH` anyway and refused, so
    that the answer takes as long as a wrong password's.
    """
    if password_hash is None:
        verify_password(dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


@functools.cache
def _hash_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="parley-argon2")


async def hash_password_async(password: str) -> str:
    """`hash_password` on the hashing threads."""
    return await asyncio.get_running_loop().run_in_executor(_hash_pool(), hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    """`verify_password` on the hashing threads."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hash_pool(), verify_password, password_hash, password)


async def check_password_async(password_hash: str | None, password: str) -> bool:
    """`check_password` on the hashing threads."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hash_pool(), check_password, password_hash, password)


def address_key(address: str) -> str:
    """The unit an address is throttled by: an IPv4 address, or the /64 of an IPv6 one.

    One IPv6 host usually has a whole /64 to pick addresses from; anything that is not an IP
    address (a Unix socket path, say) is its own key.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """Failed logins per name and per address, and how long the next attempt must wait.

    After `free_failures` failures for a name (`free_failures_per_address` for an address),
    each further attempt waits `base_delay` seconds after the last failure, doubling with each
    failure up to `max_delay`: with the defaults 1, 2, 4, ... 60 s. A success forgives the
    name, never the address (someone who owns one account must not wipe the record of their
    guesses at others). An entry idle for `forget_after` seconds is forgotten, and the table
    keeps at most `max_entries` entries, dropping the least recently failed first.

    Throttling by name lets a stranger slow an owner's logins down (by at most `max_delay`),
    never lock them out; that is the price of stopping a guesser who spreads over addresses.
    """

    def __init__(
        self,
        *,
        free_failures: int = 3,
        free_failures_per_address: int = 10,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        forget_after: float = 900.0,
        max_entries: int = 100_000,
    ) -> None:
        self.free_failures = free_failures
        self.free_failures_per_address = free_failures_per_address
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = max(forget_after, max_delay)
        self.max_entries = max(2, max_entries)
        # Ordered by last failure, oldest first: pruning looks only at the front.
        self._entries: dict[tuple[str, str], _Failures] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def delay(self, name_key: str, address: str, now: float) -> float:
        """Seconds to wait before the next login attempt for `name_key` from `address`."""
        return max(
            self._wait(("name", name_key), self.free_failures, now),
            self._wait(("address", address_key(address)), self.free_failures_per_address, now),
        )

    def failed(self, name_key: str, address: str, now: float) -> None:
        """Count a failed login for `name_key` from `address` at `now`."""
        self._forget_idle(now)
        for key in (("name", name_key), ("address", address_key(address))):
            entry = self._entries.pop(key, None)
            if entry is None or now - entry.last >= self.forget_after:
                entry = _Failures(0, now)
            entry.count += 1
            entry.last = now
            self._entries[key] = entry
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]

    def succeeded(self, name_key: str, address: str, now: float) -> None:
        """A good login for `name_key`: its failures are forgiven (the address's are not)."""
        self._entries.pop(("name", name_key), None)
        self._forget_idle(now)

    def backoff(self, failures: int, free: int) -> float:
        """The wait after `failures` failures when `free` of them cost nothing."""
        if failures < free:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(failures - free, 64)))

    def _wait(self, key: tuple[str, str], free: int, now: float) -> float:
        entry = self._entries.get(key)
        if entry is None or now - entry.last >= self.forget_after:
            return 0.0
        return max(0.0, entry.last + self.backoff(entry.count, free) - now)

    def _forget_idle(self, now: float) -> None:
        while self._entries:
            key = next(iter(self._entries))
            if now - self._entries[key].last < self.forget_after:
                break
            del self._entries[key]
