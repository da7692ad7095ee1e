"""The library database (``recordroute.sqlite3``): the shared SQLite helper, set up with
the library's migrations and messages."""

from __future__ import annotations

from pathlib import Path

from ..sqlite import SQLiteDatabase, Texts
from .migrations import MIGRATIONS

TEXTS = Texts(
    what="database",
    busy_fix="Another RecordRoute process is writing; try again, or raise "
    "RECORDROUTE_BUSY_TIMEOUT_S.",
    corrupt="The {what} {path} is damaged or not a RecordRoute database ({error}).",
    corrupt_fix="Move the file aside and restore it from a backup; RecordRoute will not "
    "overwrite it.",
    unusable="Cannot use the {what} {path}: {error}.",
    unusable_fix="Check that the data folder exists and is writable.",
)


class Database(SQLiteDatabase):
    """A handle on the library database, safe to share between threads."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 60.0) -> None:
        super().__init__(path, MIGRATIONS, busy_timeout_s=busy_timeout_s, texts=TEXTS)
