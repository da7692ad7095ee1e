"""The index's write operations, each inside one write transaction of the caller's.

:class:`~recordroute.search.index.SearchIndex` opens the transaction; these functions
do the work and return what must be published or cleaned up after it commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import InvalidInputError, NotFoundError
from . import writer
from .matrix import Float32Array
from .results import RecordingVectors
from .view import EmbedFn


def purge_recording(conn: sqlite3.Connection, recording_id: str) -> None:
    """Remove a recording with its chunks and passages; its rows go at the next compaction."""
    key = writer.recording_key(conn, recording_id)
    conn.execute("UPDATE vec_rows SET dead = 1 WHERE rec_key = ?", (key,))
    for table in ("chunks", "passages"):
        conn.execute(f"DELETE FROM {table} WHERE rec_key = ?", (key,))
    conn.execute("DELETE FROM recordings WHERE key = ?", (key,))


def store_recordings(
    conn: sqlite3.Connection, index_dir: Path, items: Sequence[RecordingVectors], model: str
) -> tuple[writer.ModelState, writer.ModelState] | None:
    """Replace the chunks and vectors of ``items``; (old, new) model state when vectors moved."""
    prepared = [(item, writer.checked_vectors(item)) for item in items]
    dims = {vectors.shape[1] for _, vectors in prepared if vectors.shape[0]}
    if len(dims) > 1:
        raise InvalidInputError(
            f"The recordings of one call have vectors of different dimensions {sorted(dims)}.",
            "Embed all recordings of one call with the same model.",
        )
    state = writer.ensure_model(conn, model, dims.pop()) if dims else None
    owners: list[tuple[int, int]] = []
    for item, _ in prepared:
        key = writer.upsert_recording(conn, item.info)
        ids = writer.replace_chunks(conn, key, item.artifact_id, item.chunks)
        owners.extend((chunk_id, key) for chunk_id in ids)
    if state is None:
        return None
    rows = np.concatenate([vectors for _, vectors in prepared if vectors.shape[0]])
    return state, writer.append_vectors(conn, index_dir, state, rows, owners)


def compact_models(
    conn: sqlite3.Connection, index_dir: Path, model: str | None
) -> tuple[int, list[writer.ModelState]]:
    """Rewrite matrices without dead rows: (rows removed, the new states to publish)."""
    removed = 0
    published: list[writer.ModelState] = []
    names = [model] if model else [r[0] for r in conn.execute("SELECT name FROM models")]
    for name in names:
        state = require_model(conn, name)
        live = writer.live_rows(conn, state)
        if len(live) == state.n_rows:
            continue
        blocks = writer.gather_rows(index_dir, state, [pos for pos, _, _ in live])
        owners = [(cid, key) for _, cid, key in live]
        new = writer.rewrite_model(
            conn, index_dir, state, state.dim, blocks, owners, new_epoch=False
        )
        removed += state.n_rows - len(live)
        published.append(new)
    return removed, published


def embed_chunks(
    chunks: Sequence[tuple[int, str]],
    embed: EmbedFn,
    model: str,
    batch_size: int,
    on_progress: Callable[[int, int], None] | None,
) -> dict[int, Float32Array]:
    """Vectors of stored ``(chunk id, text)`` pairs, embedded ``batch_size`` at a time."""
    done: dict[int, Float32Array] = {}
    for low in range(0, len(chunks), batch_size):
        part = chunks[low : low + batch_size]
        vectors = writer.embed_checked(embed, [text for _, text in part], model)
        done.update(zip((cid for cid, _ in part), vectors, strict=True))
        if on_progress is not None:
            on_progress(low + len(part), len(chunks))
    return done


def require_model(conn: sqlite3.Connection, model: str) -> writer.ModelState:
    state = writer.model_state(conn, model)
    if state is None:
        raise NotFoundError(
            f"The search index has no vectors for embedding model {model!r}.",
            "Check the model name; `recordroute doctor` lists the indexed models.",
        )
    return state


__all__ = ["compact_models", "embed_chunks", "purge_recording", "require_model", "store_recordings"]
