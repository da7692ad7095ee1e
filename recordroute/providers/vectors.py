"""Vector helpers shared by the embedders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt


def l2_normalize(vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length as a C-contiguous float32 matrix (zero rows stay zero)."""
    matrix = np.array(vectors, dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return np.ascontiguousarray(matrix)
