"""The SQLite database: WAL mode, numbered migrations, one writer at a time.

Writers take ``BEGIN IMMEDIATE`` so that two processes never both hold a read
transaction that they later try to upgrade (the case SQLite cannot wait out).
Inside a process a lock serialises writers; across processes SQLite's busy
timeout plus a bounded retry loop do, so "database is locked" never reaches a
caller before ``busy_timeout_s`` has passed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from ..errors import CorruptDataError, StorageBusyError, StorageError
from .migrations import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")


def _in_transaction(conn: sqlite3.Connection) -> bool:
    # a function, not the attribute, so that type narrowing does not assume it is constant
    return conn.in_transaction


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Database:
    """A handle on one SQLite file, safe to share between threads."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 60.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        self._migrate()

    # -- connections -------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(exc) from exc
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _corrupt(self, exc: sqlite3.DatabaseError) -> StorageError:
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            return StorageBusyError(
                f"The database {self.path} stayed locked for {self.busy_timeout_s:.0f} s.",
                "Another RecordRoute process is writing; try again, or raise "
                "RECORDROUTE_BUSY_TIMEOUT_S.",
            )
        if isinstance(exc, sqlite3.OperationalError):
            return StorageError(
                f"Cannot use the database {self.path}: {exc}.",
                "Check that the data folder exists and is writable.",
            )
        return CorruptDataError(
            f"The database {self.path} is damaged or not a RecordRoute database ({exc}).",
            "Move the file aside and restore it from a backup; RecordRoute will not overwrite it.",
        )

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, re-opened after fork)."""
        if self._closed:
            raise StorageError("The database handle was closed.", "Open the data folder again.")
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

    # -- transactions ------------------------------------------------------
    def _retry(self, action: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.busy_timeout_s
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise self._corrupt(exc) from exc
                time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter only
                delay = min(delay * 2, 0.5)

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._write_lock:
            conn = self.conn
            if _in_transaction(conn):  # nested use inside one thread: join the outer one
                yield conn
                return
            self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                self._retry(lambda: conn.execute("COMMIT"))
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
        self._retry(lambda: conn.execute("BEGIN"))
        try:
            yield conn
        finally:
            if _in_transaction(conn):
                conn.execute("COMMIT")

    def query(
        self, sql: str, params: tuple[object, ...] | dict[str, object] = ()
    ) -> list[sqlite3.Row]:
        try:
            rows: list[sqlite3.Row] = self._retry(lambda: self.conn.execute(sql, params).fetchall())
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(exc) from exc
        return rows

    # -- schema ------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        try:
            current = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(exc) from exc
        if current > len(MIGRATIONS):
            raise StorageError(
                f"The database {self.path} has schema version {current}, newer than this "
                f"RecordRoute knows ({len(MIGRATIONS)}).",
                "Upgrade RecordRoute; do not open this data folder with an older version.",
            )
        if current == len(MIGRATIONS):
            return
        with self.write() as conn:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                log.info("applying database migration %d to %s", number, self.path)
                for statement in _split_sql(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number:d}")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
