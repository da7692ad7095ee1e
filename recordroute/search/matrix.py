"""Matrix files: one ``.npy`` of L2-normalised float32 rows per model and generation.

A file holds ``capacity`` rows; only the first ``n_rows`` (published in SQLite)
are meaningful.  Rows below the published count are never rewritten, so readers
can keep a read-only memory map while a writer appends behind them.  A new
generation (growth, compaction, rebuild) is written to a temporary file, fsynced
and renamed into place before SQLite names it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from ..errors import CorruptDataError, InvalidInputError, StorageError

Float32Array = npt.NDArray[np.float32]
DTYPE = np.dtype("<f4")
_REINDEX_FIX = "Run `recordroute reindex` to rebuild the search index from the stored chunks."


class MatrixMissingError(Exception):
    """Internal: the file a generation names is absent (maybe replaced a moment ago)."""


def model_slug(model: str) -> str:
    """A file-system-safe, collision-free folder name for an embedding model name."""
    readable = re.sub(r"[^a-z0-9._-]+", "-", model.lower()).strip("-.")[:40] or "model"
    digest = hashlib.sha256(model.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}"


def matrix_path(model_dir: Path, generation: int) -> Path:
    return model_dir / f"matrix-{generation:08d}.npy"


def normalize_rows(vectors: object, what: str) -> Float32Array:
    """``vectors`` as a C-contiguous float32 2-D array of unit rows, or a clear error."""
    try:
        array = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"The {what} are not numbers: {exc}.", "Pass a numpy array of floats."
        ) from exc
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[1] == 0:
        raise InvalidInputError(
            f"The {what} have shape {array.shape}; expected (rows, dimension).",
            "Pass one vector per row.",
        )
    # a NaN or infinity anywhere in a row makes its squared norm non-finite
    norms = np.sqrt(np.einsum("ij,ij->i", array, array, dtype=np.float64))
    if not np.isfinite(norms).all():
        raise InvalidInputError(
            f"The {what} contain NaN or infinite values.",
            "Check the embedding model's output; it must return finite numbers.",
        )
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise InvalidInputError(
            f"The {what} contain a zero vector (row {int(zero[0])}); cosine is undefined for it.",
            "Embed a non-empty text, or leave that chunk out.",
        )
    return np.ascontiguousarray(array / norms[:, None].astype(np.float32), dtype=np.float32)


def open_matrix(
    path: Path, capacity: int, dim: int
) -> np.memmap[tuple[int, int], np.dtype[np.float32]]:
    """Memory-map a generation file read-only and check that it has the published shape."""
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError as exc:
        raise MatrixMissingError(str(path)) from exc
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptDataError(
            f"The search matrix {path} cannot be read: {exc}.", _REINDEX_FIX
        ) from exc
    if not isinstance(array, np.memmap) or array.dtype != DTYPE or array.shape != (capacity, dim):
        raise CorruptDataError(
            f"The search matrix {path} has shape {getattr(array, 'shape', None)} and type "
            f"{getattr(array, 'dtype', None)}; the index expects ({capacity}, {dim}) float32.",
            _REINDEX_FIX,
        )
    return array


def write_matrix(path: Path, capacity: int, dim: int, blocks: Iterable[Float32Array]) -> int:
    """Atomically create ``path`` with room for ``capacity`` rows, filled from ``blocks``.

    Returns the number of rows written.  The rest of the file is left as a sparse
    zero tail for later appends.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    written = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            offset = _write_header(handle, capacity, dim)
            for block in blocks:
                handle.write(
                    np.ascontiguousarray(block[: capacity - written], dtype=DTYPE).tobytes()
                )
                written += min(block.shape[0], capacity - written)
            handle.truncate(offset + capacity * dim * DTYPE.itemsize)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
        _fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise StorageError(
                f"Cannot write the search matrix {path}: {exc}.",
                "Free disk space or fix the folder's permissions, then retry.",
            ) from exc
        raise
    return written


