"""The SQL of each `SQLiteStore` operation, as plain functions of a connection.

Each function runs on a store thread (`parley.store.workers`), inside the transaction the
thread chose: a write's function runs in the writer's savepoint, so it may raise and be rolled
back alone. Nothing here knows about threads, futures or the event loop, and nothing here
commits.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Collection, Sequence

from parley.chat.names import name_key
from parley.chat.store import Account, RoomRecord, StoredMessage, UnknownKeyError

MESSAGE_COLUMNS = "id, at, sender, text, room, recipient"
_NEWEST = 2**63 - 1
ROWS_PER_INSERT = 500  # 7 parameters a row: well under SQLite's 32,766 per statement
PRUNE_CHUNK = 5000  # rows a retention write deletes before letting other writes in
SEARCH_CHUNK = 1000  # messages kept before they are added to the search index at once

# The higher name key of a direct conversation '@<len(low)>:<low>:<high>' (`direct_pair`), in
# SQL. The lower one is a prefix that `messages_conversation` finds; this one has no index:
# one on it cost about a sixth of the write rate, for an operation as rare as deleting an account.
_DIRECT_HIGH_KEY = (
    "substr(conversation, instr(conversation, ':') + 2"
    " + CAST(substr(conversation, 2, instr(conversation, ':') - 2) AS INTEGER))"
)

MessageRow = tuple[int, float, str, str, str | None, str | None, str]  # id, at … conversation


# History ----------------------------------------------------------------------------------


def insert_message(conn: sqlite3.Connection, row: MessageRow) -> StoredMessage:
    """Insert one message row, with the id the store reserved for it."""
    insert_messages(conn, (row,))
    return StoredMessage(*row[:6])


@functools.lru_cache(maxsize=8)
def _insert_rows_sql(count: int) -> str:
    """``INSERT INTO messages … VALUES (…), (…), …`` for `count` rows."""
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * count)
    return (
        f"INSERT INTO messages (id, at, sender, text, room, recipient, conversation) VALUES {rows}"
    )


def insert_messages(conn: sqlite3.Connection, rows: Sequence[MessageRow]) -> None:
    """Insert many rows, `ROWS_PER_INSERT` to a statement.

    One multi-row ``INSERT`` is one SQLite step, so the writer thread takes the GIL back once
    per chunk instead of once per row (with ``executemany`` every row was a GIL hand-over
    that interrupted the event loop, and those interruptions were the latency tail under
    load). The ids were reserved when the messages were relayed. A row whose id is not above
    the search mark (the index caught up while it waited to be kept) is indexed at once.
    """
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        conn.execute(_insert_rows_sql(len(chunk)), [v for row in chunk for v in row])
    if rows:
        mark = search_mark(conn)
        late = [(row[0], row[3]) for row in rows if row[0] <= mark]
        if late:
            conn.executemany("INSERT INTO messages_search(rowid, text) VALUES (?, ?)", late)


def search_mark(conn: sqlite3.Connection) -> int:
    """The id up to which every kept message is in the search index (above it none is)."""
    return int(conn.execute("SELECT up_to FROM search_mark").fetchone()[0])


def waiting_for_index(conn: sqlite3.Connection) -> bool:
    """Whether some kept message is not in the search index yet (it is above the mark)."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM messages WHERE id > ?)", (search_mark(conn),))
    return bool(row.fetchone()[0])


def index_waiting(conn: sqlite3.Connection) -> int:
    """Add the messages above the search mark to the search index, move the mark; how many.

    FTS5 writes one segment per transaction and merges segments as they pile up, so
    indexing a thousand rows at once costs far less per row than indexing each small
    commit's rows did.
    """
    mark = search_mark(conn)
    row = conn.execute("SELECT coalesce(max(id), 0) FROM messages WHERE id > ?", (mark,))
    top = int(row.fetchone()[0])
    if top <= mark:
        return 0
    count = conn.execute(
        "INSERT INTO messages_search(rowid, text) SELECT id, text FROM messages"
        " WHERE id > ? AND id <= ?",
        (mark, top),
    ).rowcount
    conn.execute("UPDATE search_mark SET up_to = ?", (top,))
    return int(count)


