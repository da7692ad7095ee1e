"""SearchIndex: the search engine over one index folder, shared safely between processes.

Layout: ``<index_dir>/search.sqlite3`` (recordings, chunks, row metadata, keyword
passages) and ``<index_dir>/<model slug>/matrix-<generation>.npy`` (one float32
matrix of unit chunk vectors per embedding model, memory-mapped for search).

Every read runs in one SQLite read transaction: it first compares the stored
revision with the one this process loaded and, if another process (or this one)
wrote since, reloads what changed and empties the result cache.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import CorruptDataError, InvalidInputError, NotFoundError
from ..models import Segment
from . import keyword, writer
from .cache import TTLCache
from .calibration import Calibration, calibration_path, measure
from .calibration import load as load_calibration
from .calibration import save as save_calibration
from .catalog import ModelRows, load_recordings, refresh_model
from .hits import chunk_hits, fused_hits
from .judged import Candidates, judge_hits
from .matrix import Float32Array, MatrixMissingError, model_slug, normalize_rows, remove_stale
from .ranking import mean_best_match, rank_many, rank_rows, top_rows
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
from .schema import Database
from .suggestions import Vocabulary
from .words import query_terms

#: ``embed(texts) -> (len(texts), dim) float32``, the shape of ``Embedder.embed``
EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]
#: ``on_progress(done, total)`` during a rebuild
ProgressFn = Callable[[int, int], None]
MAX_K = 1000
_OPEN_RETRIES = 3
_REINDEX_FIX = "Run `recordroute reindex` to rebuild the search index from the stored chunks."


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
        self._quantized = quantized
        self._rescore_factor = rescore_factor
        self._lock = threading.RLock()
        self._results: TTLCache[tuple[Any, ...]] = TTLCache(cache_ttl_s, cache_entries, clock)
        self._embeddings: TTLCache[Float32Array] = TTLCache(cache_ttl_s, cache_entries, clock)
        self._db = Database(self._dir, busy_timeout_s)
        self._recordings = load_recordings(self._db.conn)
        self._recordings_rev = -1
        self._models: dict[str, ModelRows] = {}
        self._models_rev: dict[str, int] = {}
        #: row masks per (model, filters, excluded recording), valid until the next reload
        self._masks: dict[tuple[str, SearchFilters, int | None], npt.NDArray[np.bool_]] = {}
        self._calibrations: dict[str, Calibration] = {}
        self._vocab: tuple[int, Vocabulary] | None = None

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._models.clear()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def revision(self) -> int:
        """Bumped by every committed change, by any process."""
        with self._lock:
            return self._db.revision()

    def cache_stats(self) -> dict[str, CacheStats]:
        """Counters of the ``results`` and ``embeddings`` caches."""
        return {"results": self._results.stats(), "embeddings": self._embeddings.stats()}

    def models(self) -> list[ModelInfo]:
        """Every embedding model with vectors in the index."""
        with self._lock:
            rows = self._db.conn.execute(
                "SELECT m.name, m.dim, m.n_rows, m.generation, (SELECT COUNT(*) FROM vec_rows v "
                "WHERE v.model_id = m.id AND v.dead = 0) FROM models m ORDER BY m.name"
            ).fetchall()
        return [ModelInfo(name, dim, n, live, gen) for name, dim, n, gen, live in rows]

    # -- writes --------------------------------------------------------------------
    def put_recording(self, info: RecordingInfo) -> None:
        """Add a recording or update its filter fields (date, type, tags, deleted)."""
        with self._write() as conn:
            writer.upsert_recording(conn, info)

    def set_deleted(self, recording_id: str, deleted: bool = True) -> None:
        """Soft-delete (or restore) a recording: it stays indexed but is never returned."""
        with self._write() as conn:
            key = writer.recording_key(conn, recording_id)
            conn.execute("UPDATE recordings SET deleted = ? WHERE key = ?", (int(deleted), key))

    def purge(self, recording_id: str) -> None:
        """Remove a recording with its chunks and passages; its rows go at the next compaction."""
        with self._write() as conn:
            key = writer.recording_key(conn, recording_id)
            conn.execute("UPDATE vec_rows SET dead = 1 WHERE rec_key = ?", (key,))
            for table in ("chunks", "passages"):
                conn.execute(f"DELETE FROM {table} WHERE rec_key = ?", (key,))
            conn.execute("DELETE FROM recordings WHERE key = ?", (key,))

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
        prepared = [(item, writer.checked_vectors(item)) for item in items]
        dims = {vectors.shape[1] for _, vectors in prepared if vectors.shape[0]}
        if len(dims) > 1:
            raise InvalidInputError(
                f"The recordings of one call have vectors of different dimensions {sorted(dims)}.",
                "Embed all recordings of one call with the same model.",
            )
        new: writer.ModelState | None = None
        with self._write() as conn:
            state = writer.ensure_model(conn, model, dims.pop()) if dims else None
            owners: list[tuple[int, int]] = []
            for item, _ in prepared:
                key = writer.upsert_recording(conn, item.info)
                ids = writer.replace_chunks(conn, key, item.artifact_id, item.chunks)
                owners.extend((chunk_id, key) for chunk_id in ids)
            if state is not None:
                rows = np.concatenate([vectors for _, vectors in prepared if vectors.shape[0]])
                new = writer.append_vectors(conn, self._dir, state, rows, owners)
        if state is not None and new is not None and new.generation != state.generation:
            remove_stale(self._dir / new.slug, new.generation)

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
        with self._write() as conn:
            key = writer.recording_key(conn, recording_id)
            keyword.replace_passages(conn, key, field, passages)

    def compact(self, model: str | None = None) -> int:
        """Rewrite matrices without dead rows (replaced or purged); returns rows removed."""
        removed = 0
        published: list[writer.ModelState] = []
        with self._write() as conn:
            names = [model] if model else [r[0] for r in conn.execute("SELECT name FROM models")]
            for name in names:
                state = self._require_model(conn, name)
                live = writer.live_rows(conn, state)
                if len(live) == state.n_rows:
                    continue
                blocks = writer.gather_rows(self._dir, state, [pos for pos, _, _ in live])
                owners = [(cid, key) for _, cid, key in live]
                new = writer.rewrite_model(
                    conn, self._dir, state, state.dim, blocks, owners, new_epoch=False
                )
                removed += state.n_rows - len(live)
                published.append(new)
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
        with self._lock:
            snapshot = self._db.conn.execute("SELECT id, text FROM chunks ORDER BY id").fetchall()
        done: dict[int, Float32Array] = {}
        for low in range(0, len(snapshot), batch_size):
            part = snapshot[low : low + batch_size]
            vectors = writer.embed_checked(embed, [text for _, text in part], model)
            done.update(zip((cid for cid, _ in part), vectors, strict=True))
            if on_progress is not None:
                on_progress(low + len(part), len(snapshot))
        with self._write() as conn:
            new = writer.publish_rebuild(conn, self._dir, model, done, embed)
        remove_stale(self._dir / new.slug, new.generation)
        self._embeddings.clear()
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
        with self._snapshot(model) as conn:
            cached = self._results.get(key)
            if cached is not None:
                return [list(hits) for hits in cached]
            rows = self._model_rows(conn, model, queries.shape[1])
            if rows is None:
                return [[] for _ in range(queries.shape[0])]
            mask = self._mask(rows, filters)
            picks = rank_many(rows, queries, mask, k, per_recording, self._rescore_factor)
            result = tuple(tuple(chunk_hits(conn, rows, p, self._recordings.id_of)) for p in picks)
            self._results.put(key, result)
        return [list(hits) for hits in result]

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
        with self._snapshot(None) as conn:
            cached = self._results.get(key)
            if cached is not None:
                return list(cached)
            allowed = self._recordings.allowed(filters)
            hits = keyword.search(conn, query, self._recordings, allowed, k, style)
            self._results.put(key, tuple(hits))
        return hits

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
        query_vector = self._query_vector(model, query, embed)
        depth = max(3 * k, 30)
        with self._snapshot(model) as conn:
            cached = self._results.get(key)
            if cached is not None:
                return list(cached)
            allowed = self._recordings.allowed(filters)
            words = keyword.search(conn, query, self._recordings, allowed, depth, style)
            near: list[ChunkHit] = []
            if query_vector is not None:
                rows = self._model_rows(conn, model, query_vector.shape[0])
                if rows is not None:
                    mask = self._mask(rows, filters)
                    picks = rank_rows(rows, query_vector, mask, depth, True, self._rescore_factor)
                    near = chunk_hits(conn, rows, picks, self._recordings.id_of)
            hits = fused_hits(near, words, query_terms(query), style, k)
            self._results.put(key, tuple(hits))
        return hits

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
        query_vector = self._query_vector(model, query, embed)
        depth = max(3 * k, 30)
        with self._snapshot(model) as conn:
            cached = self._results.get(key)
            if cached is not None:
                return cached[0]  # type: ignore[no-any-return]
            allowed = self._recordings.allowed(filters)
            words = keyword.search(conn, query, self._recordings, allowed, depth, style)
            near: list[ChunkHit] = []
            rows = None
            if query_vector is not None:
                rows = self._model_rows(conn, model, query_vector.shape[0])
                if rows is not None:
                    mask = self._mask(rows, filters)
                    picks = rank_rows(rows, query_vector, mask, depth, True, self._rescore_factor)
                    near = chunk_hits(conn, rows, picks, self._recordings.id_of)
            found = Candidates(near, words, rows, query_vector)
            outcome = judge_hits(
                conn,
                query,
                model,
                found,
                self._recordings,
                calibration,
                style,
                k,
                lambda: self._vocabulary(conn),
            )
            self._results.put(key, (outcome,))
        return outcome

    def calibration(self, model: str, embed: EmbedFn) -> Calibration:
        """The similarity scale of ``model``: stored in the index, measured on first use."""
        with self._lock:
            found = self._calibrations.get(model)
            if found is not None:
                return found
            path = calibration_path(self._dir, model_slug(model))
            found = load_calibration(path, model)
        if found is None:
            found = measure(model, embed)
            with self._lock:
                save_calibration(path, found)
        with self._lock:
            self._calibrations[model] = found
        return found

    def _vocabulary(self, conn: sqlite3.Connection) -> Vocabulary:
        revision = self._db.revision()
        if self._vocab is None or self._vocab[0] != revision:
            self._vocab = (revision, Vocabulary.build(conn))
        return self._vocab[1]

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
        with self._snapshot(model) as conn:
            cached = self._results.get(key)
            if cached is not None:
                return list(cached)
            source_key = self._recordings.key_of.get(recording_id)
            rows = self._models.get(model)
            if source_key is None:
                raise NotFoundError(
                    f"Recording {recording_id!r} is not in the search index.",
                    "Check the id, or process the recording so that it gets indexed.",
                )
            own = (
                np.flatnonzero((rows.rec_key == source_key) & rows.alive)
                if rows is not None
                else np.zeros(0, dtype=np.int64)
            )
            if rows is None or own.size == 0:
                raise NotFoundError(
                    f"Recording {recording_id!r} has no vectors for embedding model {model!r}.",
                    "Run the embed step for it, or `recordroute reindex` for this model.",
                )
            matrix = rows.rows()
            source = np.asarray(matrix[own], dtype=np.float32)
            selected = np.flatnonzero(self._mask(rows, filters, source_key))
            groups, scores, best = mean_best_match(source, matrix, selected, rows.rec_key)
            order = top_rows(scores, k)
            best_scores = (np.asarray(matrix[best[order]]) @ source.T).max(axis=1).tolist()
            picks = list(zip(best[order].tolist(), best_scores, strict=True))
            chunks = chunk_hits(conn, rows, picks, self._recordings.id_of)
            hits = [
                SimilarRecording(self._recordings.id_of[int(groups[i])], float(scores[i]), chunk)
                for i, chunk in zip(order.tolist(), chunks, strict=True)
            ]
            self._results.put(key, tuple(hits))
        return hits

    # -- internals -----------------------------------------------------------------
    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db.write() as conn:
            yield conn

    @contextlib.contextmanager
    def _snapshot(self, model: str | None) -> Iterator[sqlite3.Connection]:
        """One read transaction with this process's picture brought up to date."""
        with self._lock:
            conn = self._db.conn
            for attempt in range(_OPEN_RETRIES):
                conn.execute("BEGIN")
                try:
                    self._sync(conn, model)
                    break
                except MatrixMissingError as exc:
                    conn.execute("ROLLBACK")
                    # a writer may have replaced the generation after our snapshot began
                    if attempt + 1 == _OPEN_RETRIES:
                        raise CorruptDataError(str(exc), _REINDEX_FIX) from None
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def _sync(self, conn: sqlite3.Connection, model: str | None) -> None:
        revision = self._db.revision()
        if revision != self._recordings_rev:
            self._recordings = load_recordings(conn)
            self._recordings_rev = revision
            self._results.clear()
            self._masks.clear()
        if model is not None and self._models_rev.get(model) != revision:
            rows = refresh_model(conn, self._dir, model, self._models.get(model), self._quantized)
            if rows is None:
                self._models.pop(model, None)
            else:
                self._models[model] = rows
            self._models_rev[model] = revision
            self._masks.clear()

    def _mask(
        self, rows: ModelRows, filters: SearchFilters, exclude: int | None = None
    ) -> npt.NDArray[np.bool_]:
        key = (rows.name, filters, exclude)
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= 32:
                self._masks.clear()
            mask = rows.mask(self._recordings.allowed(filters, exclude))
            self._masks[key] = mask
        return mask

    def _model_rows(self, conn: sqlite3.Connection, model: str, dim: int) -> ModelRows | None:
        """The model's rows; None when the index has no vectors at all yet."""
        rows = self._models.get(model)
        if rows is None:
            others = [name for (name,) in conn.execute("SELECT name FROM models ORDER BY name")]
            if not others:
                return None
            raise NotFoundError(
                f"The search index has no vectors for embedding model {model!r}; it has "
                f"vectors for {', '.join(repr(name) for name in others)}.",
                "Run `recordroute reindex` to embed the stored chunks with this model, or "
                "search with the model the index was built with.",
            )
        if rows.dim != dim:
            raise writer.dimension_error(model, dim, rows.dim, "query vectors")
        return rows

    def _require_model(self, conn: sqlite3.Connection, model: str) -> writer.ModelState:
        state = writer.model_state(conn, model)
        if state is None:
            raise NotFoundError(
                f"The search index has no vectors for embedding model {model!r}.",
                "Check the model name; `recordroute doctor` lists the indexed models.",
            )
        return state

    def _query_vector(self, model: str, query: str, embed: EmbedFn) -> Float32Array | None:
        """The cached or freshly computed query embedding; None when nothing is embedded yet."""
        with self._lock:
            conn = self._db.conn
            row = conn.execute("SELECT epoch, dim FROM models WHERE name = ?", (model,)).fetchone()
            if row is None and conn.execute("SELECT 1 FROM models LIMIT 1").fetchone() is None:
                return None
        key = (model, -1 if row is None else int(row[0]), query)
        vector = self._embeddings.get(key)
        if vector is None:
            vector = writer.embed_checked(embed, [query], model)[0]
            if row is not None and vector.shape[0] != int(row[1]):
                raise writer.dimension_error(model, vector.shape[0], int(row[1]), "query vectors")
            self._embeddings.put(key, vector)
        return vector


def _check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidInputError(
            f"Result count k={k} is out of range.", f"Use a number from 1 to {MAX_K}."
        )
    return k


__all__ = ["EmbedFn", "ProgressFn", "RecordingVectors", "SearchIndex"]