def append_rows(path: Path, start_row: int, capacity: int, rows: Float32Array) -> None:
    """Write ``rows`` at ``start_row`` of an existing file and fsync it.

    Only rows at or above the published count are touched, so a crash here leaves
    the published state intact: the rows are simply not counted.
    """
    dim = rows.shape[1]
    try:
        with path.open("r+b") as handle:
            offset = _read_header_end(handle, path, capacity, dim)
            handle.seek(offset + start_row * dim * DTYPE.itemsize)
            handle.write(np.ascontiguousarray(rows, dtype=DTYPE).tobytes())
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError as exc:
        raise CorruptDataError(f"The search matrix {path} is missing.", _REINDEX_FIX) from exc
    except OSError as exc:
        raise StorageError(
            f"Cannot append to the search matrix {path}: {exc}.",
            "Free disk space or fix the folder's permissions, then retry.",
        ) from exc


def remove_stale(model_dir: Path, published: int) -> None:
    """Delete generations older than the one just published.

    Runs after the commit, outside the write lock, so it must leave newer files
    alone: another writer may already be preparing the next generation.  Readers
    that still map an old file keep their mapping (POSIX); a reader that had not
    opened it yet retries with the newer generation.
    """
    for candidate in model_dir.glob("matrix-*.npy"):
        number = re.fullmatch(r"matrix-(\d+)\.npy", candidate.name)
        if number is not None and int(number.group(1)) < published:
            # on Windows a mapped file cannot be removed; a later write retries
            with contextlib.suppress(OSError):
                candidate.unlink()


class QuantizedRows:
    """An int8 copy (one scale per row) of a matrix, extended as rows are appended."""

    def __init__(self, dim: int) -> None:
        self.codes = np.zeros((0, dim), dtype=np.int8)
        self.scales = np.zeros(0, dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.scales.nbytes)

    def extend(self, matrix: Float32Array, n_rows: int, block: int = 65536) -> None:
        """Quantize rows ``len(self) .. n_rows`` of ``matrix`` (block by block)."""
        have = self.codes.shape[0]
        if n_rows <= have:
            return
        codes = np.empty((n_rows, matrix.shape[1]), dtype=np.int8)
        scales = np.empty(n_rows, dtype=np.float32)
        codes[:have] = self.codes
        scales[:have] = self.scales
        for low in range(have, n_rows, block):
            high = min(low + block, n_rows)
            part = np.asarray(matrix[low:high], dtype=np.float32)
            scale = np.abs(part).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            codes[low:high] = np.rint(part / scale[:, None]).astype(np.int8)
            scales[low:high] = scale
        self.codes, self.scales = codes, scales

    def scores(self, query: Float32Array, block: int = 0) -> Float32Array:
        """Approximate ``rows @ query`` for one unit query vector.

        numpy has no int8 matrix-vector kernel, so blocks of rows small enough for
        the CPU cache are widened to float32 one at a time.
        """
        n_rows = self.codes.shape[0]
        block = block or max(64, 2**18 // max(self.codes.shape[1], 1))
        out = np.empty(n_rows, dtype=np.float32)
        buffer = np.empty((min(block, max(n_rows, 1)), self.codes.shape[1]), dtype=np.float32)
        for low in range(0, n_rows, block):
            high = min(low + block, n_rows)
            part = buffer[: high - low]
            np.copyto(part, self.codes[low:high])
            np.matmul(part, query, out=out[low:high])
        out *= self.scales
        return out


def _write_header(handle: BinaryIO, capacity: int, dim: int) -> int:
    header = {"descr": DTYPE.str, "fortran_order": False, "shape": (capacity, dim)}
    np.lib.format.write_array_header_1_0(handle, header)
    return handle.tell()


def _read_header_end(handle: BinaryIO, path: Path, capacity: int, dim: int) -> int:
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    except ValueError as exc:
        raise CorruptDataError(
            f"The search matrix {path} has a damaged header: {exc}.", _REINDEX_FIX
        ) from exc
    if shape != (capacity, dim) or fortran or dtype != DTYPE:
        raise CorruptDataError(
            f"The search matrix {path} has shape {shape}; the index expects ({capacity}, {dim}).",
            _REINDEX_FIX,
        )
    return handle.tell()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be fsynced elsewhere
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
