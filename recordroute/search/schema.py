"""The search index's own SQLite file: connection settings, migrations, write transactions.

``<index_dir>/search.sqlite3`` runs in WAL mode with a busy timeout.  Every write
happens inside ``BEGIN IMMEDIATE`` (one writer at a time across processes) and
bumps ``state.revision``; readers compare that number to notice other processes'
changes.  Schema changes are appended to :data:`MIGRATIONS`, never edited.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import CorruptDataError, StorageBusyError, StorageError

DB_NAME = "search.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 1: recordings, chunks, per-model matrices and their rows, keyword passages
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
)


class Database:
    """The open index database of one process; every method runs on the caller's thread."""

    def __init__(self, index_dir: Path, busy_timeout_s: float) -> None:
        self.path = index_dir / DB_NAME
        self.busy_timeout_s = busy_timeout_s
        self.conn = _connect(index_dir, self.path, busy_timeout_s)

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` that bumps the revision; rolls back on any error."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _busy(self.path, self.busy_timeout_s) from exc
            raise  # pragma: no cover - only busy/locked errors are expected here
        try:
            yield self.conn
            self.conn.execute("UPDATE state SET revision = revision + 1 WHERE id = 1")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def revision(self) -> int:
        row = self.conn.execute("SELECT revision FROM state WHERE id = 1").fetchone()
        return int(row[0])


def _connect(index_dir: Path, path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"Cannot open the search index database {path}: {exc}.",
            "Check that the folder exists and is writable.",
        ) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        _set_up(conn, path, busy_timeout_s)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_busy(exc):
            raise _busy(path, busy_timeout_s) from exc
        raise CorruptDataError(
            f"The search index database {path} cannot be read: {exc}.",
            "Move the file away and run `recordroute reindex` to rebuild the index.",
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _set_up(conn: sqlite3.Connection, path: Path, busy_timeout_s: float) -> None:
    """WAL mode and migrations. Two processes opening a new index at once can get
    "database is locked" from the journal-mode switch without SQLite's busy handler ever
    waiting, so busy errors here are retried until the busy timeout."""
    deadline = time.monotonic() + busy_timeout_s
    delay = 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, path)
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = int(row[0] or 0)
        if current > len(MIGRATIONS):
            raise StorageError(
                f"The search index {path} has schema version {current}, newer than this "
                f"RecordRoute knows ({len(MIGRATIONS)}).",
                "Upgrade RecordRoute, or rebuild the index with this version's "
                "`recordroute reindex` after moving the folder away.",
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit our transaction)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _busy(path: Path, busy_timeout_s: float) -> StorageBusyError:
    return StorageBusyError(
        f"The search index database {path} stayed locked by another process for "
        f"{busy_timeout_s:g} s.",
        "Wait for the other RecordRoute process (e.g. a reindex) to finish, then retry.",
    )
