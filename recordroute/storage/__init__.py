"""Storage: the SQLite store, the file layout under the data folder, legacy import/export."""

from .database import Database
from .files import DataLayout, atomic_write_bytes, atomic_write_text, check_id
from .legacy_export import export_legacy
from .legacy_import import import_legacy
from .library import Library
from .recordings import RecordingQuery

__all__ = [
    "DataLayout",
    "Database",
    "Library",
    "RecordingQuery",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_id",
    "export_legacy",
    "import_legacy",
]
