"""Search over the archive: hybrid search, similar recordings, the index's upkeep."""

from __future__ import annotations

import dataclasses
import threading
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from ..config import Settings
from ..models import Recording
from ..pipeline import speakers
from ..search import (
    SearchFilters,
    SearchHit,
    SearchIndex,
    SearchOutcome,
    SimilarRecording,
    SnippetStyle,
)
from ..storage import Library
from .engines import Engines
from .pipeline_adapters import recording_info
from .spoken import SpokenBy


class SearchService:
    """Owns the search index of a data folder (opened on first use)."""

    def __init__(
        self, folder: Path, settings: Settings, engines: Engines, library: Library
    ) -> None:
        self._folder = folder
        self._library = library
        self._settings = settings
        self._engines = engines
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    # -- the index -------------------------------------------------------------------
    @property
    def index(self) -> SearchIndex:
        with self._lock:
            if self._index is None:
                self._index = SearchIndex(
                    self._folder, busy_timeout_s=self._settings.busy_timeout_s
                )
            return self._index

    def exists(self) -> bool:
        """Whether an index was ever written here (reading one never creates it)."""
        return self._index is not None or self._folder.exists()

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None

    def model_key(self) -> str:
        return self._engines.embedding_model_key()

    # -- kept in step with the library -------------------------------------------------
    def recording_changed(self, rec: Recording) -> None:
        """Tags, deletion or restoration changed: the index's filters follow."""
        if self.exists():
            self.index.put_recording(recording_info(rec))

    def recording_purged(self, rec: Recording) -> None:
        if self.exists():
            self.index.put_recording(recording_info(rec))
            self.index.purge(rec.id)

    def drop_vectors(self, rec: Recording) -> bool:
        """Remove a recording's chunks and vectors, keeping it known for filters."""
        if not self.exists():
            return False
        info = recording_info(rec)
        self.index.put_recording(info)  # known to the index before the purge
        self.index.purge(rec.id)
        self.index.put_recording(info)
        return True

    # -- searching ---------------------------------------------------------------------
    def find(
        self,
        text: str,
        *,
        k: int = 10,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        kinds: Sequence[str] = (),
        tags: Sequence[str] = (),
        html: bool = False,
        spoken_by: str = "",
    ) -> SearchOutcome:
        """Hybrid search with the relevance bar calibrated for the embedding model.

        ``hits`` clear the bar, ``weaker`` do not (both in fused order, at most ``k``
        each); when nothing clears it, ``suggestions`` holds spellings of archive words
        close to the query's.  ``html`` marks matches with ``<mark>`` in escaped text.
        ``spoken_by`` keeps recordings where that speaker (a name or "Speaker N") talks,
        and whose matching passage they said (most of its time; a passage without
        times, such as a summary's, only needs them in the recording).  The query,
        tags and speaker are read in Unicode NFC, as names, tags and texts are stored.
        """
        filters = SearchFilters(
            start=start,
            end=end,
            kinds=tuple(kinds),  # type: ignore[arg-type]
            tags=tuple(unicodedata.normalize("NFC", t) for t in tags),
        )
        who = SpokenBy([unicodedata.normalize("NFC", spoken_by)], self.speakers_of)
        found = self.index.search(
            unicodedata.normalize("NFC", text),
            model=self.model_key(),
            embed=self._engines.embed,
            k=max(k * 5, 50) if who else k,
            filters=filters,
            style=SnippetStyle.html() if html else None,
        )
        if not who:
            return found

        def said(hit: SearchHit) -> bool:
            return who.said(hit.recording_id, hit.start_s, hit.end_s)

        return dataclasses.replace(
            found,
            hits=tuple(h for h in found.hits if said(h))[:k],
            weaker=tuple(h for h in found.weaker if said(h))[:k],
        )

    def speakers_of(self, recording_id: str) -> speakers.Speakers | None:
        """The recording's speakers (None: never diarized)."""
        found = self._library.repo.latest_artifact(recording_id, "speakers", "json")
        if found is None:
            return None
        text = self._library.artifact_path(found).read_text(encoding="utf-8")
        return speakers.parse(text, found.file_name)

    def query(
        self,
        text: str,
        *,
        k: int = 10,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        kinds: Sequence[str] = (),
        tags: Sequence[str] = (),
        weaker: bool = False,
        spoken_by: str = "",
    ) -> list[SearchHit]:
        """The recordings that clear the relevance bar, best first (see :meth:`find`).

        ``weaker`` adds the hits below the bar after them (``hit.relevant`` is False).
        """
        found = self.find(
            text, k=k, start=start, end=end, kinds=kinds, tags=tags, spoken_by=spoken_by
        )
        return found.shown(weaker)

    __call__ = query  # ``app.search("예산")`` in a notebook

    def similar(self, recording_id: str, *, k: int = 5) -> list[SimilarRecording]:
        """The recordings most like this one (itself and deleted ones excluded)."""
        self._library.get(recording_id)
        return self.index.similar_recordings(recording_id, model=self.model_key(), k=k)

    def reindex(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Re-embed every stored chunk with the current embedding model; returns the row count."""
        return self.index.rebuild(self.model_key(), self._engines.embed, on_progress=on_progress)

    def cache_stats(self) -> dict[str, int]:
        """Counters of the search result cache since this process opened the index."""
        if not self.exists():
            return {"entries": 0, "hits": 0, "misses": 0, "expired": 0, "invalidations": 0}
        stats = self.index.cache_stats()["results"]
        return {
            "entries": stats.size,
            "hits": stats.hits,
            "misses": stats.misses,
            "expired": stats.expired,
            "invalidations": stats.invalidations,
        }
