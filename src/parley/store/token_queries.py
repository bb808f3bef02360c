"""The SQL of the session-token store (`parley.chat.store.TokenStore`), one function a query.

Kept apart from `parley.store.queries` (messages, offline queues, accounts, rooms) so that
each module stays one job. Every function runs on a connection the caller owns (the writer
or the reader thread of `SQLiteStore`); none commits.
"""

from __future__ import annotations

import sqlite3

from parley.chat.store import StoredToken, UnknownKeyError


def save_token(conn: sqlite3.Connection, token: StoredToken, keep: int) -> None:
    """Insert or refresh `token`, then keep only the `keep` most recently used of its key."""
    if conn.execute("SELECT 1 FROM accounts WHERE key = ?", (token.key,)).fetchone() is None:
        raise UnknownKeyError(f"save_token: no account {token.key!r}")
    conn.execute(
        "INSERT INTO session_tokens (digest, user_key, used) VALUES (?, ?, ?)"
        " ON CONFLICT (digest) DO UPDATE SET used = excluded.used",
        (token.digest, token.key, token.used),
    )
    conn.execute(
        "DELETE FROM session_tokens WHERE user_key = ? AND digest NOT IN"
        " (SELECT digest FROM session_tokens WHERE user_key = ? ORDER BY used DESC LIMIT ?)",
        (token.key, token.key, max(1, keep)),
    )


def get_token(conn: sqlite3.Connection, digest: bytes) -> StoredToken | None:
    row = conn.execute(
        "SELECT digest, user_key, used FROM session_tokens WHERE digest = ?", (digest,)
    ).fetchone()
    return None if row is None else StoredToken(bytes(row[0]), row[1], row[2])


def delete_token(conn: sqlite3.Connection, digest: bytes) -> bool:
    return conn.execute("DELETE FROM session_tokens WHERE digest = ?", (digest,)).rowcount > 0


def delete_tokens(conn: sqlite3.Connection, key: str) -> int:
    return conn.execute("DELETE FROM session_tokens WHERE user_key = ?", (key,)).rowcount


def expire_tokens(conn: sqlite3.Connection, used_before: float) -> int:
    return conn.execute("DELETE FROM session_tokens WHERE used < ?", (used_before,)).rowcount
