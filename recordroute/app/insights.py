"""Insights over the whole archive: keywords over time and how recordings relate."""

from __future__ import annotations

from ..errors import NotFoundError
from ..storage import Library, RecordingQuery
from ..storage.keywords import KeywordRepository
from .search import SearchService


class InsightsService:
    def __init__(
        self, library: Library, keywords: KeywordRepository, search: SearchService
    ) -> None:
        self._library = library
        self._keywords = keywords
        self._search = search

    def keyword_counts(
        self, *, period: str | None = None, top: int = 20
    ) -> dict[str, dict[str, int]]:
        """Keyword mentions of active recordings, summed per period of their creation date.

        ``period`` is ``"week"`` (ISO weeks, ``2026-W07``), ``"month"`` (``2026-02``) or
        ``None`` (one ``"all"`` key). Each period keeps its ``top`` terms, most mentioned
        first; periods are in time order. Korean particles were stripped when the keywords
        step counted them.
        """
        return self._keywords.counts(period, top)

    def vocabulary(self, limit: int = 20) -> list[str]:
        """The archive's most used terms (they prime speech recognition)."""
        return self._keywords.vocabulary(limit)

    def similarity_graph(
        self, *, threshold: float = 0.5, k: int = 5
    ) -> tuple[list[str], list[tuple[str, str, float]]]:
        """Indexed active recordings and the links between them.

        Returns ``(nodes, edges)``: recording ids that have vectors for the current
        embedding model, and ``(a, b, score)`` for each pair where one is among the
        other's ``k`` most similar and the score is at least ``threshold`` (a < b).
        """
        if not self._search.exists():
            return [], []
        nodes: list[str] = []
        best: dict[tuple[str, str], float] = {}
        for rec in self._library.list_recordings(RecordingQuery()):
            try:
                similar = self._search.similar(rec.id, k=k)
            except NotFoundError:
                continue
            nodes.append(rec.id)
            for other in similar:
                a, b = sorted((rec.id, other.recording_id))
                best[(a, b)] = max(best.get((a, b), -1.0), float(other.score))
        members = set(nodes)
        edges = [
            (a, b, round(score, 4))
            for (a, b), score in sorted(best.items())
            if score >= threshold and a in members and b in members
        ]
        return nodes, edges
