"""Native API: hybrid search with date, type and tag filters."""

from __future__ import annotations

from datetime import date, datetime

from ..errors import InvalidInputError, echo
from .base import BaseHandler
from .request_models import SearchQuery
from .schemas import SearchResults, iso_moment


def parse_moment(name: str, raw: str | None) -> date | datetime | None:
    """An ISO date (whole day) or date-time from a query parameter."""
    if raw is None or raw.strip() == "":
        return None
    try:
        return iso_moment(raw)
    except ValueError:
        raise InvalidInputError(
            f"{name}={echo(raw, 40)} is not an ISO date or date-time.",
            "Use e.g. 2024-05-01 or 2024-05-01T09:30:00.",
        ) from None


class SearchHandler(BaseHandler):
    async def get(self) -> None:
        query = self.query_model(SearchQuery)
        if not query.q:
            self.send_model(SearchResults.empty())
            return
        found = await self.call_search(
            self.ctx.app.search.find,
            query.q,
            k=query.k,
            start=query.start,
            end=query.end,
            kinds=list(query.kind),
            tags=query.tag,
            spoken_by=query.spoken_by,
        )
        self.send_model(SearchResults.of(found, weaker=query.weaker == "true"))
