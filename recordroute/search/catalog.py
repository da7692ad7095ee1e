"""The in-memory picture of the index a process searches with, reloaded per revision.

:class:`Recordings` holds the per-recording filter fields as arrays indexed by the
recording's integer key; :class:`ModelRows` holds one model's memory-mapped matrix
with, per row, the recording key and whether the row is still live.  Filters become
boolean masks over the rows before any ranking happens.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import CorruptDataError
from .matrix import MatrixMissingError, QuantizedRows, matrix_path, open_matrix
from .results import RECORDING_KINDS, SearchFilters

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclasses.dataclass
class Recordings:
    """Filter fields of every recording, as arrays indexed by recording key."""

    key_of: dict[str, int]
    id_of: dict[int, str]
    created: npt.NDArray[np.float64]
    kind: npt.NDArray[np.int8]
    deleted: BoolArray
    exists: BoolArray
    tagged: dict[str, set[int]]

    def allowed(self, filters: SearchFilters, exclude: int | None = None) -> BoolArray:
        """Which recording keys pass ``filters`` (and are not ``exclude``)."""
        keep = self.exists.copy()
        if not filters.include_deleted:
            keep &= ~self.deleted
        low, high = filters.bounds()
        if low is not None:
            keep &= self.created >= low
        if high is not None:
            keep &= self.created <= high
        if filters.kinds:
            codes = [RECORDING_KINDS.index(kind) for kind in filters.kinds]
            keep &= np.isin(self.kind, codes)
        for tag in filters.tags:
            with_tag = np.zeros_like(keep)
            keys = self.tagged.get(tag.strip().casefold(), set())
            with_tag[list(keys)] = True
            keep &= with_tag
        if filters.recordings:
            chosen = np.zeros_like(keep)
            chosen[[self.key_of[r] for r in filters.recordings if r in self.key_of]] = True
            keep &= chosen
        if exclude is not None:
            keep[exclude] = False
        return keep


def load_recordings(conn: sqlite3.Connection) -> Recordings:
    rows = conn.execute(
        "SELECT key, recording_id, created_ts, kind, tags, deleted FROM recordings"
    ).fetchall()
    size = max((int(row[0]) for row in rows), default=0) + 1
    created = np.zeros(size, dtype=np.float64)
    kind = np.full(size, -1, dtype=np.int8)
    deleted = np.zeros(size, dtype=np.bool_)
    exists = np.zeros(size, dtype=np.bool_)
    key_of: dict[str, int] = {}
    id_of: dict[int, str] = {}
    tagged: dict[str, set[int]] = {}
    for key, recording_id, created_ts, kind_name, tags_json, is_deleted in rows:
        key_of[recording_id] = key
        id_of[key] = recording_id
        created[key] = created_ts
        kind[key] = RECORDING_KINDS.index(kind_name)
        deleted[key] = bool(is_deleted)
        exists[key] = True
        for tag in json.loads(tags_json):
            tagged.setdefault(tag.casefold(), set()).add(key)
    return Recordings(key_of, id_of, created, kind, deleted, exists, tagged)


@dataclasses.dataclass
class ModelRows:
    """One model's published matrix as this process sees it."""

    model_id: int
    name: str
    dim: int
    generation: int
    capacity: int
    n_rows: int
    matrix: npt.NDArray[np.float32]
    rec_key: IntArray
    chunk_id: IntArray
    alive: BoolArray
    quantized: QuantizedRows | None = None
    view: npt.NDArray[np.float32] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.view = np.asarray(self.matrix[: self.n_rows])

    def rows(self) -> npt.NDArray[np.float32]:
        """The published rows, as a plain array view of the memory map."""
        return self.view

    def mask(self, allowed: BoolArray) -> BoolArray:
        """Live rows whose recording passes the filters."""
        keys = self.rec_key
        inside = keys < allowed.shape[0]
        ok = np.zeros(self.n_rows, dtype=np.bool_)
        ok[inside] = allowed[keys[inside]]
        return ok & self.alive


def model_record(conn: sqlite3.Connection, name: str) -> tuple[int, int, int, int, int, str] | None:
    """``(id, dim, generation, n_rows, capacity, slug)`` of a model, or None."""
    row = conn.execute(
        "SELECT id, dim, generation, n_rows, capacity, slug FROM models WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]), str(row[5])


def refresh_model(
    conn: sqlite3.Connection,
    index_dir: Path,
    name: str,
    old: ModelRows | None,
    quantize: bool,
) -> ModelRows | None:
    """The model's rows at the current revision, reusing what ``old`` already loaded.

    Rows are append-only within a generation, so only new rows and the dead flags
    are read again; a new generation (growth, compaction, rebuild) is read whole.
    """
    record = model_record(conn, name)
    if record is None:
        return None
    model_id, dim, generation, n_rows, capacity, slug = record
    same_file = old is not None and (old.generation, old.dim) == (generation, dim)
    have = 0
    keys_before = chunks_before = np.zeros(0, dtype=np.int64)
    if old is not None and same_file and n_rows >= old.n_rows:
        matrix = old.matrix
        have = old.n_rows
        keys_before, chunks_before = old.rec_key, old.chunk_id
    elif generation == 0:
        matrix = np.zeros((0, dim), dtype=np.float32)
    else:
        matrix = _open(index_dir, name, slug, generation, capacity, dim)
    new_keys = conn.execute(
        "SELECT rec_key, chunk_id FROM vec_rows WHERE model_id = ? AND pos >= ? AND pos < ? "
        "ORDER BY pos",
        (model_id, have, n_rows),
    ).fetchall()
    if len(new_keys) != n_rows - have:
        raise CorruptDataError(
            f"The search index lists {have + len(new_keys)} rows for model {name!r} but "
            f"publishes {n_rows}.",
            "Run `recordroute reindex` to rebuild the search index from the stored chunks.",
        )
    fresh = np.array(new_keys, dtype=np.int64).reshape(-1, 2)
    rec_key = np.concatenate([keys_before, fresh[:, 0]])
    chunk_id = np.concatenate([chunks_before, fresh[:, 1]])
    alive = np.ones(n_rows, dtype=np.bool_)
    dead = conn.execute(
        "SELECT pos FROM vec_rows WHERE model_id = ? AND dead = 1 AND pos < ?", (model_id, n_rows)
    ).fetchall()
    alive[[pos for (pos,) in dead]] = False
    rows = ModelRows(
        model_id, name, dim, generation, capacity, n_rows, matrix, rec_key, chunk_id, alive
    )
    if quantize:
        rows.quantized = old.quantized if same_file and old is not None else None
        if rows.quantized is None or rows.quantized.codes.shape[0] > n_rows:
            rows.quantized = QuantizedRows(dim)
        rows.quantized.extend(matrix, n_rows)
    return rows


def _open(
    index_dir: Path, name: str, slug: str, generation: int, capacity: int, dim: int
) -> npt.NDArray[np.float32]:
    path = matrix_path(index_dir / slug, generation)
    try:
        return open_matrix(path, capacity, dim)
    except MatrixMissingError as exc:
        # the caller tells "replaced by a newer generation" from "lost" by re-reading
        raise MatrixMissingError(
            f"The search matrix {path} for model {name!r} is missing."
        ) from exc
