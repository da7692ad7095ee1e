"""Write steps of the index, each run inside the caller's ``BEGIN IMMEDIATE`` transaction.

Order matters for crash safety: matrix bytes are written and fsynced *before* the
SQLite rows that publish them commit.  A crash before the commit leaves either
unpublished rows past ``n_rows`` (ignored, overwritten by the next append) or an
unnamed generation file (replaced by the next writer, which reuses its number).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import CorruptDataError, InvalidInputError, NotFoundError
from .catalog import model_record
from .matrix import (
    Float32Array,
    MatrixMissingError,
    append_rows,
    matrix_path,
    model_slug,
    normalize_rows,
    open_matrix,
    write_matrix,
)
from .results import RecordingInfo, RecordingVectors, TextChunk

#: rows copied per block when a matrix is rewritten
COPY_BLOCK = 65536
_MIN_CAPACITY = 1024


@dataclasses.dataclass(frozen=True)
class ModelState:
    model_id: int
    name: str
    dim: int
    generation: int
    n_rows: int
    capacity: int
    slug: str

    def path(self, index_dir: Path) -> Path:
        return matrix_path(index_dir / self.slug, self.generation)


def dimension_error(model: str, got: int, have: int, what: str) -> InvalidInputError:
    return InvalidInputError(
        f"The {what} for embedding model {model!r} have {got} dimensions, but the search "
        f"index holds {have}-dimensional vectors for that model.",
        "Embed with the same model and settings as the index, or rebuild the index for the "
        "new model with `recordroute reindex`.",
    )


def model_state(conn: sqlite3.Connection, model: str) -> ModelState | None:
    record = model_record(conn, model)
    if record is None:
        return None
    model_id, dim, generation, n_rows, capacity, slug = record
    return ModelState(model_id, model, dim, generation, n_rows, capacity, slug)


def ensure_model(conn: sqlite3.Connection, model: str, dim: int) -> ModelState:
    """The model's state, registering it (with no matrix file yet) on first use."""
    if not model.strip():
        raise InvalidInputError("Embedding model name is empty.", "Pass the model's name.")
    state = model_state(conn, model)
    if state is None:
        conn.execute(
            "INSERT INTO models (name, slug, dim, generation, n_rows, capacity) "
            "VALUES (?, ?, ?, 0, 0, 0)",
            (model, model_slug(model), dim),
        )
        state = model_state(conn, model)
        assert state is not None
    elif state.dim != dim:
        raise dimension_error(model, dim, state.dim, "vectors")
    return state


def upsert_recording(conn: sqlite3.Connection, info: RecordingInfo) -> int:
    """Insert or update the recording's filter fields; returns its integer key."""
    tags = sorted({tag.strip() for tag in info.tags if tag.strip()})
    conn.execute(
        "INSERT INTO recordings (recording_id, created_ts, kind, tags, deleted) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET "
        "created_ts = excluded.created_ts, kind = excluded.kind, tags = excluded.tags, "
        "deleted = excluded.deleted",
        (
            info.recording_id,
            info.created_at.timestamp(),
            info.kind,
            json.dumps(tags, ensure_ascii=False),
            int(info.deleted),
        ),
    )
    return recording_key(conn, info.recording_id)


def recording_key(conn: sqlite3.Connection, recording_id: str) -> int:
    row = conn.execute(
        "SELECT key FROM recordings WHERE recording_id = ?", (recording_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"Recording {recording_id!r} is not in the search index.",
            "Check the id, or add the recording to the index first.",
        )
    return int(row[0])


def replace_chunks(
    conn: sqlite3.Connection, rec_key: int, artifact_id: str, chunks: Sequence[TextChunk]
) -> list[int]:
    """Drop the recording's chunks (and kill their rows in every model); store new ones."""
    conn.execute("UPDATE vec_rows SET dead = 1 WHERE rec_key = ? AND dead = 0", (rec_key,))
    conn.execute("DELETE FROM chunks WHERE rec_key = ?", (rec_key,))
    conn.executemany(
        "INSERT INTO chunks (rec_key, artifact_id, ordinal, text, char_start, char_end, "
        "start_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rec_key, artifact_id, i, c.text, c.char_start, c.char_end, c.start_s, c.end_s)
            for i, c in enumerate(chunks)
        ],
    )
    # AUTOINCREMENT: ids are never reused, so a chunk id always names the same text
    rows = conn.execute(
        "SELECT id FROM chunks WHERE rec_key = ? ORDER BY ordinal", (rec_key,)
    ).fetchall()
    return [int(row[0]) for row in rows]


