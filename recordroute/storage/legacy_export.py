"""Write an ``upload_history.json``-shaped file for tools that still read the original's."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ConflictError
from ..models import Artifact, Recording
from .files import atomic_write_text
from .library import Library
from .recordings import RecordingQuery


def _local_naive(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone().replace(tzinfo=None).isoformat()


def _duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    total = round(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


def legacy_record(library: Library, rec: Recording) -> dict[str, Any]:
    arts = library.repo.artifacts_of(rec.id)
    by_kind: dict[str, Artifact] = {a.kind: a for a in reversed(arts)}
    source = by_kind.get("source")
    transcript, summary = by_kind.get("transcript"), by_kind.get("summary")
    embedded = "vector" in by_kind
    links: dict[str, str] = {}
    if transcript:
        links["stt"] = f"/download/{transcript.id}"
        if embedded:
            links["embedding"] = f"/download/{transcript.id}"
    if summary:
        links["summary"] = f"/download/{summary.id}"
    record: dict[str, Any] = dict(library.repo.legacy_record(rec.id) or {})
    record.update(
        {
            "id": rec.id,
            "timestamp": _local_naive(rec.created_at),
            "filename": rec.display_name,
            "file_type": "audio" if rec.kind == "video" else rec.kind,
            "duration": _duration(rec.duration_s),
            "file_path": f"DB/{source.rel_path}" if source else record.get("file_path"),
            "folder_name": rec.id,
            "completed_tasks": {
                "stt": transcript is not None,
                "embedding": embedded,
                "summary": summary is not None,
            },
            "download_links": links,
            "title_summary": rec.title,
            "tags": list(rec.tags),
            "file_hash": rec.sha256,
            "deleted": rec.deleted,
            "deleted_at": _local_naive(rec.deleted_at),
            "deleted_assets": {},
        }
    )
    return record


def export_legacy(library: Library, target: Path, *, overwrite: bool = False) -> Path:
    """Write every recording (deleted ones flagged), newest first; returns the file written."""
    if target.is_dir():
        target = target / "upload_history.json"
    if target.exists() and not overwrite:
        raise ConflictError(
            f"{target} already exists.", "Choose another path or pass --force to replace it."
        )
    records = [
        legacy_record(library, r) for r in library.list_recordings(RecordingQuery(deleted=None))
    ]
    atomic_write_text(target, json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    return target
