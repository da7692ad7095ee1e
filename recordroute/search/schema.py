"""The search index's own SQLite file: the shared SQLite helper with the index's migrations.

``<index_dir>/search.sqlite3`` runs in WAL mode with a busy timeout.  Every write
happens inside ``BEGIN IMMEDIATE`` (one writer at a time across processes) and
bumps ``state.revision``; readers compare that number to notice other processes'
changes.  Schema changes are appended to :data:`MIGRATIONS`, never edited.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..sqlite import Migration, SQLiteDatabase, Texts

DB_NAME = "search.sqlite3"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "recordings, chunks, per-model matrices and their rows, keyword passages",
        """
    CREATE TABLE state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
    );
    INSERT INTO state (id, revision) VALUES (1, 0);
    CREATE TABLE recordings (
        key INTEGER PRIMARY KEY,
        recording_id TEXT NOT NULL UNIQUE,
        created_ts REAL NOT NULL,
        kind TEXT NOT NULL,
        tags TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rec_key INTEGER NOT NULL,
        artifact_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        start_s REAL,
        end_s REAL
    );
    CREATE INDEX chunks_by_recording ON chunks (rec_key, ordinal);
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        slug TEXT NOT NULL UNIQUE,
        dim INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        n_rows INTEGER NOT NULL,
        capacity INTEGER NOT NULL,
        epoch INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE vec_rows (
        model_id INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        chunk_id INTEGER NOT NULL,
        rec_key INTEGER NOT NULL,
        dead INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (model_id, pos)
    ) WITHOUT ROWID;
    CREATE INDEX vec_rows_by_recording ON vec_rows (rec_key);
    CREATE INDEX vec_rows_dead ON vec_rows (model_id, pos) WHERE dead = 1;
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        rec_key INTEGER NOT NULL,
        field TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        start_s REAL,
        end_s REAL
    );
    CREATE INDEX passages_by_recording ON passages (rec_key, field);
    CREATE VIRTUAL TABLE passages_fts USING fts5 (
        text, content = 'passages', content_rowid = 'id', tokenize = 'trigram'
    );
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
    ),
)


TEXTS = Texts(
    what="search index database",
    busy="The {what} {path} stayed locked by another process for {seconds:g} s.",
    busy_fix="Wait for the other RecordRoute process (e.g. a reindex) to finish, then retry.",
    corrupt="The {what} {path} cannot be read: {error}.",
    corrupt_fix="Move the file away and run `recordroute reindex` to rebuild the index.",
    unusable="Cannot open the {what} {path}: {error}.",
    unusable_fix="Check that the folder exists and is writable.",
    newer_fix="Upgrade RecordRoute, or rebuild the index with this version's "
    "`recordroute reindex` after moving the folder away.",
)


def _bump_revision(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE state SET revision = revision + 1 WHERE id = 1")


class Database(SQLiteDatabase):
    """The index database; every write bumps ``state.revision``."""

    def __init__(self, index_dir: Path, busy_timeout_s: float) -> None:
        super().__init__(
            index_dir / DB_NAME,
            MIGRATIONS,
            busy_timeout_s=busy_timeout_s,
            texts=TEXTS,
            after_write=_bump_revision,
            rows_by_name=False,
        )

    def revision(self) -> int:
        row = self.conn.execute("SELECT revision FROM state WHERE id = 1").fetchone()
        return int(row[0])
