"""History records in the original RecordRoute's shape, built for many recordings at once,
and the ``upload_history.json`` file written from them for tools that still read it."""

from __future__ import annotations

import json
from collections.abc import Sequence
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


def _record(rec: Recording, arts: Sequence[Artifact], kept: dict[str, Any]) -> dict[str, Any]:
    latest: dict[str, Artifact] = {}
    for art in arts:  # oldest first: the newest of each kind wins
        latest[art.kind] = art
    source = latest.get("source")
    transcript, summary = latest.get("transcript"), latest.get("summary")
    embedded = "vector" in latest
    stt_link = f"/download/{transcript.id}" if transcript else None
    summary_link = f"/download/{summary.id}" if summary else None
    links: dict[str, str] = {}
    if stt_link:
        links["stt"] = stt_link
        if embedded:
            links["embedding"] = stt_link
    if summary_link:
        links["summary"] = summary_link
    record = dict(kept)
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
            # the Electron renderer's names for the same facts (harmless to the web page)
            "stt_done": transcript is not None,
            "summarize_done": summary is not None,
            "embed_done": embedded,
            "stt_path": stt_link,
            "summary_path": summary_link,
            "one_line_summary": rec.title,
        }
    )
    return record


def legacy_records(library: Library, recordings: Sequence[Recording]) -> list[dict[str, Any]]:
    """The records of these recordings, in their order: two queries however many there are."""
    ids = [r.id for r in recordings]
    artifacts = library.repo.artifacts_of_many(ids)
    kept = library.repo.legacy_records_of(ids)
    return [_record(rec, artifacts[rec.id], kept.get(rec.id, {})) for rec in recordings]


def export_legacy(library: Library, target: Path, *, overwrite: bool = False) -> Path:
    """Write every recording (deleted ones flagged), newest first; returns the file written."""
    if target.is_dir():
        target = target / "upload_history.json"
    if target.exists() and not overwrite:
        raise ConflictError(
            f"{target} already exists.", "Choose another path or pass --force to replace it."
        )
    records = legacy_records(library, library.list_recordings(RecordingQuery(deleted=None)))
    atomic_write_text(target, json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    return target
