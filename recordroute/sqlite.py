"""One way to use SQLite: connections, WAL, busy retries, transactions and migrations.

Both RecordRoute databases (the library's ``recordroute.sqlite3`` and the search index's
``search.sqlite3``) are :class:`SQLiteDatabase` objects that differ only in their
migrations and in the words of their error messages.

- Each thread gets its own connection (opened on first use, re-opened after a fork).
- WAL mode, ``synchronous = FULL``, foreign keys on.
- Writers take ``BEGIN IMMEDIATE`` so that two processes never both hold a read
  transaction they later try to upgrade (the case SQLite cannot wait out).  Inside a
  process a lock serialises writers; across processes SQLite's busy timeout plus a
  bounded retry loop do, so "database is locked" never reaches a caller before
  ``busy_timeout_s`` has passed.
- Migrations are numbered, applied in order inside one transaction, and recorded in
  ``schema_migrations`` (``PRAGMA user_version`` mirrors the highest number).  Data
  folders written before this scheme (``user_version`` alone, or a ``schema_version``
  table) are adopted in place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .errors import CorruptDataError, StorageBusyError, StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Migration:
    """One schema change; never edit a released one, append a new one."""

    number: int
    name: str
    sql: str


@dataclasses.dataclass(frozen=True)
class Texts:
    """The words a database uses in its errors (what it is, and how to recover)."""

    what: str = "database"
    busy: str = "The {what} {path} stayed locked for {seconds:g} s."
    busy_fix: str = "Another RecordRoute process is writing; try again."
    corrupt: str = "The {what} {path} cannot be read ({error})."
    corrupt_fix: str = "Move the file aside and restore it from a backup."
    unusable: str = "Cannot use the {what} {path}: {error}."
    unusable_fix: str = "Check that the folder exists and is writable."
    newer_fix: str = "Upgrade RecordRoute; do not open this data folder with an older version."


def _in_transaction(conn: sqlite3.Connection) -> bool:
    # a function, not the attribute, so that type narrowing does not assume it is constant
    return conn.in_transaction


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def split_statements(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit our transaction).

    Pieces ending in ``;`` are joined until SQLite says they form a whole statement, so
    a trigger's inner statements stay inside it.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        statements.append(pending.strip().rstrip(";"))
    return statements


def check_migrations(migrations: Sequence[Migration]) -> None:
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(migrations) + 1)):
        raise ValueError(f"migrations must be numbered 1..n in order, got {numbers}")


class SQLiteDatabase:
    """A handle on one SQLite file, safe to share between threads."""

    def __init__(
        self,
        path: Path,
        migrations: Sequence[Migration],
        *,
        busy_timeout_s: float = 60.0,
        texts: Texts | None = None,
        after_write: Callable[[sqlite3.Connection], object] | None = None,
        rows_by_name: bool = True,
    ) -> None:
        check_migrations(migrations)
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.migrations = tuple(migrations)
        self.texts = texts or Texts()
        self._after_write = after_write
        self._rows_by_name = rows_by_name
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    # -- errors ----------------------------------------------------------------
    def _format(self, template: str, error: object = "") -> str:
        return template.format(
            what=self.texts.what, path=self.path, seconds=self.busy_timeout_s, error=error
        )

    def error_for(self, exc: BaseException) -> StorageError:
        """The RecordRoute error that an sqlite3 (or OS) error means here."""
        if is_busy(exc):
            return StorageBusyError(self._format(self.texts.busy), self.texts.busy_fix)
        if isinstance(exc, sqlite3.OperationalError | OSError):
            return StorageError(self._format(self.texts.unusable, exc), self.texts.unusable_fix)
        return CorruptDataError(self._format(self.texts.corrupt, exc), self.texts.corrupt_fix)

    # -- connections -----------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as exc:
            raise self.error_for(exc) from exc
        try:
            if self._rows_by_name:
                conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            # two processes opening a new file at once can get "locked" from the
            # journal-mode switch without SQLite's busy handler waiting: retried here
            self.retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self.error_for(exc) from exc
        except BaseException:
            conn.close()
            raise
        with self._all_lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, re-opened after fork)."""
        if self._closed:
            raise StorageError(
                f"The {self.texts.what} handle was closed.", "Open the data folder again."
            )
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = self._connect()
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.ProgrammingError):
                conn.close()

    # -- transactions ------------------------------------------------------------
    def retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying "busy"/"locked" errors until the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout_s
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise self.error_for(exc) from exc
                time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter only
                delay = min(delay * 2, 0.5)

    @contextlib.contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error.

        ``durable=False`` is for bookkeeping that is cheap to redo (job progress and
        state): its commit is not flushed to disk on its own, only with the next durable
        one.  A crashed process loses nothing either way; a power cut may lose such a
        commit, never corrupt the file or reorder it after a later durable one.
        """
        with self._write_lock:
            conn = self.conn
            if _in_transaction(conn):  # nested use inside one thread: join the outer one
                yield conn
                return
            if not durable:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                yield from self._transaction(conn)
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous = FULL")

    def _transaction(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        self.retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            yield conn
            if self._after_write is not None:
                self._after_write(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            self.retry(lambda: conn.execute("COMMIT"))
        except BaseException:
            if _in_transaction(conn):
                conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        conn = self.conn
        if _in_transaction(conn):
            yield conn
            return
        self.retry(lambda: conn.execute("BEGIN"))
        try:
            yield conn
        finally:
            if _in_transaction(conn):
                conn.execute("COMMIT")

    def query(
        self, sql: str, params: Sequence[object] | dict[str, object] = ()
    ) -> list[sqlite3.Row]:
        try:
            rows: list[sqlite3.Row] = self.retry(lambda: self.conn.execute(sql, params).fetchall())
        except sqlite3.DatabaseError as exc:
            raise self.error_for(exc) from exc
        return rows

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    # -- schema --------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The number of the newest migration applied."""
        return int(self.query("PRAGMA user_version")[0][0])

    def _applied(self, conn: sqlite3.Connection) -> int:
        """How many migrations the file has, in whichever scheme wrote it."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_migrations" in tables:
            row = conn.execute("SELECT max(number) FROM schema_migrations").fetchone()
            return int(row[0] or 0)
        applied = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if "schema_version" in tables:  # the search index's earlier scheme
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
            applied = max(applied, int(row[0] or 0))
        return applied

    def _refuse_newer(self, applied: int) -> None:
        if applied > len(self.migrations):
            raise StorageError(
                f"The {self.texts.what} {self.path} has schema version {applied}, newer than "
                f"this RecordRoute knows ({len(self.migrations)}).",
                self.texts.newer_fix,
            )

    def _migrate(self) -> None:
        try:
            with self.read() as conn:
                applied = self._applied(conn)
        except sqlite3.DatabaseError as exc:
            raise self.error_for(exc) from exc
        self._refuse_newer(applied)
        current = applied == len(self.migrations) and self.schema_version == applied
        if current and self._has_migrations_table():
            return
        try:
            with self._write_lock:
                conn = self.conn
                self.retry(lambda: conn.execute("BEGIN IMMEDIATE"))
                try:
                    self._apply(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self.retry(lambda: conn.execute("COMMIT"))
        except sqlite3.DatabaseError as exc:
            raise self.error_for(exc) from exc

    def _has_migrations_table(self) -> bool:
        rows = self.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        return bool(rows)

    def _apply(self, conn: sqlite3.Connection) -> None:
        applied = self._applied(conn)  # again, inside the write lock: another process may
        self._refuse_newer(applied)  # have migrated meanwhile
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        known = {int(r[0]) for r in conn.execute("SELECT number FROM schema_migrations")}
        for migration in self.migrations[:applied]:  # adopted from an earlier scheme
            if migration.number not in known:
                conn.execute(
                    "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    (migration.number, migration.name, stamp),
                )
        conn.execute("DROP TABLE IF EXISTS schema_version")
        for migration in self.migrations[applied:]:
            log.info(
                "applying migration %d (%s) to %s", migration.number, migration.name, self.path
            )
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                (migration.number, migration.name, stamp),
            )
        conn.execute(f"PRAGMA user_version = {len(self.migrations):d}")
