"""Exact and quantized top-k over masked rows, grouping by recording, fusion, similarity.

All functions are pure numpy over arrays the caller owns; nothing here touches
SQLite or files.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
import numpy.typing as npt

from .catalog import ModelRows
from .matrix import Float32Array

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: reciprocal rank fusion constant: damps the weight of the very first ranks
RRF_K = 60
#: below this share of selected rows, score only the selected rows (gather first)
_GATHER_SHARE = 0.2
#: query rows per block in batch search, to bound the score matrix's memory
_BATCH_BLOCK = 64


def top_rows(scores: Float32Array, k: int, finite: int | None = None) -> IntArray:
    """Indices of the ``k`` best finite scores, best first, ties by lower index.

    ``finite`` (the number of scores above -inf) is counted when not given.
    """
    if finite is None:
        finite = int(np.count_nonzero(scores > -np.inf))
    k = min(k, finite)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < scores.shape[0]:
        picked = np.argpartition(scores, scores.shape[0] - k)[scores.shape[0] - k :]
    else:
        picked = np.arange(scores.shape[0])
    order = np.lexsort((picked, -scores[picked]))
    return picked[order].astype(np.int64)


def masked_scores(
    rows: Float32Array, query: Float32Array, mask: BoolArray, selected: int
) -> Float32Array:
    """``rows @ query`` with rows outside ``mask`` (which holds ``selected`` rows) at -inf."""
    if selected < _GATHER_SHARE * mask.shape[0]:
        scores = np.full(mask.shape[0], -np.inf, dtype=np.float32)
        inside = np.flatnonzero(mask)
        scores[inside] = rows[inside] @ query
        return scores
    scores = np.asarray(rows @ query, dtype=np.float32)
    if selected < mask.shape[0]:
        scores[~mask] = -np.inf
    return scores


def batch_scores(rows: Float32Array, queries: Float32Array, mask: BoolArray) -> list[Float32Array]:
    """Masked scores of several queries, a block of queries per matrix product."""
    out: list[Float32Array] = []
    for low in range(0, queries.shape[0], _BATCH_BLOCK):
        block = np.asarray(queries[low : low + _BATCH_BLOCK] @ rows.T, dtype=np.float32)
        block[:, ~mask] = -np.inf
        out.extend(block)
    return out


def rescored_top(
    approx: Float32Array, rows: Float32Array, query: Float32Array, count: int
) -> tuple[IntArray, Float32Array]:
    """The ``count`` best rows by approximate (int8) scores, rescored exactly and re-sorted."""
    candidates = np.sort(top_rows(approx, count))
    exact = np.asarray(rows[candidates] @ query, dtype=np.float32)
    order = np.lexsort((candidates, -exact))
    return candidates[order], exact[order]


def best_per_group(
    candidates: Callable[[int], tuple[IntArray, Float32Array]],
    groups: IntArray,
    k: int,
    available: int,
) -> list[tuple[int, float]]:
    """The best ``(row, score)`` of each of the ``k`` best groups (recordings).

    ``candidates(c)`` returns the ``c`` best rows in order.  Asking for more rows
    until ``k`` distinct groups appear gives the exact per-group maximum ranking.
    """
    count = min(max(4 * k, 32), available)
    while True:
        picked, scores = candidates(count)
        best: dict[int, tuple[int, float]] = {}
        for row, score in zip(picked.tolist(), scores.tolist(), strict=True):
            group = int(groups[row])
            if group not in best:
                best[group] = (row, score)
                if len(best) == k:
                    return list(best.values())
        if count >= available:
            return list(best.values())
        count = min(count * 4, available)


def fuse(rankings: Sequence[Sequence[Hashable]]) -> list[tuple[Hashable, float]]:
    """Reciprocal rank fusion: items ordered by the sum of ``1 / (RRF_K + rank)``."""
    totals: dict[Hashable, float] = {}
    first_seen: dict[Hashable, int] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            totals[item] = totals.get(item, 0.0) + 1.0 / (RRF_K + rank)
            first_seen.setdefault(item, len(first_seen))
    return sorted(totals.items(), key=lambda pair: (-pair[1], first_seen[pair[0]]))


def mean_best_match(
    source: Float32Array,
    rows: Float32Array,
    selected: IntArray,
    groups: IntArray,
    block: int = 32768,
) -> tuple[IntArray, Float32Array, IntArray]:
    """Score recordings against ``source`` chunk vectors.

    For each candidate recording, each source chunk takes its best cosine with any
    of the recording's chunks; the recording's score is the mean over source
    chunks.  Returns ``(group ids, scores, best row per group)``.
    """
    unique, inverse = np.unique(groups[selected], return_inverse=True)
    best = np.full((unique.shape[0], source.shape[0]), -np.inf, dtype=np.float32)
    top_score = np.full(unique.shape[0], -np.inf, dtype=np.float32)
    top_row = np.zeros(unique.shape[0], dtype=np.int64)
    for low in range(0, selected.shape[0], block):
        idx = selected[low : low + block]
        owner = inverse[low : low + block]
        sims = np.asarray(rows[idx] @ source.T, dtype=np.float32)  # (rows, source chunks)
        # a recording's rows are usually one contiguous run: reduce runs, then merge
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        np.maximum.at(best, owner[starts], np.maximum.reduceat(sims, starts, axis=0))
        row_best = sims.max(axis=1)
        order = np.lexsort((-row_best, owner))
        first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        improved = first[row_best[first] > top_score[owner[first]]]
        top_score[owner[improved]] = row_best[improved]
        top_row[owner[improved]] = idx[improved]
    return unique.astype(np.int64), best.mean(axis=1).astype(np.float32), top_row


def rank_rows(
    rows: ModelRows,
    query: Float32Array,
    mask: BoolArray,
    k: int,
    per_recording: bool,
    rescore_factor: int,
) -> list[tuple[int, float]]:
    """``(row, score)`` of the ``k`` best rows (or recordings) inside ``mask``.

    In quantized mode the int8 scores pick ``rescore_factor * k`` candidates (at
    least 100) that are rescored exactly, so returned scores are float32 cosines.
    """
    available = int(np.count_nonzero(mask))
    if available == 0:
        return []
    matrix = rows.rows()
    if rows.quantized is None:
        scores = masked_scores(matrix, query, mask, available)
        return _select(_exact(scores, available), rows, k, per_recording, available)
    approx = rows.quantized.scores(query)
    approx[~mask] = -np.inf

    def candidates(count: int) -> tuple[IntArray, Float32Array]:
        wanted = min(max(count * rescore_factor, 100), available)
        picked, exact = rescored_top(approx, matrix, query, wanted)
        return picked[:count], exact[:count]

    return _select(candidates, rows, k, per_recording, available)


def rank_many(
    rows: ModelRows,
    queries: Float32Array,
    mask: BoolArray,
    k: int,
    per_recording: bool,
    rescore_factor: int,
) -> list[list[tuple[int, float]]]:
    """:func:`rank_rows` for several queries, scored one matrix product per block."""
    available = int(np.count_nonzero(mask))
    if queries.shape[0] == 1 or rows.quantized is not None or available == 0:
        return [rank_rows(rows, query, mask, k, per_recording, rescore_factor) for query in queries]
    return [
        _select(_exact(scores, available), rows, k, per_recording, available)
        for scores in batch_scores(rows.rows(), queries, mask)
    ]


Candidates = Callable[[int], tuple[IntArray, Float32Array]]


def _exact(scores: Float32Array, finite: int) -> Candidates:
    def candidates(count: int) -> tuple[IntArray, Float32Array]:
        picked = top_rows(scores, count, finite)
        return picked, scores[picked]

    return candidates


def _select(
    candidates: Candidates, rows: ModelRows, k: int, per_recording: bool, available: int
) -> list[tuple[int, float]]:
    if per_recording:
        return best_per_group(candidates, rows.rec_key, k, available)
    picked, found = candidates(k)
    return list(zip(picked.tolist(), found.tolist(), strict=True))
