"""Keyword counts per recording: the archive vocabulary and the Insights charts."""

from __future__ import annotations

from datetime import datetime

from ..errors import InvalidInputError
from .database import Database

PERIODS = (None, "week", "month")


class KeywordRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def set_keywords(self, recording_id: str, counts: dict[str, int]) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM keywords WHERE recording_id = ?", (recording_id,))
            conn.executemany(
                "INSERT INTO keywords (recording_id, term, count) VALUES (?, ?, ?)",
                [(recording_id, term, count) for term, count in counts.items()],
            )

    def vocabulary(self, limit: int) -> list[str]:
        """Terms used in the most active recordings (document frequency, then total count)."""
        rows = self.db.query(
            "SELECT k.term FROM keywords k JOIN recordings r ON r.id = k.recording_id "
            "WHERE r.deleted_at IS NULL GROUP BY k.term "
            "ORDER BY count(*) DESC, sum(k.count) DESC, k.term LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]

    def counts(self, period: str | None, top: int) -> dict[str, dict[str, int]]:
        """Mentions of each term in active recordings, summed per period of creation.

        One query sums the counts per term and creation day (local time); the days are
        then folded into ISO weeks (``2026-W07``), months (``2026-02``) or ``"all"``.
        """
        if period not in PERIODS:
            raise InvalidInputError(
                f"{period!r} is not a period.", "Use 'week', 'month' or None for all time."
            )
        rows = self.db.query(
            "SELECT k.term, sum(k.count), date(r.created_at, 'localtime') AS day "
            "FROM keywords k JOIN recordings r ON r.id = k.recording_id "
            "WHERE r.deleted_at IS NULL GROUP BY k.term, day"
        )
        totals: dict[str, dict[str, int]] = {}
        for term, count, day in rows:
            label = _period_label(datetime.fromisoformat(day), period)
            bucket = totals.setdefault(label, {})
            bucket[term] = bucket.get(term, 0) + int(count)
        return {
            label: dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
            for label, terms in sorted(totals.items())
        }


def _period_label(day: datetime, period: str | None) -> str:
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-%m") if period == "month" else "all"
