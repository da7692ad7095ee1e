"""Similar recordings: other recordings ranked by how well they cover this one's chunks."""

from __future__ import annotations

import sqlite3

import numpy as np

from ..errors import NotFoundError
from .hits import chunk_hits
from .ranking import mean_best_match, top_rows
from .results import SearchFilters, SimilarRecording
from .view import IndexView


def similar_in(
    view: IndexView,
    conn: sqlite3.Connection,
    recording_id: str,
    model: str,
    filters: SearchFilters,
    k: int,
) -> list[SimilarRecording]:
    """Inside a snapshot of ``view``: the ``k`` recordings with the highest mean, over this
    recording's chunks, of each chunk's best cosine with any of theirs."""
    source_key = view.recordings.key_of.get(recording_id)
    rows = view.models.get(model)
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
    selected = np.flatnonzero(view.mask(rows, filters, source_key))
    groups, scores, best = mean_best_match(source, matrix, selected, rows.rec_key)
    order = top_rows(scores, k)
    best_scores = (np.asarray(matrix[best[order]]) @ source.T).max(axis=1).tolist()
    picks = list(zip(best[order].tolist(), best_scores, strict=True))
    chunks = chunk_hits(conn, rows, picks, view.recordings.id_of)
    return [
        SimilarRecording(view.recordings.id_of[int(groups[i])], float(scores[i]), chunk)
        for i, chunk in zip(order.tolist(), chunks, strict=True)
    ]


__all__ = ["similar_in"]
