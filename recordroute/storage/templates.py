"""Summary templates in the library database: custom ones, and defaults per tag and recording.

The bodies are stored as JSON text; what a template may contain is checked by the
summaries service before it is saved (this module does not know templates' shape).
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import CorruptDataError
from .database import Database
from .rows import now_iso


class TemplateRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- custom templates ----------------------------------------------------------------
    def save(self, name: str, body: dict[str, Any]) -> None:
        """Create or replace the custom template ``name``."""
        stamp = now_iso()
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO summary_templates (name, body, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, "
                "updated_at = excluded.updated_at",
                (name, json.dumps(body, ensure_ascii=False), stamp, stamp),
            )

    def find(self, name: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT body FROM summary_templates WHERE name = ?", (name,))
        return _body(name, rows[0][0]) if rows else None

    def all(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT name, body FROM summary_templates ORDER BY name")
        return [_body(name, body) for name, body in rows]

    def delete(self, name: str) -> bool:
        """Remove a custom template and every default that named it; False if absent."""
        with self.db.write() as conn:
            gone = conn.execute("DELETE FROM summary_templates WHERE name = ?", (name,)).rowcount
            conn.execute("DELETE FROM tag_templates WHERE template = ?", (name,))
            conn.execute("DELETE FROM recording_templates WHERE template = ?", (name,))
        return bool(gone)

    # -- defaults --------------------------------------------------------------------------
    def set_tag(self, tag: str, name: str | None) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM tag_templates WHERE tag = ?", (tag,))
            if name:
                conn.execute("INSERT INTO tag_templates (tag, template) VALUES (?, ?)", (tag, name))

    def tags(self) -> dict[str, str]:
        rows = self.db.query("SELECT tag, template FROM tag_templates ORDER BY tag")
        return {str(tag): str(name) for tag, name in rows}

    def set_recording(self, recording_id: str, name: str | None) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM recording_templates WHERE recording_id = ?", (recording_id,))
            if name:
                conn.execute(
                    "INSERT INTO recording_templates (recording_id, template) VALUES (?, ?)",
                    (recording_id, name),
                )

    def recording(self, recording_id: str) -> str | None:
        rows = self.db.query(
            "SELECT template FROM recording_templates WHERE recording_id = ?", (recording_id,)
        )
        return str(rows[0][0]) if rows else None


def _body(name: str, text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:  # the CHECK constraint makes this a damaged file
        raise CorruptDataError(
            f"The stored summary template {name!r} is not valid JSON ({exc}).",
            "Delete the template and create it again.",
        ) from exc
    if not isinstance(body, dict):
        raise CorruptDataError(
            f"The stored summary template {name!r} is not a JSON object.",
            "Delete the template and create it again.",
        )
    return body
