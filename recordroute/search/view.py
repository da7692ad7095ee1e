"""IndexView: this process's picture of one index folder, kept in step with other processes.

It owns the open database, the loaded recording catalogue, the memory-mapped matrices
per model, the row masks per filter, the query-embedding and result caches and the
similarity calibrations.  Every read runs inside :meth:`IndexView.snapshot`: one SQLite
read transaction that first compares the stored revision with the one loaded here and,
if any process wrote since, reloads what changed and empties the result cache.
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

from ..errors import CorruptDataError, NotFoundError
from . import writer
from .cache import TTLCache
from .calibration import Calibration, calibration_path, measure
from .calibration import load as load_calibration
from .calibration import save as save_calibration
from .catalog import ModelRows, Recordings, load_recordings, refresh_model
from .matrix import Float32Array, MatrixMissingError, model_slug
from .results import CacheStats, ModelInfo, SearchFilters
from .schema import Database
from .suggestions import Vocabulary

#: ``embed(texts) -> (len(texts), dim) float32``, the shape of ``Embedder.embed``
EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]
_OPEN_RETRIES = 3
_REINDEX_FIX = "Run `recordroute reindex` to rebuild the search index from the stored chunks."
_MAX_MASKS = 32


class IndexView:
    """The state behind :class:`~recordroute.search.index.SearchIndex`; see the module docstring."""

    def __init__(
        self,
        index_dir: Path,
        *,
        busy_timeout_s: float,
        cache_ttl_s: float,
        cache_entries: int,
        quantized: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dir = index_dir
        self.quantized = quantized
        self.lock = threading.RLock()
        self.results: TTLCache[tuple[Any, ...]] = TTLCache(cache_ttl_s, cache_entries, clock)
        self.embeddings: TTLCache[Float32Array] = TTLCache(cache_ttl_s, cache_entries, clock)
        self.db = Database(index_dir, busy_timeout_s)
        self.recordings: Recordings = load_recordings(self.db.conn)
        self._recordings_rev = -1
        self.models: dict[str, ModelRows] = {}
        self._models_rev: dict[str, int] = {}
        #: row masks per (model, filters, excluded recording), valid until the next reload
        self._masks: dict[tuple[str, SearchFilters, int | None], npt.NDArray[np.bool_]] = {}
        self._calibrations: dict[str, Calibration] = {}
        self._vocab: tuple[int, Vocabulary] | None = None

    def close(self) -> None:
        with self.lock:
            self.db.close()
            self.models.clear()

    def revision(self) -> int:
        with self.lock:
            return self.db.revision()

    def cache_stats(self) -> dict[str, CacheStats]:
        return {"results": self.results.stats(), "embeddings": self.embeddings.stats()}

    def model_infos(self) -> list[ModelInfo]:
        with self.lock:
            rows = self.db.conn.execute(
                "SELECT m.name, m.dim, m.n_rows, m.generation, (SELECT COUNT(*) FROM vec_rows v "
                "WHERE v.model_id = m.id AND v.dead = 0) FROM models m ORDER BY m.name"
            ).fetchall()
        return [ModelInfo(name, dim, n, live, gen) for name, dim, n, gen, live in rows]

    # -- transactions ----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self.lock, self.db.write() as conn:
            yield conn

    @contextlib.contextmanager
    def snapshot(self, model: str | None) -> Iterator[sqlite3.Connection]:
        """One read transaction with this process's picture brought up to date."""
        with self.lock:
            conn = self.db.conn
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
        revision = self.db.revision()
        if revision != self._recordings_rev:
            self.recordings = load_recordings(conn)
            self._recordings_rev = revision
            self.results.clear()
            self._masks.clear()
        if model is not None and self._models_rev.get(model) != revision:
            rows = refresh_model(conn, self.dir, model, self.models.get(model), self.quantized)
            if rows is None:
                self.models.pop(model, None)
            else:
                self.models[model] = rows
            self._models_rev[model] = revision
            self._masks.clear()

    # -- what a read needs (inside a snapshot) ---------------------------------------------
    def mask(
        self, rows: ModelRows, filters: SearchFilters, exclude: int | None = None
    ) -> npt.NDArray[np.bool_]:
        key = (rows.name, filters, exclude)
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= _MAX_MASKS:
                self._masks.clear()
            mask = rows.mask(self.recordings.allowed(filters, exclude))
            self._masks[key] = mask
        return mask

    def model_rows(self, conn: sqlite3.Connection, model: str, dim: int) -> ModelRows | None:
        """The model's rows; None when the index has no vectors at all yet."""
        rows = self.models.get(model)
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

    def vocabulary(self, conn: sqlite3.Connection) -> Vocabulary:
        revision = self.db.revision()
        if self._vocab is None or self._vocab[0] != revision:
            self._vocab = (revision, Vocabulary.build(conn))
        return self._vocab[1]

    # -- outside a snapshot ----------------------------------------------------------------
    def query_vector(self, model: str, query: str, embed: EmbedFn) -> Float32Array | None:
        """The cached or freshly computed query embedding; None when nothing is embedded yet."""
        with self.lock:
            conn = self.db.conn
            row = conn.execute("SELECT epoch, dim FROM models WHERE name = ?", (model,)).fetchone()
            if row is None and conn.execute("SELECT 1 FROM models LIMIT 1").fetchone() is None:
                return None
        key = (model, -1 if row is None else int(row[0]), query)
        vector = self.embeddings.get(key)
        if vector is None:
            vector = writer.embed_checked(embed, [query], model)[0]
            if row is not None and vector.shape[0] != int(row[1]):
                raise writer.dimension_error(model, vector.shape[0], int(row[1]), "query vectors")
            self.embeddings.put(key, vector)
        return vector

    def calibration(self, model: str, embed: EmbedFn) -> Calibration:
        """The similarity scale of ``model``: stored in the index, measured on first use."""
        with self.lock:
            found = self._calibrations.get(model)
            if found is not None:
                return found
            path = calibration_path(self.dir, model_slug(model))
            found = load_calibration(path, model)
        if found is None:
            found = measure(model, embed)
            with self.lock:
                save_calibration(path, found)
        with self.lock:
            self._calibrations[model] = found
        return found


__all__ = ["EmbedFn", "IndexView"]
