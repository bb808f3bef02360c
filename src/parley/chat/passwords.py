"""Passwords and login throttling for accounts.

Passwords are kept only as argon2id hashes (argon2-cffi), with the OWASP parameters for
argon2id: 19 MiB of memory, 2 passes, 1 lane, which costs a few tens of milliseconds. That is
too long for the event loop, so the server calls the `*_async` forms, which hash on a small
pool of threads of its own (argon2 releases the GIL); the pool's size bounds the memory and
CPU that a burst of logins can take. A password is NFKC-normalised before hashing, so the
same password typed on two keyboards that compose accents differently still matches.

Nothing here may tell whether a name has an account: `check_password` verifies a login for a
name without an account against `DUMMY_HASH`, a hash made once with the same parameters as
every real hash, so it costs the same time as a wrong password; the door must answer both
with the same words. The server calls `warm_up` at start-up to make that hash then, so that
not even the first such login is slower (it is made on first use otherwise). `LoginThrottle`
slows failed logins down whether or not the name exists, for the same reason.

`LoginThrottle` is pure: the caller passes the current time (a monotonic clock), like
`parley.ratelimit.TokenBucket`, so it is tested without sleeping. It must never lock an owner
out: what others do can make an owner wait only if the owner's own address has failed.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import ipaddress
import os
import secrets
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, Type, extract_parameters
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


_DUMMY_LOCK = threading.Lock()


@functools.cache
def _make_dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(32))


def dummy_hash() -> str:
    """A hash of a random secret, made once with our parameters: it matches no password."""
    with _DUMMY_LOCK:  # one hash even when the first two checks come from two threads
        return _make_dummy_hash()


def warm_up() -> None:
    """Make `DUMMY_HASH` now (tens of milliseconds), not at the first login without an account.

    Call it once at start-up, before accepting connections.
    """
    dummy_hash()


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


_ARGON2 = "$argon2"  # how every argon2 hash begins, whatever its variant


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot be a configured secret (`matches_configured`), or None: an argon2
    hash that does not parse would silently match nothing."""
    if secret.startswith(_ARGON2):
        try:
            extract_parameters(secret)
        except InvalidHashError:
            return "starts like an argon2 hash but is not one (copy the whole hash)"
    return None


async def matches_configured(secret: str, given: str) -> bool:
    """Whether `given` is the secret an operator configured: a password as written, or an
    argon2 hash of one (as ``parley-server`` writes them for accounts)."""
    if secret.startswith(_ARGON2):
        return await verify_password_async(secret, given)
    return hmac.compare_digest(secret.encode(), given.encode())


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


# Keys of the throttle's table: (kind, name key, address key), one of the two left empty.
_Key = tuple[str, str, str]


class LoginThrottle:
    """Failed logins per name and address, per address and per name; how long to wait.

    Three records, each a count of failures and the time of the last one:

    - per name from an address (``free_failures`` free), which slows one guesser at one
      account without touching anyone else;
    - per address (``free_failures_per_address`` free), which slows one guesser at many
      accounts; an address is an IPv4 address or an IPv6 /64 (`address_key`);
    - per name, which slows a guesser spread over many addresses. It is soft: it applies
      only to addresses that have failures of their own, so nobody can make the owner of a
      name wait, from a clean address, by failing at it from somewhere else.

    Past its free failures a record makes the next attempt wait `base_delay` seconds after
    its last failure, doubling with each failure up to `max_delay`: with the defaults 1, 2,
    4, ... 60 s. The wait is the longest of the records that apply.

    An attempt made while it must wait (`attempt` answers more than 0) counts as a failure
    for its name from that address and for the address, if those are what it waits for: an
    address that keeps trying gets no guess checked until it pauses for up to `max_delay`.
    Such an attempt never makes a new record, so it cannot fill the table. A success
    forgives the name and the name from that address, never the address (someone who owns
    one account must not wipe the record of their guesses at others). A record idle for
    `forget_after` seconds is forgotten, and the table keeps at most `max_entries` records,
    dropping the least recently failed first.
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
        self.max_entries = max(3, max_entries)
        # Ordered by last failure, oldest first: pruning looks only at the front.
        self._entries: dict[_Key, _Failures] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def delay(self, name_key: str, address: str, now: float) -> float:
        """Seconds to wait before the next login attempt for `name_key` from `address`."""
        pair, by_address, by_name = self._keys(name_key, address)
        waits = [
            self._wait(pair, self.free_failures, now),
            self._wait(by_address, self.free_failures_per_address, now),
        ]
        if self._live(by_address, now) or self._live(pair, now):
            waits.append(self._wait(by_name, self.free_failures, now))
        return max(waits)

    def attempt(self, name_key: str, address: str, now: float) -> float:
        """Call before checking a password: 0 to go ahead, else the seconds to wait.

        An attempt that must wait is refused and counted against its own records (the name
        from that address, and the address) when those are what it waits for; the wait it
        answers includes that failure. Waiting only for the name, because others failed at
        it, costs nothing more.
        """
        wait = self.delay(name_key, address, now)
        if wait <= 0:
            return 0.0
        pair, by_address, _ = self._keys(name_key, address)
        own = (
            (pair, self._wait(pair, self.free_failures, now)),
            (by_address, self._wait(by_address, self.free_failures_per_address, now)),
        )
        if any(own_wait > 0 for _, own_wait in own):
            self._forget_idle(now)
            for key, _ in own:
                entry = self._entries.pop(key, None)
                if entry is not None:
                    entry.count += 1
                    entry.last = now
                    self._entries[key] = entry
            wait = self.delay(name_key, address, now)
        return wait

    def failed(self, name_key: str, address: str, now: float) -> None:
        """Count a failed login for `name_key` from `address` at `now`."""
        self._forget_idle(now)
        for key in self._keys(name_key, address):
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
        pair, _, by_name = self._keys(name_key, address)
        self._entries.pop(pair, None)
        self._entries.pop(by_name, None)
        self._forget_idle(now)

    def backoff(self, failures: int, free: int) -> float:
        """The wait after `failures` failures when `free` of them cost nothing."""
        if failures < free:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(failures - free, 64)))

    @staticmethod
    def _keys(name_key: str, address: str) -> tuple[_Key, _Key, _Key]:
        unit = address_key(address)
        return ("pair", name_key, unit), ("address", "", unit), ("name", name_key, "")

    def _live(self, key: _Key, now: float) -> bool:
        entry = self._entries.get(key)
        return entry is not None and now - entry.last < self.forget_after

    def _wait(self, key: _Key, free: int, now: float) -> float:
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
