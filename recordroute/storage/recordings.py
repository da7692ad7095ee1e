"""Recording and artifact rows: the SQL behind the facade's library operations."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import InvalidInputError, NotFoundError, echo
from ..models import Artifact, Recording
from .database import Database
from .files import check_id
from .rows import artifact_from_row, now_iso, recording_from_row

SORT_COLUMNS = {
    "created": "created_at",
    "name": "display_name COLLATE NOCASE",
    "duration": "duration_s",
    "updated": "updated_at",
    "kind": "kind",
}


@dataclasses.dataclass(frozen=True)
class RecordingQuery:
    """Filters, order and paging for listing recordings."""

    deleted: bool | None = False  # False: active only, True: deleted only, None: both
    kind: str | None = None
    tag: str | None = None
    text: str | None = None  # substring of the name, original name, title or a tag
    created_from: str | None = None  # ISO bounds, inclusive
    created_to: str | None = None
    sort: str = "created"
    descending: bool = True
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if self.sort not in SORT_COLUMNS:
            raise InvalidInputError(
                f"Cannot sort by {echo(self.sort)}.", f"Use one of: {', '.join(SORT_COLUMNS)}."
            )
        if (self.limit is not None and self.limit < 0) or self.offset < 0:
            raise InvalidInputError(
                f"limit={self.limit!r} and offset={self.offset!r} must not be negative.",
                "Use 0 or a positive number.",
            )


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for tag in tags:
        text = " ".join(unicodedata.normalize("NFC", str(tag)).split())
        if not text:
            continue
        if len(text) > 64:
            raise InvalidInputError(
                f"The tag {text[:20]!r}... is {len(text)} characters long.",
                "Use tags of at most 64 characters.",
            )
        if text not in cleaned:
            cleaned.append(text)
    return tuple(sorted(cleaned))


class RecordingRepository:
    """SQL over ``recordings``, ``recording_tags``, ``artifacts`` and aliases."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- recordings ----------------------------------------------------------
    def _tags(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT recording_id, tag FROM recording_tags WHERE recording_id IN ({marks}) "
                "ORDER BY tag",
                chunk,
            ):
                found[row[0]].append(row[1])
        return {k: tuple(v) for k, v in found.items()}

    def insert(
        self, conn: sqlite3.Connection, rec: Recording, legacy: dict[str, Any] | None
    ) -> None:
        conn.execute(
            "INSERT INTO recordings (id, display_name, original_name, kind, duration_s, sha256, "
            "size_bytes, created_at, updated_at, title, deleted_at, source, legacy) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.id,
                rec.display_name,
                rec.original_name,
                rec.kind,
                rec.duration_s,
                rec.sha256,
                rec.size_bytes,
                rec.created_at.isoformat(),
                rec.updated_at.isoformat(),
                rec.title,
                rec.deleted_at.isoformat() if rec.deleted_at else None,
                rec.source,
                None if legacy is None else json.dumps(legacy, ensure_ascii=False),
            ),
        )
        conn.executemany(
            "INSERT INTO recording_tags (recording_id, tag) VALUES (?, ?)",
            [(rec.id, t) for t in rec.tags],
        )

    def exists(self, conn: sqlite3.Connection, recording_id: str) -> bool:
        row = conn.execute("SELECT 1 FROM recordings WHERE id = ?", (recording_id,)).fetchone()
        return row is not None

    def find_active_duplicate(self, conn: sqlite3.Connection, sha256: str) -> str | None:
        row = conn.execute(
            "SELECT id FROM recordings WHERE sha256 = ? AND deleted_at IS NULL LIMIT 1", (sha256,)
        ).fetchone()
        return None if row is None else str(row[0])

    def find(self, recording_id: str) -> Recording | None:
        check_id(recording_id, "recording id")
        with self.db.read() as conn:
            row = conn.execute("SELECT * FROM recordings WHERE id = ?", (recording_id,)).fetchone()
            if row is None:
                return None
            return recording_from_row(row, self._tags(conn, [recording_id])[recording_id])

    def get(self, recording_id: str) -> Recording:
        rec = self.find(recording_id)
        if rec is None:
            raise NotFoundError(
                f"There is no recording with id {echo(recording_id)}.",
                "List recordings with `recordroute list --all` to find the right id.",
            )
        return rec

    def legacy_record(self, recording_id: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT legacy FROM recordings WHERE id = ?", (recording_id,))
        if not rows or rows[0][0] is None:
            return None
        value: dict[str, Any] = json.loads(rows[0][0])
        return value

    def list_recordings(self, q: RecordingQuery) -> list[Recording]:
        where: list[str] = []
        params: list[object] = []
        if q.deleted is True:
            where.append("deleted_at IS NOT NULL")
        elif q.deleted is False:
            where.append("deleted_at IS NULL")
        if q.kind:
            where.append("kind = ?")
            params.append(q.kind)
        if q.tag:
            where.append("id IN (SELECT recording_id FROM recording_tags WHERE tag = ?)")
            params.append(q.tag)
        if q.text:
            where.append(
                "(instr(lower(display_name), ?) OR instr(lower(original_name), ?) OR "
                "instr(lower(title), ?) OR id IN (SELECT recording_id FROM recording_tags "
                "WHERE instr(lower(tag), ?)))"
            )
            params.extend([q.text.lower()] * 4)
        if q.created_from:
            where.append("created_at >= ?")
            params.append(q.created_from)
        if q.created_to:
            where.append("created_at <= ?")
            params.append(q.created_to)
        sql = "SELECT * FROM recordings"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = SORT_COLUMNS[q.sort] + (" DESC" if q.descending else " ASC")
        sql += f" ORDER BY {order}, id"
        if q.limit is not None or q.offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if q.limit is None else q.limit, q.offset])
        with self.db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
            tags = self._tags(conn, [r["id"] for r in rows])
        return [recording_from_row(r, tags[r["id"]]) for r in rows]

    def count(self, deleted: bool | None = False) -> int:
        sql = "SELECT count(*) FROM recordings"
        if deleted is True:
            sql += " WHERE deleted_at IS NOT NULL"
        elif deleted is False:
            sql += " WHERE deleted_at IS NULL"
        return int(self.db.query(sql)[0][0])

    def update(self, conn: sqlite3.Connection, recording_id: str, **fields: Any) -> None:
        allowed = {"display_name", "title", "deleted_at", "duration_s", "kind"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {unknown}")
        fields["updated_at"] = now_iso()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        conn.execute(
            f"UPDATE recordings SET {assignments} WHERE id = ?", [*fields.values(), recording_id]
        )

    def set_tags(self, conn: sqlite3.Connection, recording_id: str, tags: Sequence[str]) -> None:
        conn.execute("DELETE FROM recording_tags WHERE recording_id = ?", (recording_id,))
        conn.executemany(
            "INSERT INTO recording_tags (recording_id, tag) VALUES (?, ?)",
            [(recording_id, t) for t in tags],
        )
        self.update(conn, recording_id)

    def delete_row(self, conn: sqlite3.Connection, recording_id: str) -> None:
        conn.execute("DELETE FROM recordings WHERE id = ?", (recording_id,))

    # -- artifacts -------------------------------------------------------------
    def insert_artifact(self, conn: sqlite3.Connection, art: Artifact) -> None:
        conn.execute(
            "INSERT INTO artifacts (id, recording_id, kind, format, file_name, rel_path, "
            "size_bytes, sha256, created_at, updated_at, edited, meta) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                art.id,
                art.recording_id,
                art.kind,
                art.format,
                art.file_name,
                art.rel_path,
                art.size_bytes,
                art.sha256,
                art.created_at.isoformat(),
                art.updated_at.isoformat(),
                int(art.edited),
                json.dumps(art.meta, ensure_ascii=False),
            ),
        )

    def update_artifact(
        self,
        conn: sqlite3.Connection,
        artifact_id: str,
        *,
        size_bytes: int,
        sha256: str,
        edited: bool,
        meta: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            "UPDATE artifacts SET size_bytes = ?, sha256 = ?, edited = ?, updated_at = ?, "
            "meta = coalesce(?, meta) WHERE id = ?",
            (
                size_bytes,
                sha256,
                int(edited),
                now_iso(),
                None if meta is None else json.dumps(meta, ensure_ascii=False),
                artifact_id,
            ),
        )

    def add_alias(self, conn: sqlite3.Connection, alias: str, artifact_id: str) -> bool:
        cur = conn.execute(
            "INSERT OR IGNORE INTO artifact_aliases (alias, artifact_id) VALUES (?, ?)",
            (alias, artifact_id),
        )
        return cur.rowcount > 0

    def artifact_exists(self, conn: sqlite3.Connection, artifact_id: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM artifacts WHERE id = ? UNION ALL "
            "SELECT 1 FROM artifact_aliases WHERE alias = ?",
            (artifact_id, artifact_id),
        ).fetchone()
        return row is not None

    def find_artifact(self, artifact_id: str) -> Artifact | None:
        rows = self.db.query(
            "SELECT a.* FROM artifacts a WHERE a.id = ? UNION ALL "
            "SELECT a.* FROM artifacts a JOIN artifact_aliases x ON x.artifact_id = a.id "
            "WHERE x.alias = ? LIMIT 1",
            (artifact_id, artifact_id),
        )
        return artifact_from_row(rows[0]) if rows else None

    def artifacts_of(self, recording_id: str, kind: str | None = None) -> list[Artifact]:
        sql = "SELECT * FROM artifacts WHERE recording_id = ?"
        params: list[Any] = [recording_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        rows = self.db.query(sql + " ORDER BY created_at, id", tuple(params))
        return [artifact_from_row(r) for r in rows]

    def artifacts_of_many(self, recording_ids: Sequence[str]) -> dict[str, list[Artifact]]:
        """Every artifact of these recordings (oldest first), in one query per 500 ids."""
        found: dict[str, list[Artifact]] = {i: [] for i in recording_ids}
        with self.db.read() as conn:
            for start in range(0, len(recording_ids), 500):
                chunk = list(recording_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT * FROM artifacts WHERE recording_id IN ({marks}) "
                    "ORDER BY created_at, id",
                    chunk,
                ):
                    found[row["recording_id"]].append(artifact_from_row(row))
        return found

    def legacy_records_of(self, recording_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The original history records kept for imported recordings, by recording id."""
        found: dict[str, dict[str, Any]] = {}
        with self.db.read() as conn:
            for start in range(0, len(recording_ids), 500):
                chunk = list(recording_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT id, legacy FROM recordings WHERE id IN ({marks}) "
                    "AND legacy IS NOT NULL",
                    chunk,
                ):
                    found[row[0]] = json.loads(row[1])
        return found

    def change_stamp(self) -> str:
        """Changes with every write to recordings, tags, artifacts or aliases, in any process."""
        rows = self.db.query("SELECT area, stamp FROM change_stamps")
        stamps = {r[0]: int(r[1]) for r in rows}
        return f"{stamps['epoch']:x}-{stamps['library']}"

    def latest_artifact(
        self, recording_id: str, kind: str, fmt: str | None = None
    ) -> Artifact | None:
        """The newest artifact of a kind (and format), or None."""
        sql = "SELECT * FROM artifacts WHERE recording_id = ? AND kind = ?"
        params: list[Any] = [recording_id, kind]
        if fmt is not None:
            sql += " AND format = ?"
            params.append(fmt)
        rows = self.db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT 1", tuple(params))
        return artifact_from_row(rows[0]) if rows else None
