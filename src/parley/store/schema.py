"""The SQLite schema as an ordered list of migrations, and the code that applies them.

The database's version is `PRAGMA user_version`: the number of migrations applied. Opening a
database runs the missing migrations in order, each in its own transaction together with the
version bump, so a crash leaves the file at one version or the next, never between. A file
whose version is above the newest migration was written by newer code: it is refused, never
touched. A migration once released is never edited; a change of schema is a new migration
appended to `MIGRATIONS`.

A migration may call `NAME_KEY_FUNCTION` (the chat core's `name_key`), which `migrate`
registers on the connection, to fill in a key column for rows written before it existed.
"""

from __future__ import annotations

import logging
import sqlite3

from parley.chat.names import name_key
from parley.chat.store import SchemaError
from parley.records import record

NAME_KEY_FUNCTION = "parley_name_key"

log = logging.getLogger("parley.store")


@record
class Migration:
    """Brings the schema from version `version - 1` to `version`."""

    version: int
    summary: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "accounts, rooms, memberships, message history, offline queues",
        (
            """CREATE TABLE accounts (
                key           TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at    REAL NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE rooms (
                key   TEXT PRIMARY KEY,
                name  TEXT NOT NULL,
                topic TEXT NOT NULL DEFAULT ''
            ) WITHOUT ROWID""",
            # `seq` keeps the join order; deleting an account or a room ends its memberships.
            """CREATE TABLE memberships (
                seq      INTEGER PRIMARY KEY AUTOINCREMENT,
                user_key TEXT NOT NULL REFERENCES accounts(key) ON DELETE CASCADE,
                room_key TEXT NOT NULL REFERENCES rooms(key) ON DELETE CASCADE,
                UNIQUE (user_key, room_key)
            )""",
            "CREATE INDEX memberships_room ON memberships(room_key)",
            # AUTOINCREMENT: an id is never reused, even after old history is pruned.
            # `conversation` is '#' + room key, or the pair of name keys of a direct message
            # (see parley.chat.store.conversation_of), so one index serves both kinds of history.
            """CREATE TABLE messages (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                at           REAL NOT NULL,
                sender       TEXT NOT NULL,
                text         TEXT NOT NULL,
                room         TEXT,
                recipient    TEXT,
                conversation TEXT NOT NULL,
                CHECK ((room IS NULL) <> (recipient IS NULL))
            )""",
            "CREATE INDEX messages_conversation ON messages(conversation, id)",
            # A copy, not a reference: pruning history must never eat an undelivered message.
            """CREATE TABLE offline (
                seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                recipient_key TEXT NOT NULL,
                message_id    INTEGER NOT NULL,
                at            REAL NOT NULL,
                sender        TEXT NOT NULL,
                text          TEXT NOT NULL,
                room          TEXT,
                recipient     TEXT
            )""",
            "CREATE INDEX offline_recipient ON offline(recipient_key, seq)",
        ),
    ),
    Migration(
        2,
        "offline sender keys (per-sender quota); time indexes for retention and expiry",
        (
            # Per-sender quotas count one sender's share of a queue; rows queued before this
            # migration get their key from the sender's display name, as new rows do.
            "ALTER TABLE offline ADD COLUMN sender_key TEXT NOT NULL DEFAULT ''",
            f"UPDATE offline SET sender_key = {NAME_KEY_FUNCTION}(sender)",
            # Retention and expiry delete by time without scanning the tables.
            "CREATE INDEX offline_at ON offline(at)",
            "CREATE INDEX messages_at ON messages(at)",
        ),
    ),
    Migration(
        3,
        "room history keyed by the room's name key, whatever spelling it was said under",
        (
            # Before, a room created as `Dev` kept its history under '#Dev' and was looked up
            # under '#dev': history of rooms with capitals was lost (security review, #9).
            "UPDATE messages SET conversation = "
            f"'#' || {NAME_KEY_FUNCTION}(substr(conversation, 2)) WHERE conversation LIKE '#%'",
        ),
    ),
    Migration(
        4,
        "when each room was last saved, so that rooms nobody uses can expire",
        (
            # Rooms were never deleted (security review, #7). A room saved before this
            # migration counts as saved at the upgrade: it gets a full `--room-days` to be used.
            "ALTER TABLE rooms ADD COLUMN active_at REAL NOT NULL DEFAULT 0",
            "UPDATE rooms SET active_at = CAST(strftime('%s', 'now') AS REAL)",
            "CREATE INDEX rooms_active ON rooms(active_at)",
        ),
    ),
    Migration(
        5,
        "full-text search of history (FTS5), kept in step with the messages by triggers",
        (
            # External content: the index holds words, not a second copy of every text.
            # remove_diacritics 2 and case folding match `parley.chat.store.search_terms`.
            """CREATE VIRTUAL TABLE messages_search USING fts5(
                text, content='messages', content_rowid='id',
                tokenize='unicode61 remove_diacritics 2'
            )""",
            """CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_search(rowid, text) VALUES (new.id, new.text);
            END""",
            """CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_search(messages_search, rowid, text)
                VALUES ('delete', old.id, old.text);
            END""",
            "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
        ),
    ),
    Migration(
        6,
        "the search index filled in chunks: new messages wait in search_backlog",
        (
            # FTS5 writes a segment per transaction: a row indexed by a trigger in each small
            # commit cost as much as the rest of keeping it. The backlog is indexed by
            # `queries.index_backlog` once it holds SEARCH_CHUNK rows, and before any search.
            "DROP TRIGGER messages_search_insert",
            "DROP TRIGGER messages_search_delete",
            "CREATE TABLE search_backlog (id INTEGER PRIMARY KEY)",
            """CREATE TRIGGER messages_search_queue AFTER INSERT ON messages BEGIN
                INSERT INTO search_backlog(id) VALUES (new.id);
            END""",
            # Only a message already indexed may be deleted from the index (FTS5 trusts a
            # 'delete' it is given); one still waiting leaves the backlog instead.
            """CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_search(messages_search, rowid, text)
                SELECT 'delete', old.id, old.text
                WHERE NOT EXISTS (SELECT 1 FROM search_backlog WHERE id = old.id);
                DELETE FROM search_backlog WHERE id = old.id;
            END""",
        ),
    ),
    Migration(
        7,
        "the session tokens of accounts (their SHA-256), so a page resumes after a restart",
        (
            # Only digests: a copy of the file signs nobody in. An account's deletion ends
            # its tokens; the indexes serve the per-account bound and expiry by time.
            """CREATE TABLE session_tokens (
                digest   BLOB PRIMARY KEY,
                user_key TEXT NOT NULL REFERENCES accounts(key) ON DELETE CASCADE,
                used     REAL NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX session_tokens_user ON session_tokens(user_key, used)",
            "CREATE INDEX session_tokens_used ON session_tokens(used)",
        ),
    ),
    Migration(
        8,
        "the search index's backlog as a mark, and an index of words without positions",
        (
            # A trigger on every insert (one more B-tree row in search_backlog) was a sixth
            # of the writer's CPU per message. Now every message with an id up to
            # search_mark.up_to is indexed and every one above it waits; a message kept with
            # an id at or below the mark (ids are given when relayed, kept a little later)
            # is indexed with its insert (`queries.insert_messages`).
            "DROP TRIGGER messages_search_queue",
            "DROP TRIGGER messages_search_delete",
            "DROP TABLE search_backlog",
            # Searches are word prefixes joined by AND (`queries.search`): no phrase, no NEAR,
            # so the index needs no word positions (detail=none: a tenth of the writer's CPU).
            "DROP TABLE messages_search",
            """CREATE VIRTUAL TABLE messages_search USING fts5(
                text, content='messages', content_rowid='id',
                tokenize='unicode61 remove_diacritics 2', detail=none
            )""",
            "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
            "CREATE TABLE search_mark (up_to INTEGER NOT NULL)",
            "INSERT INTO search_mark (up_to) SELECT coalesce(max(id), 0) FROM messages",
            # FTS5 trusts a 'delete' it is given: only an indexed message is taken out.
            """CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
            WHEN old.id <= (SELECT up_to FROM search_mark) BEGIN
                INSERT INTO messages_search(messages_search, rowid, text)
                VALUES ('delete', old.id, old.text);
            END""",
        ),
    ),
)

LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version recorded in the database (0 for a new, empty file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_version(conn: sqlite3.Connection, where: str) -> int:
    """The database's version; raises SchemaError if it is newer than this code knows."""
    try:
        version = schema_version(conn)
    except sqlite3.DatabaseError as error:
        raise SchemaError(f"{where} is not a Parley database: {error}") from error
    if version > LATEST_VERSION:
        raise SchemaError(
            f"{where} has schema version {version}, but this Parley knows versions up to "
            f"{LATEST_VERSION}: it was written by a newer Parley; upgrade Parley to open it"
        )
    return version


def migrate(conn: sqlite3.Connection, where: str, *, target: int = LATEST_VERSION) -> int:
    """Apply every missing migration, each in one transaction; return the new version.

    The version is read again inside each transaction, so two processes opening one new file
    at once do not both run a migration. `conn` must be in autocommit mode
    (``isolation_level=None``), so that the transactions are the ones written here.
    `target` stops at an older version, so that tests can build the files older code made.
    """
    version = check_version(conn, where)
    upgrading = version > 0  # a new file gets the whole schema without a word
    conn.create_function(NAME_KEY_FUNCTION, 1, name_key, deterministic=True)
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = check_version(conn, where)
            if version < target:
                migration = MIGRATIONS[version]
                if upgrading:  # said before it runs: an index over a long history takes a while
                    log.info("%s: upgrading to schema %d: %s", where, migration.version,
                             migration.summary)  # fmt: skip
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {migration.version:d}")
                version = migration.version
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version
