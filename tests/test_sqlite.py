"""The one SQLite helper: migrations in one scheme, and data folders of earlier schemes
adopted in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings, StorageError
from recordroute.search import SearchIndex
from recordroute.search import schema as search_schema
from recordroute.sqlite import Migration, SQLiteDatabase, split_statements
from recordroute.storage import Database
from recordroute.storage.migrations import MIGRATIONS

OLD_ID = "3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192"


def _old_library(path: Path) -> None:
    """A library database as RecordRoute wrote it before the shared helper existed."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in split_statements(migration.sql):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO recordings (id, display_name, original_name, kind, sha256, size_bytes, "
        "created_at, updated_at) VALUES (?, '회의', 'a.txt', 'text', 'x', 1, "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        (OLD_ID,),
    )
    conn.execute("PRAGMA user_version = 2")
    conn.close()


def test_an_existing_library_database_migrates_in_place(tmp_path: Path) -> None:
    data = tmp_path / "db"
    data.mkdir()
    _old_library(data / "recordroute.sqlite3")
    with RecordRoute(Settings(data_dir=data, min_free_mb=0)) as app:
        assert [r.display_name for r in app.recordings.list()] == ["회의"]
        first = app.recordings.change_stamp()
        app.recordings.rename(OLD_ID, "주간 회의")
        assert app.recordings.change_stamp() != first
    with sqlite3.connect(data / "recordroute.sqlite3") as conn:
        numbers = [r[0] for r in conn.execute("SELECT number FROM schema_migrations")]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert numbers == [m.number for m in MIGRATIONS] and version == len(MIGRATIONS)


def test_an_existing_search_index_migrates_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    conn = sqlite3.connect(folder / search_schema.DB_NAME, isolation_level=None)
    for statement in split_statements(search_schema.MIGRATIONS[0].sql):
        conn.execute(statement)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.close()
    with SearchIndex(folder) as index:
        assert index.revision == 0
    with sqlite3.connect(folder / search_schema.DB_NAME) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        numbers = [r[0] for r in conn.execute("SELECT number FROM schema_migrations")]
    assert "schema_version" not in tables and numbers == [1]


def test_a_newer_search_index_of_the_earlier_scheme_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    with sqlite3.connect(folder / search_schema.DB_NAME) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (7)")
    with pytest.raises(StorageError, match="schema version 7, newer than this RecordRoute"):
        SearchIndex(folder)


def test_migrations_must_be_numbered_in_order(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"numbered 1\.\.n"):
        SQLiteDatabase(tmp_path / "x.sqlite3", [Migration(2, "two", "SELECT 1")])


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    good = Migration(1, "table", "CREATE TABLE t (x INTEGER);")
    SQLiteDatabase(path, [good]).close()
    bad = Migration(2, "broken", "CREATE TABLE u (y INTEGER); INSERT INTO missing VALUES (1);")
    with pytest.raises(StorageError, match="no such table: missing"):
        SQLiteDatabase(path, [good, bad])
    db = SQLiteDatabase(path, [good])  # still at version 1, table u rolled back
    assert db.schema_version == 1
    assert db.query("SELECT name FROM sqlite_master WHERE name = 'u'") == []
    db.close()


def test_the_library_and_the_index_share_the_helper(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    assert isinstance(db, SQLiteDatabase)
    assert db.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)
    db.close()
    assert issubclass(search_schema.Database, SQLiteDatabase)
