"""Resumable upload sessions in SQLite; their bytes live in part files (see upload_parts)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..errors import NotFoundError
from ..models import UploadSession
from .database import Database
from .files import check_id, new_id
from .rows import now_iso


def _session(row: sqlite3.Row, received: int) -> UploadSession:
    steps = row["steps"]
    return UploadSession(
        id=row["id"],
        file_name=row["file_name"],
        size_bytes=row["size_bytes"],
        received_bytes=received,
        state=row["state"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        tags=tuple(json.loads(row["tags"])),
        steps=None if steps is None else tuple(json.loads(steps)),
        options=json.loads(row["options"]),
        recording_id=row["recording_id"],
        job_id=row["job_id"],
        duplicate_of=row["duplicate_of"],
    )


class UploadSessionRepository:
    """One row per resumable upload: what it is, where it stands, what came of it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        file_name: str,
        size: int,
        tags: Sequence[str],
        steps: Sequence[str] | None,
        options: dict[str, Any],
    ) -> str:
        upload_id = new_id()
        stamp = now_iso()
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO upload_sessions (id, file_name, size_bytes, tags, steps, options, "
                "state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                (
                    upload_id,
                    file_name,
                    size,
                    json.dumps(list(tags), ensure_ascii=False),
                    None if steps is None else json.dumps(list(steps)),
                    json.dumps(options, ensure_ascii=False),
                    stamp,
                    stamp,
                ),
            )
        return upload_id

    def row(self, upload_id: str) -> sqlite3.Row:
        check_id(upload_id, "upload id")
        rows = self.db.query("SELECT * FROM upload_sessions WHERE id = ?", (upload_id,))
        if not rows:
            raise NotFoundError(
                f"There is no upload {upload_id!r} (it was finished long ago, cancelled, or "
                "never started).",
                "Start the upload again.",
            )
        return rows[0]

    def get(self, upload_id: str, received: int) -> UploadSession:
        return _session(self.row(upload_id), received)

    def sha256(self, upload_id: str) -> str:
        return str(self.row(upload_id)["sha256"])

    def mark_committing(self, upload_id: str, sha256: str) -> None:
        self._update(upload_id, state="committing", sha256=sha256)

    def mark_finished(
        self,
        upload_id: str,
        *,
        recording_id: str | None = None,
        job_id: str | None = None,
        duplicate_of: str | None = None,
    ) -> None:
        self._update(
            upload_id,
            state="finished",
            recording_id=recording_id,
            job_id=job_id,
            duplicate_of=duplicate_of,
        )

    def _update(self, upload_id: str, **fields: object) -> None:
        names = ", ".join(f"{name} = ?" for name in fields)
        with self.db.write() as conn:
            conn.execute(
                f"UPDATE upload_sessions SET {names}, updated_at = ? WHERE id = ?",
                (*fields.values(), now_iso(), upload_id),
            )

    def delete(self, upload_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM upload_sessions WHERE id = ?", (upload_id,))

    def unfinished(self) -> list[tuple[str, str]]:
        """(id, state) of every session that has not ended."""
        rows = self.db.query("SELECT id, state FROM upload_sessions WHERE state != 'finished'")
        return [(str(r["id"]), str(r["state"])) for r in rows]

    def forget_finished(self, before: str) -> int:
        """Drop ended sessions last changed before the ISO time ``before``."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM upload_sessions WHERE state = 'finished' AND updated_at < ?",
                (before,),
            )
            return cursor.rowcount

    def active_recording_with(self, sha256: str) -> str | None:
        """The active recording holding this content (to recover an interrupted commit)."""
        rows = self.db.query(
            "SELECT id FROM recordings WHERE sha256 = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC LIMIT 1",
            (sha256,),
        )
        return str(rows[0]["id"]) if rows else None
