from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from recordroute import CorruptDataError, RecordRoute, Settings, StorageError
from recordroute.errors import StorageBusyError
from recordroute.events import EventBus
from recordroute.logs import configure_logging
from recordroute.storage import Database
from recordroute.storage.migrations import MIGRATIONS


def test_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    assert db.schema_version == len(MIGRATIONS)
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    assert db.query("PRAGMA foreign_keys")[0][0] == 1
    db.close()
    with pytest.raises(StorageError, match="was closed"):
        db.query("SELECT 1")


def test_a_damaged_database_is_reported_not_replaced(tmp_path: Path) -> None:
    data = tmp_path / "db"
    data.mkdir()
    (data / "recordroute.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorruptDataError, match="is damaged or not a RecordRoute database"):
        RecordRoute(Settings(data_dir=data))
    assert (data / "recordroute.sqlite3").read_bytes().startswith(b"this is not sqlite")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this RecordRoute knows"):
        Database(path)


def test_a_writer_that_never_finishes_gives_a_clear_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    Database(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        db = Database(path, busy_timeout_s=0.2)
        with pytest.raises(StorageBusyError, match="stayed locked") as info, db.write() as conn:
            conn.execute("SELECT 1")
        assert "RECORDROUTE_BUSY_TIMEOUT_S" in info.value.fix
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_failed_write_rolls_back(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO legacy_sources VALUES ('a', 'b', 'c', 'd', 'e')")
        raise RuntimeError("stop")
    assert db.query("SELECT count(*) FROM legacy_sources")[0][0] == 0
    with db.write() as outer, db.write() as inner:  # nested use joins the outer transaction
        assert inner is outer
    with db.read() as snap, db.read() as again:
        assert snap is again


def test_unreadable_folder_is_a_storage_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(StorageError, match="Cannot create the data folder"):
        RecordRoute(Settings(data_dir=blocked / "db"))


def test_log_file_rotates_within_bounds(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "db", log_max_bytes=10_000, log_backup_count=2, log_level="DEBUG"
    )
    path = configure_logging(settings)
    assert configure_logging(settings) == path  # idempotent
    logger = logging.getLogger("recordroute.test")
    handlers = logging.getLogger("recordroute").handlers
    try:
        for i in range(2000):
            logger.info("line %d with some padding to fill the file quickly", i)
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["recordroute.log", "recordroute.log.1", "recordroute.log.2"]
        assert all(p.stat().st_size <= 10_000 for p in path.parent.iterdir())
    finally:
        for handler in list(handlers):
            if getattr(handler, "baseFilename", "").startswith(str(tmp_path)):
                handler.close()
                logging.getLogger("recordroute").removeHandler(handler)


def test_event_bus_isolates_failing_listeners(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[str] = []

    def bad(_: object) -> None:
        raise ValueError("listener bug")

    bus.subscribe(bad)
    stop = bus.subscribe(lambda e: seen.append(e.type))
    event = bus.publish("job.progress", job_id="j", percent=50.0)
    assert seen == ["job.progress"] and event.to_dict()["percent"] == 50.0
    assert "listener bug" in caplog.text
    stop()
    bus.publish("job.finished", job_id="j")
    assert seen == ["job.progress"]
    with pytest.raises(ValueError, match=r"unknown event type 'job\.exploded'"):
        bus.publish("job.exploded")
