"""Facade methods for search, similar recordings and the index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from .app_jobs import JobsFacade
from .search import SearchFilters, SearchHit, SimilarRecording


class SearchFacade(JobsFacade):
    # -- search ------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        kinds: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> list[SearchHit]:
        """Hybrid search (keywords and meaning), one hit per recording, best first."""
        filters = SearchFilters(
            start=start,
            end=end,
            kinds=tuple(kinds),  # type: ignore[arg-type]
            tags=tuple(tags),
        )
        return self.search_index.hybrid_search(
            query, model=self.embedding_model_key(), embed=self._embed, k=k, filters=filters
        )

    def similar_recordings(self, recording_id: str, *, k: int = 5) -> list[SimilarRecording]:
        """The recordings most like this one (itself and deleted ones excluded)."""
        self.get_recording(recording_id)
        return self.search_index.similar_recordings(
            recording_id, model=self.embedding_model_key(), k=k
        )

    def reindex(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Re-embed every stored chunk with the current embedding model; returns the row count."""
        return self.search_index.rebuild(
            self.embedding_model_key(), self._embed, on_progress=on_progress
        )