def append_vectors(
    conn: sqlite3.Connection,
    index_dir: Path,
    state: ModelState,
    vectors: Float32Array,
    owners: Sequence[tuple[int, int]],
) -> ModelState:
    """Append rows (``owners`` = chunk id, recording key per row) and publish the new count."""
    n_rows = state.n_rows + vectors.shape[0]
    if n_rows <= state.capacity:
        append_rows(state.path(index_dir), state.n_rows, state.capacity, vectors)
        new = dataclasses.replace(state, n_rows=n_rows)
    else:
        capacity = max(2 * state.capacity, n_rows, _MIN_CAPACITY)
        new = dataclasses.replace(
            state, generation=state.generation + 1, n_rows=n_rows, capacity=capacity
        )
        old = _current_rows(index_dir, state)
        write_matrix(new.path(index_dir), capacity, state.dim, _chain(_blocks(old), vectors))
    conn.executemany(
        "INSERT INTO vec_rows (model_id, pos, chunk_id, rec_key) VALUES (?, ?, ?, ?)",
        [
            (state.model_id, state.n_rows + i, chunk_id, rec_key)
            for i, (chunk_id, rec_key) in enumerate(owners)
        ],
    )
    _publish(conn, new)
    return new


def rewrite_model(
    conn: sqlite3.Connection,
    index_dir: Path,
    state: ModelState,
    dim: int,
    blocks: Iterator[Float32Array],
    owners: Sequence[tuple[int, int]],
    *,
    new_epoch: bool,
) -> ModelState:
    """Replace the model's whole matrix with a new generation (compaction, rebuild)."""
    n_rows = len(owners)
    capacity = max(n_rows + n_rows // 8, _MIN_CAPACITY)
    new = dataclasses.replace(
        state, dim=dim, generation=state.generation + 1, n_rows=n_rows, capacity=capacity
    )
    written = write_matrix(new.path(index_dir), capacity, dim, blocks)
    if written != n_rows:  # pragma: no cover - guards the callers' bookkeeping
        raise RuntimeError(f"wrote {written} rows for {n_rows} owners")
    conn.execute("DELETE FROM vec_rows WHERE model_id = ?", (state.model_id,))
    conn.executemany(
        "INSERT INTO vec_rows (model_id, pos, chunk_id, rec_key) VALUES (?, ?, ?, ?)",
        [(state.model_id, pos, cid, key) for pos, (cid, key) in enumerate(owners)],
    )
    _publish(conn, new)
    if new_epoch:
        conn.execute("UPDATE models SET epoch = epoch + 1 WHERE id = ?", (state.model_id,))
    return new


def live_rows(conn: sqlite3.Connection, state: ModelState) -> list[tuple[int, int, int]]:
    """``(pos, chunk id, recording key)`` of the model's live rows, in position order."""
    rows = conn.execute(
        "SELECT pos, chunk_id, rec_key FROM vec_rows WHERE model_id = ? AND dead = 0 ORDER BY pos",
        (state.model_id,),
    ).fetchall()
    return [(int(pos), int(cid), int(key)) for pos, cid, key in rows]


def gather_rows(
    index_dir: Path, state: ModelState, positions: Sequence[int]
) -> Iterator[Float32Array]:
    """The given rows of the current matrix, a block at a time."""
    matrix = _current_rows(index_dir, state)
    wanted = np.asarray(positions, dtype=np.int64)
    for low in range(0, wanted.shape[0], COPY_BLOCK):
        yield np.asarray(matrix[wanted[low : low + COPY_BLOCK]], dtype=np.float32)


def _current_rows(index_dir: Path, state: ModelState) -> Float32Array:
    if state.generation == 0:
        return np.zeros((0, state.dim), dtype=np.float32)
    try:
        matrix = open_matrix(state.path(index_dir), state.capacity, state.dim)
    except MatrixMissingError:
        raise CorruptDataError(
            f"The search matrix {state.path(index_dir)} for model {state.name!r} is missing.",
            "Run `recordroute reindex` to rebuild the search index from the stored chunks.",
        ) from None
    return matrix[: state.n_rows]


def _blocks(rows: Float32Array) -> Iterator[Float32Array]:
    for low in range(0, rows.shape[0], COPY_BLOCK):
        yield np.asarray(rows[low : low + COPY_BLOCK], dtype=np.float32)


def _chain(blocks: Iterator[Float32Array], last: Float32Array) -> Iterator[Float32Array]:
    yield from blocks
    yield last


def _publish(conn: sqlite3.Connection, state: ModelState) -> None:
    conn.execute(
        "UPDATE models SET dim = ?, generation = ?, n_rows = ?, capacity = ? WHERE id = ?",
        (state.dim, state.generation, state.n_rows, state.capacity, state.model_id),
    )


def checked_vectors(item: RecordingVectors) -> Float32Array:
    """The recording's vectors as unit float32 rows, one per chunk, or a clear error."""
    name = item.info.recording_id
    if not item.chunks:
        if np.size(np.asarray(item.vectors)):
            raise InvalidInputError(
                f"Recording {name!r} has vectors but no chunks.", "Pass one chunk per vector."
            )
        return np.zeros((0, 0), dtype=np.float32)
    vectors = normalize_rows(item.vectors, f"vectors of recording {name!r}")
    if vectors.shape[0] != len(item.chunks):
        raise InvalidInputError(
            f"Recording {name!r} has {len(item.chunks)} chunks but {vectors.shape[0]} vectors.",
            "Pass exactly one vector per chunk, in the same order.",
        )
    return vectors


def embed_checked(
    embed: Callable[[Sequence[str]], npt.ArrayLike], texts: list[str], model: str
) -> Float32Array:
    """``embed(texts)`` as unit float32 rows, checked to hold one vector per text."""
    vectors = normalize_rows(embed(texts), f"embeddings from model {model!r}")
    if vectors.shape[0] != len(texts):
        raise InvalidInputError(
            f"The embedding function for model {model!r} returned {vectors.shape[0]} vectors "
            f"for {len(texts)} texts.",
            "Return one vector per input text, in order.",
        )
    return vectors


def publish_rebuild(
    conn: sqlite3.Connection,
    index_dir: Path,
    model: str,
    done: dict[int, Float32Array],
    embed: Callable[[Sequence[str]], npt.ArrayLike],
) -> ModelState:
    """Publish a rebuilt matrix from ``done`` (chunk id -> vector), in the write lock.

    Chunks stored after ``done`` was computed are embedded here; rows are laid out
    recording by recording so that each recording's rows are contiguous.
    """
    current = conn.execute("SELECT id, rec_key, text FROM chunks ORDER BY rec_key, ordinal")
    chunks = [(int(cid), int(key), str(text)) for cid, key, text in current]
    missing = [(cid, text) for cid, _, text in chunks if cid not in done]
    if missing:
        fresh = embed_checked(embed, [text for _, text in missing], model)
        done.update(zip((cid for cid, _ in missing), fresh, strict=True))
    dims = {vector.shape[0] for vector in done.values()}
    if len(dims) > 1:
        raise InvalidInputError(
            f"The embedding function returned vectors of different dimensions "
            f"{sorted(dims)} for model {model!r}.",
            "Use one model with a fixed dimension for the whole rebuild.",
        )
    state = model_state(conn, model)
    if not dims and state is None:
        raise InvalidInputError(
            f"There are no stored chunks to rebuild model {model!r} from.",
            "Process some recordings first; they will be embedded on the way.",
        )
    dim = dims.pop() if dims else state.dim  # type: ignore[union-attr]
    state = state or ensure_model(conn, model, dim)
    blocks = _stack_blocks([done[cid] for cid, _, _ in chunks], dim)
    owners = [(cid, key) for cid, key, _ in chunks]
    return rewrite_model(conn, index_dir, state, dim, blocks, owners, new_epoch=True)


def _stack_blocks(
    vectors: list[Float32Array], dim: int, block: int = COPY_BLOCK
) -> Iterator[Float32Array]:
    for low in range(0, len(vectors), block):
        yield np.stack(vectors[low : low + block])
    if not vectors:
        yield np.zeros((0, dim), dtype=np.float32)
