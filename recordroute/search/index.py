"""SearchIndex: the search engine over one index folder, shared safely between processes.

Layout: ``<index_dir>/search.sqlite3`` (recordings, chunks, row metadata, keyword
passages) and ``<index_dir>/<model slug>/matrix-<generation>.npy`` (one float32
matrix of unit chunk vectors per embedding model, memory-mapped for search).

Writes go through :mod:`.writer`; reads run in a snapshot of :class:`.view.IndexView`,
which keeps this process's picture in step with what other processes wrote.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy.typing as npt

from ..errors import InvalidInputError
from ..models import Segment
from . import keyword, maintenance, writer
from .calibration import Calibration
from .catalog import ModelRows
from .hits import chunk_hits, fused_hits
from .judged import Candidates, judge_hits
from .matrix import Float32Array, normalize_rows, remove_stale
from .ranking import rank_many, rank_rows
from .results import (
    CacheStats,
    ChunkHit,
    KeywordHit,
    ModelInfo,
    RecordingInfo,
    RecordingVectors,
    SearchFilters,
    SearchHit,
    SearchOutcome,
    SimilarRecording,
    SnippetStyle,
    TextChunk,
)
from .similar import similar_in
from .view import EmbedFn, IndexView
from .words import query_terms

#: ``on_progress(done, total)`` during a rebuild
ProgressFn = Callable[[int, int], None]
MAX_K = 1000
T = TypeVar("T")


class SearchIndex:
    """Vector, keyword and hybrid search over recordings; see the module docstring."""

    def __init__(
        self,
        index_dir: Path | str,
        *,
        busy_timeout_s: float = 30.0,
        cache_ttl_s: float = 300.0,
        cache_entries: int = 512,
        quantized: bool = False,
        rescore_factor: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Open (creating if needed) the index in ``index_dir``.

        ``quantized`` keeps an int8 copy of each matrix in memory and ranks with it,
        rescoring the best ``rescore_factor * k`` rows (at least 100) in float32.
        """
        if rescore_factor < 1:
            raise InvalidInputError(
                f"rescore_factor={rescore_factor} must be at least 1.", "Use e.g. 10."
            )
        self._dir = Path(index_dir)
        self._rescore_factor = rescore_factor
        self._view = IndexView(
            self._dir,
            busy_timeout_s=busy_timeout_s,
            cache_ttl_s=cache_ttl_s,
            cache_entries=cache_entries,
            quantized=quantized,
            clock=clock,
        )

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        self._view.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def revision(self) -> int:
        """Bumped by every committed change, by any process."""
        return self._view.revision()

    def cache_stats(self) -> dict[str, CacheStats]:
        """Counters of the ``results`` and ``embeddings`` caches."""
        return self._view.cache_stats()

    def models(self) -> list[ModelInfo]:
        """Every embedding model with vectors in the index."""
        return self._view.model_infos()

    # -- writes --------------------------------------------------------------------
    def put_recording(self, info: RecordingInfo) -> None:
        """Add a recording or update its filter fields (date, type, tags, deleted)."""
        with self._view.write() as conn:
            writer.upsert_recording(conn, info)

    def set_deleted(self, recording_id: str, deleted: bool = True) -> None:
        """Soft-delete (or restore) a recording: it stays indexed but is never returned."""
        with self._view.write() as conn:
            key = writer.recording_key(conn, recording_id)
            conn.execute("UPDATE recordings SET deleted = ? WHERE key = ?", (int(deleted), key))

    def purge(self, recording_id: str) -> None:
        """Remove a recording with its chunks and passages; its rows go at the next compaction."""
        with self._view.write() as conn:
            maintenance.purge_recording(conn, recording_id)

    def add_recording(
        self,
        info: RecordingInfo,
        *,
        model: str,
        chunks: Sequence[TextChunk],
        vectors: npt.ArrayLike,
        artifact_id: str = "",
    ) -> None:
        """Store a recording's chunks and vectors, replacing any it had before."""
        self.add_recordings([RecordingVectors(info, chunks, vectors, artifact_id)], model=model)

    def add_recordings(self, items: Sequence[RecordingVectors], *, model: str) -> None:
        """:meth:`add_recording` for many recordings in one transaction."""
        with self._view.write() as conn:
            moved = maintenance.store_recordings(conn, self._dir, items, model)
        if moved is not None and moved[1].generation != moved[0].generation:
            remove_stale(self._dir / moved[1].slug, moved[1].generation)

    def index_text(
        self,
        recording_id: str,
        field: str,
        content: str | Sequence[Segment] | Sequence[TextChunk],
    ) -> None:
        """Make ``field`` (e.g. ``transcript``, ``summary``) of a recording keyword-searchable.

        Segments or chunks are indexed one passage each, with their times; plain
        text is cut into passages without times.  Replaces the field's old text.
        """
        if not field.strip():
            raise InvalidInputError("Keyword field name is empty.", "Use e.g. 'transcript'.")
        passages = keyword.passages_of(content)
        with self._view.write() as conn:
            key = writer.recording_key(conn, recording_id)
            keyword.replace_passages(conn, key, field, passages)

    def compact(self, model: str | None = None) -> int:
        """Rewrite matrices without dead rows (replaced or purged); returns rows removed."""
        with self._view.write() as conn:
            removed, published = maintenance.compact_models(conn, self._dir, model)
        for new in published:
            remove_stale(self._dir / new.slug, new.generation)
        return removed

    def rebuild(
        self,
        model: str,
        embed: EmbedFn,
        *,
        batch_size: int = 64,
        on_progress: ProgressFn | None = None,
    ) -> int:
        """Re-embed every stored chunk with ``embed`` into a fresh matrix for ``model``.

        Embedding runs without holding the write lock; chunks added meanwhile are
        embedded while publishing.  Returns the number of rows in the new matrix.
        """
        if batch_size < 1:
            raise InvalidInputError(f"batch_size={batch_size} must be at least 1.", "Use e.g. 64.")
        with self._view.lock:
            stored = self._view.db.conn.execute("SELECT id, text FROM chunks ORDER BY id")
            snapshot = stored.fetchall()
        done = maintenance.embed_chunks(snapshot, embed, model, batch_size, on_progress)
        with self._view.write() as conn:
            new = writer.publish_rebuild(conn, self._dir, model, done, embed)
        remove_stale(self._dir / new.slug, new.generation)
        self._view.embeddings.clear()
        return new.n_rows

    # -- reads ---------------------------------------------------------------------
    def vector_search(
        self,
        vector: npt.ArrayLike,
        *,
        model: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        per_recording: bool = True,
    ) -> list[ChunkHit]:
        """The ``k`` chunks most similar (cosine) to ``vector``.

        With ``per_recording`` (default) each recording appears once, with its best chunk.
        """
        query = normalize_rows(vector, "query vector")
        if query.shape[0] != 1:
            raise InvalidInputError(
                f"vector_search takes one query vector, got {query.shape[0]}.",
                "Use vector_search_batch for several queries.",
            )
        return self._vector_search(query, model, k, filters, per_recording)[0]

    def vector_search_batch(
        self,
        vectors: npt.ArrayLike,
        *,
        model: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        per_recording: bool = True,
    ) -> list[list[ChunkHit]]:
        """:meth:`vector_search` for each row of ``vectors`` (one matrix product per block)."""
        queries = normalize_rows(vectors, "query vectors")
        return self._vector_search(queries, model, k, filters, per_recording)

    def _vector_search(
        self,
        queries: Float32Array,
        model: str,
        k: int,
        filters: SearchFilters | None,
        per_recording: bool,
    ) -> list[list[ChunkHit]]:
        k = _check_k(k)
        filters = filters or SearchFilters()
        key = ("vector", model, queries.tobytes(), queries.shape, filters, k, per_recording)

        def compute(conn: sqlite3.Connection) -> tuple[tuple[ChunkHit, ...], ...]:
            rows = self._view.model_rows(conn, model, queries.shape[1])
            if rows is None:
                return tuple(() for _ in range(queries.shape[0]))
            mask = self._view.mask(rows, filters)
            picks = rank_many(rows, queries, mask, k, per_recording, self._rescore_factor)
            id_of = self._view.recordings.id_of
            return tuple(tuple(chunk_hits(conn, rows, p, id_of)) for p in picks)

        return [list(hits) for hits in self._cached(key, model, compute)]

    def keyword_search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilters | None = None,
        style: SnippetStyle | None = None,
    ) -> list[KeywordHit]:
        """Recordings whose indexed text contains every word of ``query``; best passage each."""
        k = _check_k(k)
        filters = filters or SearchFilters()
        style = style or SnippetStyle()
        key = ("keyword", query, filters, k, style)

        def compute(conn: sqlite3.Connection) -> tuple[KeywordHit, ...]:
            allowed = self._view.recordings.allowed(filters)
            return tuple(keyword.search(conn, query, self._view.recordings, allowed, k, style))

        return list(self._cached(key, None, compute))

    def hybrid_search(
        self,
        query: str,
        *,
        model: str,
        embed: EmbedFn,
        k: int = 10,
        filters: SearchFilters | None = None,
        style: SnippetStyle | None = None,
    ) -> list[SearchHit]:
        """Keyword and vector results fused by reciprocal rank, one hit per recording."""
        k = _check_k(k)
        filters = filters or SearchFilters()
        style = style or SnippetStyle()
        if not query.strip():
            return []
        key = ("hybrid", model, query, filters, k, style)
        query_vector = self._view.query_vector(model, query, embed)

        def compute(conn: sqlite3.Connection) -> tuple[SearchHit, ...]:
            found = self._candidates(conn, query, model, query_vector, filters, 3 * k, style)
            return tuple(fused_hits(found.near, found.words, query_terms(query), style, k))

        return list(self._cached(key, model, compute))

    def search(
        self,
        query: str,
        *,
        model: str,
        embed: EmbedFn,
        k: int = 10,
        filters: SearchFilters | None = None,
        style: SnippetStyle | None = None,
    ) -> SearchOutcome:
        """Hybrid search with the relevance bar: hits that clear it, weaker ones, suggestions.

        Both lists keep the fused (RRF) order; see :mod:`recordroute.search.relevance`.
        """
        k = _check_k(k)
        filters = filters or SearchFilters()
        style = style or SnippetStyle()
        if not query.strip():
            return SearchOutcome(query, model, ())
        calibration = self.calibration(model, embed)
        key = ("judged", model, query, filters, k, style, calibration)
        query_vector = self._view.query_vector(model, query, embed)

        def compute(conn: sqlite3.Connection) -> SearchOutcome:
            found = self._candidates(conn, query, model, query_vector, filters, 3 * k, style)
            recordings = self._view.recordings
            vocabulary = functools.partial(self._view.vocabulary, conn)
            return judge_hits(
                conn, query, model, found, recordings, calibration, style, k, vocabulary
            )

        return self._cached(key, model, compute)

    def calibration(self, model: str, embed: EmbedFn) -> Calibration:
        """The similarity scale of ``model``: stored in the index, measured on first use."""
        return self._view.calibration(model, embed)

    def similar_recordings(
        self,
        recording_id: str,
        *,
        model: str,
        k: int = 5,
        filters: SearchFilters | None = None,
    ) -> list[SimilarRecording]:
        """Other recordings ranked by the mean, over this recording's chunks, of each
        chunk's best cosine with any of their chunks; itself and deleted ones excluded."""
        k = _check_k(k)
        filters = filters or SearchFilters()
        key = ("similar", model, recording_id, filters, k)

        def compute(conn: sqlite3.Connection) -> tuple[SimilarRecording, ...]:
            return tuple(similar_in(self._view, conn, recording_id, model, filters, k))

        return list(self._cached(key, model, compute))

    # -- internals -----------------------------------------------------------------
    def _cached(
        self, key: tuple[Any, ...], model: str | None, compute: Callable[[sqlite3.Connection], T]
    ) -> T:
        """``compute(conn)`` in a fresh snapshot, or its cached (immutable) result."""
        with self._view.snapshot(model) as conn:
            cached = self._view.results.get(key)
            if cached is not None:
                return cast(T, cached[0])
            value = compute(conn)
            self._view.results.put(key, (value,))
        return value

    def _candidates(
        self,
        conn: sqlite3.Connection,
        query: str,
        model: str,
        query_vector: Float32Array | None,
        filters: SearchFilters,
        k: int,
        style: SnippetStyle,
    ) -> Candidates:
        """The best ``k`` (at least 30) keyword and vector candidates, one per recording."""
        depth = max(k, 30)
        view = self._view
        allowed = view.recordings.allowed(filters)
        words = keyword.search(conn, query, view.recordings, allowed, depth, style)
        near: list[ChunkHit] = []
        rows: ModelRows | None = None
        if query_vector is not None:
            rows = view.model_rows(conn, model, query_vector.shape[0])
            if rows is not None:
                mask = view.mask(rows, filters)
                picks = rank_rows(rows, query_vector, mask, depth, True, self._rescore_factor)
                near = chunk_hits(conn, rows, picks, view.recordings.id_of)
        return Candidates(near, words, rows, query_vector)


def _check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidInputError(
            f"Result count k={k} is out of range.", f"Use a number from 1 to {MAX_K}."
        )
    return k


__all__ = ["EmbedFn", "ProgressFn", "RecordingVectors", "SearchIndex"]
