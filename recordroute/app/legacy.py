"""The original RecordRoute's view of the archive: its history records, and moving data
between an original data folder and this one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..events import EventBus
from ..models import ImportReport
from ..storage import Library, RecordingQuery, export_legacy, import_legacy
from ..storage.legacy_export import legacy_records


class LegacyService:
    def __init__(self, library: Library, events: EventBus) -> None:
        self._library = library
        self._events = events

    def history_stamp(self) -> str:
        """Changes whenever the history would (one small query; usable as an ETag)."""
        return self._library.repo.change_stamp()

    def history(self) -> tuple[str, list[dict[str, Any]]]:
        """``(stamp, records)``: active recordings as the original's history records, newest
        first, built with a few set-based queries.  The stamp is read first, so records
        are never older than it: a cache keyed by the stamp never serves stale records."""
        stamp = self.history_stamp()
        records = legacy_records(self._library, self._library.list_recordings(RecordingQuery()))
        return stamp, records

    def record(self, recording_id: str) -> dict[str, Any]:
        """One recording (deleted or not) as an original history record."""
        return legacy_records(self._library, [self._library.get(recording_id)])[0]

    def import_folder(self, path: str | Path) -> ImportReport:
        """Import an original RecordRoute data folder; running it again adds nothing."""
        report = import_legacy(self._library, Path(path))
        if report.recordings_added:
            self._events.publish(
                "recording.created", recording_id="*", count=report.recordings_added
            )
        return report

    def export_file(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write an ``upload_history.json``-shaped file; returns its path."""
        return export_legacy(self._library, Path(path), overwrite=overwrite)