def last_message_id(conn: sqlite3.Connection) -> int:
    """The highest message id ever given (pruned ones included): ids are never reused."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),"
        " coalesce((SELECT max(id) FROM messages), 0))"
    ).fetchone()
    return int(row[0])


def history(
    conn: sqlite3.Connection,
    conversation: str,
    before_id: int | None,
    limit: int,
    *,
    since: float | None = None,
    after_id: int | None = None,
) -> list[StoredMessage]:
    """The `limit` newest messages of `conversation` below `before_id`, oldest first.

    With `after_id`: the `limit` oldest above it (and below `before_id`), oldest first.
    """
    sql = f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation = ? AND id < ? AND id > ?"
    values: list[object] = [
        conversation,
        _NEWEST if before_id is None else before_id,
        -1 if after_id is None else after_id,
    ]
    if since is not None:
        sql += " AND at >= ?"
        values.append(since)
    values.append(max(0, limit))
    order = "DESC" if after_id is None else "ASC"
    rows = conn.execute(f"{sql} ORDER BY id {order} LIMIT ?", values).fetchall()
    messages = [StoredMessage(*row) for row in rows]
    return messages[::-1] if after_id is None else messages


def search(
    conn: sqlite3.Connection,
    terms: Sequence[str],
    conversations: Sequence[str],
    *,
    direct_of: str | None,
    direct_since: float | None,
    before_id: int | None,
    limit: int,
) -> list[StoredMessage]:
    """Messages matching every term (each a word prefix) in the allowed conversations.

    FTS5 finds the matching rows; the conversation filter then keeps only what the asker may
    read: the listed conversations, and with `direct_of` that key's direct conversations
    (where it is the lower key of the pair, a range of the index; the higher, by expression).
    """
    match = " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
    allowed = [f"m.conversation IN ({', '.join('?' * len(conversations))})"]
    values: list[object] = [match, _NEWEST if before_id is None else before_id, *conversations]
    if direct_of is not None:
        low = f"@{len(direct_of)}:{direct_of}:"
        high = _DIRECT_HIGH_KEY.replace("conversation", "m.conversation")
        allowed.append(
            "((m.conversation >= ? AND m.conversation < ?"
            f" OR m.conversation >= '@' AND m.conversation < 'A' AND {high} = ?) AND m.at >= ?)"
        )
        values += [low, low[:-1] + ";", direct_of, direct_since or 0.0]
    sql = (
        f"SELECT {', '.join('m.' + c for c in MESSAGE_COLUMNS.split(', '))}"
        " FROM messages_search JOIN messages m ON m.id = messages_search.rowid"
        f" WHERE messages_search MATCH ? AND m.id < ? AND ({' OR '.join(allowed)})"
        " ORDER BY m.id DESC LIMIT ?"
    )
    rows = conn.execute(sql, [*values, max(0, limit)]).fetchall()
    return [StoredMessage(*row) for row in reversed(rows)]


def direct_conversations(conn: sqlite3.Connection, user_key: str) -> tuple[int, list[str]]:
    """On the reader: the newest id, then the conversations with `user_key` as higher key.

    This scans every direct conversation key (in the `messages_conversation` index), so it
    runs on the reader, off the writer's way. Read in this order, every message up to the id
    is in a conversation listed; `delete_direct` checks the newer ones itself.
    """
    newest = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    rows = conn.execute(
        "SELECT DISTINCT conversation FROM messages"
        f" WHERE conversation >= '@' AND conversation < 'A' AND {_DIRECT_HIGH_KEY} = ?",
        (user_key,),
    )
    return int(newest), [row[0] for row in rows]


def delete_direct(
    conn: sqlite3.Connection, user_key: str, higher_in: Sequence[str], scanned_to: int
) -> int:
    """Delete the direct messages of `user_key` and its offline queue; how many messages.

    Its conversations are those whose key starts with its key as the lower one (a range of
    `messages_conversation`), those `direct_conversations` found with it as the higher one,
    and any written since that scan (ids above `scanned_to`: a short rowid range).
    """
    prefix = f"@{len(user_key)}:{user_key}:"
    deleted = conn.execute(
        "DELETE FROM messages WHERE conversation >= ? AND conversation < ?",
        (prefix, prefix[:-1] + ";"),  # ';' follows ':': every key with the prefix is below
    ).rowcount
    deleted += conn.executemany(
        "DELETE FROM messages WHERE conversation = ?", [(c,) for c in higher_in]
    ).rowcount
    deleted += conn.execute(
        f"DELETE FROM messages WHERE id > ? AND room IS NULL AND {_DIRECT_HIGH_KEY} = ?",
        (scanned_to, user_key),
    ).rowcount
    conn.execute("DELETE FROM offline WHERE recipient_key = ?", (user_key,))
    return int(deleted)


def delete_older(conn: sqlite3.Connection, older_than: float) -> int:
    """Delete up to `PRUNE_CHUNK` messages older than `older_than`; how many."""
    return int(
        conn.execute(
            "DELETE FROM messages WHERE id IN"
            " (SELECT id FROM messages WHERE at < ? ORDER BY at LIMIT ?)",
            (older_than, PRUNE_CHUNK),
        ).rowcount
    )


def delete_up_to(conn: sqlite3.Connection, last_id: int) -> int:
    """Delete up to `PRUNE_CHUNK` of the oldest messages with ids to `last_id`; how many."""
    return int(
        conn.execute(
            "DELETE FROM messages WHERE id IN"
            " (SELECT id FROM messages WHERE id <= ? ORDER BY id LIMIT ?)",
            (last_id, PRUNE_CHUNK),
        ).rowcount
    )


def last_id_over(conn: sqlite3.Connection, max_size: int) -> int | None:
    """The id up to which the oldest messages must go for the rest to fit `max_size`.

    Size is ``length(text) + length(sender)``, in characters (as `bounded.text_size`). One
    scan sums the table; a running sum (a window function, so one SQLite step and no GIL
    hand-over per row) then reads only the oldest rows, as many as must go. None if
    everything fits, or if a deletion between the two scans left too little to reach.
    """
    size = "length(text) + length(sender)"
    total = conn.execute(f"SELECT coalesce(sum({size}), 0) FROM messages").fetchone()[0]
    excess = int(total) - max_size
    if excess <= 0:
        return None
    row = conn.execute(
        f"SELECT id FROM (SELECT id, sum({size}) OVER (ORDER BY id) AS running FROM messages)"
        " WHERE running >= ? LIMIT 1",
        (excess,),
    ).fetchone()
    return None if row is None else int(row[0])


# Offline queues ---------------------------------------------------------------------------


def insert_offline(conn: sqlite3.Connection, recipient_key: str, message: StoredMessage) -> None:
    """Queue a copy of `message`: pruning history must never eat an undelivered message."""
    conn.execute(
        "INSERT INTO offline"
        " (recipient_key, sender_key, message_id, at, sender, text, room, recipient)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            recipient_key,
            name_key(message.sender),
            message.id,
            message.at,
            message.sender,
            message.text,
            message.room,
            message.recipient,
        ),
    )


def offline_count(conn: sqlite3.Connection, recipient_key: str, sender_key: str | None) -> int:
    """How many messages wait for `recipient_key` (from `sender_key`, if given)."""
    sql = "SELECT count(*) FROM offline WHERE recipient_key = ?"
    if sender_key is None:
        return int(conn.execute(sql, (recipient_key,)).fetchone()[0])
    sql += " AND sender_key = ?"
    return int(conn.execute(sql, (recipient_key, sender_key)).fetchone()[0])


def take_offline(
    conn: sqlite3.Connection, recipient_key: str, newer_than: float | None
) -> list[StoredMessage]:
    """Delete the queue of `recipient_key`; what it held from `newer_than` on, oldest first."""
    rows = conn.execute(
        "SELECT message_id, at, sender, text, room, recipient FROM offline"
        " WHERE recipient_key = ? AND at >= ? ORDER BY seq",
        (recipient_key, float("-inf") if newer_than is None else newer_than),
    ).fetchall()
    conn.execute("DELETE FROM offline WHERE recipient_key = ?", (recipient_key,))
    return [StoredMessage(*row) for row in rows]


def purge_offline(conn: sqlite3.Connection, older_than: float) -> int:
    """Delete every queued message older than `older_than`; how many."""
    return int(conn.execute("DELETE FROM offline WHERE at < ?", (older_than,)).rowcount)


def offline_keys(conn: sqlite3.Connection) -> set[str]:
    """The recipients with a queue."""
    return {row[0] for row in conn.execute("SELECT DISTINCT recipient_key FROM offline")}


# Accounts ---------------------------------------------------------------------------------


def create_account(
    conn: sqlite3.Connection, key: str, name: str, password_hash: str, created_at: float
) -> bool:
    """Insert the account; False if `key` has one."""
    sql = (
        "INSERT INTO accounts (key, name, password_hash, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO NOTHING"
    )
    return bool(conn.execute(sql, (key, name, password_hash, created_at)).rowcount == 1)


def get_account(conn: sqlite3.Connection, key: str) -> Account | None:
    """The account of `key`, or None."""
    row = conn.execute(
        "SELECT key, name, password_hash, created_at FROM accounts WHERE key = ?", (key,)
    ).fetchone()
    return None if row is None else Account(*row)


def set_password(conn: sqlite3.Connection, key: str, password_hash: str) -> bool:
    """Replace the hash; False if there is no such account."""
    sql = "UPDATE accounts SET password_hash = ? WHERE key = ?"
    return bool(conn.execute(sql, (password_hash, key)).rowcount == 1)


def delete_account(conn: sqlite3.Connection, key: str) -> bool:
    """Delete the account, its memberships (by cascade) and its offline queue."""
    conn.execute("DELETE FROM offline WHERE recipient_key = ?", (key,))
    return bool(conn.execute("DELETE FROM accounts WHERE key = ?", (key,)).rowcount == 1)


def account_keys(conn: sqlite3.Connection) -> set[str]:
    """The keys of every account."""
    return {row[0] for row in conn.execute("SELECT key FROM accounts")}


# Rooms and memberships --------------------------------------------------------------------


def save_room(
    conn: sqlite3.Connection, key: str, name: str, topic: str, at: float | None = None
) -> None:
    """Insert the room or update its name and topic; either way it was used `at` (now)."""
    conn.execute(
        "INSERT INTO rooms (key, name, topic, active_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET name = excluded.name, topic = excluded.topic,"
        " active_at = excluded.active_at",
        (key, name, topic, time.time() if at is None else at),
    )


def get_room(conn: sqlite3.Connection, key: str) -> RoomRecord | None:
    """The room `key`, or None."""
    row = conn.execute("SELECT key, name, topic FROM rooms WHERE key = ?", (key,)).fetchone()
    return None if row is None else RoomRecord(*row)


def delete_room(conn: sqlite3.Connection, key: str) -> None:
    """Delete the room and (by cascade) its memberships."""
    conn.execute("DELETE FROM rooms WHERE key = ?", (key,))


def expire_rooms(conn: sqlite3.Connection, idle_since: float, keep: Collection[str]) -> list[str]:
    """Delete the rooms saved before `idle_since` whose newest message is older too.

    Candidates come from `rooms_active`; each one's newest message is one step down
    `messages_conversation` (ids grow with time). A candidate that was spoken in since is
    marked used at its newest message, so that later passes skip it until that, too, is old.
    """
    candidates = conn.execute(
        "SELECT key FROM rooms WHERE active_at < ? ORDER BY active_at", (idle_since,)
    ).fetchall()
    expired = []
    for (key,) in candidates:
        if key in keep:
            continue
        newest = conn.execute(
            "SELECT at FROM messages WHERE conversation = ? ORDER BY id DESC LIMIT 1",
            ("#" + key,),
        ).fetchone()
        if newest is not None and newest[0] >= idle_since:
            conn.execute("UPDATE rooms SET active_at = ? WHERE key = ?", (newest[0], key))
            continue
        conn.execute("DELETE FROM rooms WHERE key = ?", (key,))  # memberships by cascade
        expired.append(key)
    return expired


def rooms(conn: sqlite3.Connection) -> list[RoomRecord]:
    """Every room, by key."""
    rows = conn.execute("SELECT key, name, topic FROM rooms ORDER BY key").fetchall()
    return [RoomRecord(*row) for row in rows]


def add_membership(conn: sqlite3.Connection, user_key: str, room_key: str) -> None:
    """Insert the membership; UnknownKeyError (rolled back alone) if either key is missing."""
    if conn.execute("SELECT 1 FROM accounts WHERE key = ?", (user_key,)).fetchone() is None:
        raise UnknownKeyError(f"add_membership: no account {user_key!r}")
    if conn.execute("SELECT 1 FROM rooms WHERE key = ?", (room_key,)).fetchone() is None:
        raise UnknownKeyError(f"add_membership: no room {room_key!r}")
    conn.execute(
        "INSERT INTO memberships (user_key, room_key) VALUES (?, ?)"
        " ON CONFLICT (user_key, room_key) DO NOTHING",
        (user_key, room_key),
    )


def remove_membership(conn: sqlite3.Connection, user_key: str, room_key: str) -> None:
    """Delete the membership, if any."""
    conn.execute(
        "DELETE FROM memberships WHERE user_key = ? AND room_key = ?", (user_key, room_key)
    )


def memberships(conn: sqlite3.Connection, user_key: str) -> list[str]:
    """The room keys of `user_key`, in join order."""
    sql = "SELECT room_key FROM memberships WHERE user_key = ? ORDER BY seq"
    return [row[0] for row in conn.execute(sql, (user_key,))]
