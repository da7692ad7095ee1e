"""The file layout under the data folder, atomic writes and safe path resolution.

Layout::

    <data>/recordroute.sqlite3      the store
    <data>/uploads/<recording id>/  the uploaded file, never modified
    <data>/outputs/<recording id>/  transcripts, summaries, exports, vectors
    <data>/tmp/                     upload staging and other temporary files
    <data>/models/                  bundled models assembled on first use
    <data>/index/                   the search index
    <data>/log/                     rotating log files
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import (
    DiskFullError,
    InvalidInputError,
    StorageError,
    UnsafePathError,
    echo,
    size_text,
)

log = logging.getLogger(__name__)

TMP_PREFIX = ".rr-tmp-"
_CHUNK = 1 << 20
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a canonical UUID, else refuse it clearly."""
    if not isinstance(value, str) or not _UUID_RE.match(value):
        raise InvalidInputError(
            f"{what} {echo(value)} is not a valid identifier.",
            "Use the id shown by `recordroute list` (a UUID such as "
            "3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192).",
        )
    return value


class DataLayout:
    """Where things live inside one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @property
    def database(self) -> Path:
        return self.root / "recordroute.sqlite3"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def logs(self) -> Path:
        return self.root / "log"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def index(self) -> Path:
        return self.root / "index"

    def uploads(self, recording_id: str) -> Path:
        return self.root / "uploads" / check_id(recording_id, "recording id")

    def outputs(self, recording_id: str) -> Path:
        return self.root / "outputs" / check_id(recording_id, "recording id")

    def create(self) -> None:
        for folder in (
            self.root,
            self.root / "uploads",
            self.root / "outputs",
            self.tmp,
            self.logs,
        ):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"Cannot create the data folder {folder}: {exc.strerror}.",
                    "Choose a writable folder with RECORDROUTE_DATA_DIR (or DB_FOLDER_PATH).",
                ) from exc

    def relative(self, path: Path) -> str:
        """``path`` as a POSIX path relative to the data folder (must be inside)."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UnsafePathError(
                f"{path} is outside the data folder {self.root}.",
                "Keep RecordRoute's files inside its data folder.",
            )
        return resolved.relative_to(self.root).as_posix()

    def resolve(self, identifier: str) -> Path:
        """Resolve a relative identifier inside the data folder, refusing escapes.

        Percent-encoding is decoded (repeatedly) before checking, absolute paths,
        ``..`` components, backslashes, NUL bytes and symlinks that lead outside
        are all refused.
        """
        text = identifier
        for _ in range(5):
            decoded = urllib.parse.unquote(text)
            if decoded == text:
                break
            text = decoded
        refuse = UnsafePathError(
            f"The path {echo(identifier)} is not allowed.",
            "Use an identifier inside the data folder, without '..', absolute paths or "
            "links that point elsewhere.",
        )
        if not text or "\x00" in text or "\\" in text or text.startswith(("/", "~")):
            raise refuse
        parts = text.split("/")
        if any(part in ("..", "") for part in parts[:-1]) or parts[-1] == "..":
            raise refuse
        if re.match(r"^[A-Za-z]:", text):
            raise refuse
        candidate = (self.root / text).resolve()
        if not candidate.is_relative_to(self.root):
            raise refuse
        return candidate


# -- atomic writes -------------------------------------------------------------
def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """Write ``path`` all at once: a temp file beside it, fsync, rename.

    If the block raises, the temp file is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_output(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def copy_hashed(src: BinaryIO, dest: BinaryIO, limit: int | None = None) -> tuple[int, str]:
    """Copy a stream in chunks; return (size, sha256). Refuse more than ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    while chunk := src.read(_CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            from ..errors import TooLargeError

            raise TooLargeError(
                f"The file is larger than the limit of {size_text(limit)}.",
                "Split the recording or raise RECORDROUTE_MAX_UPLOAD_MB.",
            )
        digest.update(chunk)
        dest.write(chunk)
    return size, digest.hexdigest()


def atomic_copy(src: Path, dest: Path) -> tuple[int, str]:
    with src.open("rb") as source, atomic_output(dest) as target:
        return copy_hashed(source, target)


# -- disk space and temp area ----------------------------------------------------
def ensure_free_space(folder: Path, needed_bytes: int, min_free_mb: int) -> None:
    """Refuse a write of ``needed_bytes`` that would leave less than ``min_free_mb``."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    reserve = min_free_mb * 1024 * 1024
    if free - needed_bytes < reserve:
        raise DiskFullError(
            f"The disk holding {folder} is nearly full: {size_text(free)} free, "
            f"{size_text(needed_bytes)} needed, {min_free_mb} MB kept in reserve.",
            "Free some space (e.g. purge deleted recordings) or lower RECORDROUTE_MIN_FREE_MB.",
        )


def clean_stale_temp(layout: DataLayout, max_age_s: float, now: float | None = None) -> int:
    """Remove temp files older than ``max_age_s``: the tmp area and orphaned atomic writes.

    Younger files may belong to a write in progress in another process and are kept.
    """
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    candidates: list[Path] = []
    if layout.tmp.exists():
        candidates.extend(layout.tmp.iterdir())
    for area in ("uploads", "outputs"):
        base = layout.root / area
        if base.exists():
            candidates.extend(base.glob(f"*/{TMP_PREFIX}*"))
            candidates.extend(base.glob(f"*/*/{TMP_PREFIX}*"))
    for entry in candidates:
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    if removed:
        log.info("removed %d stale temporary files", removed)
    return removed
