"""Conversions between SQLite rows and the dataclasses in :mod:`recordroute.models`."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from ..models import Artifact, Job, Recording


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def to_iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # a naive time is local time (as the original wrote it)
        moment = moment.astimezone()
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def recording_from_row(row: sqlite3.Row, tags: tuple[str, ...]) -> Recording:
    return Recording(
        id=row["id"],
        display_name=row["display_name"],
        original_name=row["original_name"],
        kind=row["kind"],
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        duration_s=row["duration_s"],
        title=row["title"],
        tags=tags,
        deleted_at=parse_time(row["deleted_at"]),
        source=row["source"],
    )


def artifact_from_row(row: sqlite3.Row) -> Artifact:
    meta: dict[str, Any] = json.loads(row["meta"])
    return Artifact(
        id=row["id"],
        recording_id=row["recording_id"],
        kind=row["kind"],
        format=row["format"],
        file_name=row["file_name"],
        rel_path=row["rel_path"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        edited=bool(row["edited"]),
        meta=meta,
    )


def job_from_row(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        recording_id=row["recording_id"],
        steps=tuple(json.loads(row["steps"])),
        options=json.loads(row["options"]),
        state=row["state"],
        stage=row["stage"],
        percent=row["percent"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        eta_s=row["eta_s"],
        error=row["error"],
        attempts=row["attempts"],
        cancel_requested=bool(row["cancel_requested"]),
        started_at=parse_time(row["started_at"]),
        finished_at=parse_time(row["finished_at"]),
        client_task_id=row["client_task_id"],
    )
