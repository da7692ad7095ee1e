"""Native API: hybrid search with date, type and tag filters."""

from __future__ import annotations

from datetime import date, datetime

from ..errors import InvalidInputError
from . import serialize
from .base import BaseHandler
from .handlers_recordings import KINDS


def parse_moment(name: str, raw: str | None) -> date | datetime | None:
    """An ISO date (whole day) or date-time from a query parameter."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{name}={raw[:40]!r} is not an ISO date or date-time.",
            "Use e.g. 2024-05-01 or 2024-05-01T09:30:00.",
        ) from None


class SearchHandler(BaseHandler):
    async def get(self) -> None:
        query = (self.get_query_argument("q", "") or "").strip()
        k = self.query_int("k", 10, 1, 100)
        kinds = self.get_query_arguments("kind")
        bad = [kind for kind in kinds if kind not in KINDS]
        if bad:
            raise InvalidInputError(
                f"Recording type {bad[0]!r} is not known.", f"Use some of: {', '.join(KINDS)}."
            )
        start = parse_moment("start", self.get_query_argument("start", None))
        end = parse_moment("end", self.get_query_argument("end", None))
        weaker = self.query_choice("weaker", "false", ("false", "true")) == "true"
        if not query:
            self.send_json(
                {"query": "", "items": [], "nothing_found": True, "suggestions": [], "weaker": 0}
            )
            return
        found = await self.call_search(
            self.ctx.app.search.find,
            query,
            k=k,
            start=start,
            end=end,
            kinds=kinds,
            tags=self.get_query_arguments("tag"),
            spoken_by=self.get_query_argument("spoken_by", ""),
        )
        self.send_json(serialize.search_outcome(found, weaker=weaker))
