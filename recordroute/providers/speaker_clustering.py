"""Grouping voice vectors by speaker, with the number of speakers found or given (NumPy only).

Average-linkage agglomerative clustering on cosine distance: every window starts alone and
the two closest groups merge until the closest pair is farther apart than ``threshold``
(the number of speakers found) or until ``num_speakers`` groups are left (the number given).
Groups holding too little speech to be a voice of their own (windows straddling a change of
speaker, a cough) are then folded into the nearest real group, and every window is assigned
once more to its nearest group centre.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: cosine distance beyond which two groups are taken for different speakers
DEFAULT_THRESHOLD = 0.35
#: most windows clustered exhaustively; longer recordings cluster an even sample of them
MAX_WINDOWS = 900


def cluster(
    vectors: npt.NDArray[np.float32],
    *,
    num_speakers: int | None = None,
    max_speakers: int = 8,
    threshold: float = DEFAULT_THRESHOLD,
    min_share: float = 0.05,
) -> npt.NDArray[np.int64]:
    """A speaker number (0, 1, ...) for every row of ``vectors`` (L2-normalised rows).

    Speakers are numbered by first appearance.  ``min_share`` is the smallest fraction of
    the windows a found speaker must hold (a given ``num_speakers`` is kept as it is).
    """
    count = vectors.shape[0]
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if count == 1 or num_speakers == 1:
        return np.zeros(count, dtype=np.int64)
    if count > MAX_WINDOWS:
        sample = np.linspace(0, count - 1, MAX_WINDOWS).round().astype(np.int64)
    else:
        sample = np.arange(count)
    labels = agglomerate(
        vectors[sample], num_speakers=num_speakers, max_speakers=max_speakers, threshold=threshold
    )
    centres = _centres(vectors[sample], labels)
    if num_speakers is None:
        centres = _drop_small(vectors[sample], centres, min_share)
    return _by_first_appearance(_nearest(vectors, centres))


def agglomerate(
    vectors: npt.NDArray[np.float32],
    *,
    num_speakers: int | None,
    max_speakers: int,
    threshold: float,
) -> npt.NDArray[np.int64]:
    """Average-linkage clustering of the rows; stops at ``num_speakers`` or ``threshold``."""
    count = vectors.shape[0]
    distance = 1.0 - np.clip(vectors @ vectors.T, -1.0, 1.0).astype(np.float64)
    np.fill_diagonal(distance, np.inf)
    sizes = np.ones(count)
    owner = np.arange(count)
    groups = count
    target = num_speakers if num_speakers is not None else 1
    while groups > target:
        flat = int(np.argmin(distance))
        i, j = divmod(flat, count)
        best = distance[i, j]
        if num_speakers is None and best > threshold and groups <= max_speakers:
            break
        merged = (sizes[i] * distance[i] + sizes[j] * distance[j]) / (sizes[i] + sizes[j])
        distance[i] = merged
        distance[:, i] = merged
        distance[i, i] = np.inf
        distance[j] = np.inf
        distance[:, j] = np.inf
        sizes[i] += sizes[j]
        owner[owner == j] = i
        groups -= 1
    _, labels = np.unique(owner, return_inverse=True)
    return labels.astype(np.int64)


def _centres(
    vectors: npt.NDArray[np.float32], labels: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    centres = np.stack([vectors[labels == k].mean(axis=0) for k in range(int(labels.max()) + 1)])
    return normalize_rows(centres)


def _drop_small(
    vectors: npt.NDArray[np.float32], centres: npt.NDArray[np.float32], min_share: float
) -> npt.NDArray[np.float32]:
    """Fold groups with fewer than ``min_share`` of the windows into the others."""
    while centres.shape[0] > 1:
        labels = _nearest(vectors, centres)
        shares = np.bincount(labels, minlength=centres.shape[0]) / labels.size
        smallest = int(np.argmin(shares))
        if shares[smallest] >= min_share:
            break
        keep = np.arange(centres.shape[0]) != smallest
        labels = _nearest(vectors, centres[keep])
        centres = _centres(vectors, labels)
    return centres


def _nearest(
    vectors: npt.NDArray[np.float32], centres: npt.NDArray[np.float32]
) -> npt.NDArray[np.int64]:
    best: npt.NDArray[np.int64] = np.argmax(vectors @ centres.T, axis=1).astype(np.int64)
    return best


def _by_first_appearance(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order))
    return np.array([order[label] for label in labels.tolist()], dtype=np.int64)


def normalize_rows(matrix: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    rows: npt.NDArray[np.float32] = (matrix / np.maximum(norms, 1e-8)).astype(np.float32)
    return rows
