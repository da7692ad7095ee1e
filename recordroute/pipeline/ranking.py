"""Choosing a few representative, different items: centrality and maximal marginal relevance."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt


def unit_rows(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def mmr(
    vectors: npt.NDArray[np.float32],
    relevance: npt.NDArray[np.float64],
    k: int,
    *,
    diversity: float = 0.3,
) -> list[int]:
    """Indices of ``k`` items, each relevant and unlike those already chosen (in choice order)."""
    n = len(relevance)
    if n == 0 or k <= 0:
        return []
    chosen: list[int] = []
    closest = np.full(n, -1.0)
    available = np.ones(n, dtype=bool)
    while len(chosen) < min(k, n):
        penalty = np.where(closest < 0, 0.0, closest) if chosen else np.zeros(n)
        score = (1 - diversity) * relevance - diversity * penalty
        score[~available] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        available[best] = False
        closest = np.maximum(closest, vectors @ vectors[best])
    return chosen


def centrality(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Each row's mean similarity to the other rows (1.0 for a single row)."""
    n = len(vectors)
    if n == 1:
        return np.ones(1)
    similarity = np.asarray(vectors @ vectors.T, dtype=np.float64)
    return np.asarray((similarity.sum(axis=1) - np.diag(similarity)) / (n - 1), dtype=np.float64)


def key_indices(
    vectors: npt.NDArray[np.float32],
    prior: npt.NDArray[np.float64],
    k: int,
    *,
    chunk: int = 120,
    ordered: bool = True,
) -> list[int]:
    """The ``k`` key items of a long sequence: per chunk, then across chunks.

    In the sequence's order, or with ``ordered=False`` most representative first.

    Each chunk of ``chunk`` consecutive items nominates its most central, diverse items;
    the nominees compete on closeness to the whole text's centroid, again with MMR. Work
    grows linearly with the length, so a three-hour transcript costs three one-hour ones.
    """
    n = len(vectors)
    if n == 0:
        return []
    nominees: list[int] = []
    for begin in range(0, n, chunk):
        part = vectors[begin : begin + chunk]
        share = max(1, min(8, math.ceil(len(part) / 15)))
        relevance = centrality(part) * prior[begin : begin + chunk]
        nominees.extend(begin + i for i in mmr(part, relevance, share))
    centroid = unit_rows(vectors.mean(axis=0, keepdims=True))[0]
    picked = vectors[nominees]
    relevance = (picked @ centroid) * prior[nominees]
    chosen = [nominees[i] for i in mmr(picked, relevance, k)]
    return sorted(chosen) if ordered else chosen
