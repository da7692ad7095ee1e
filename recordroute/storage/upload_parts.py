"""The bytes of resumable uploads: one part file per upload in the temp area.

The part file's length is the truth about how much arrived: a piece is appended only at
exactly that offset, so a piece cut off half way keeps what it delivered and the next
one continues after it.  One writer at a time holds an exclusive ``flock`` on the file
(across processes too); a second gets a clear conflict.  The temp area's cleaner
removes part files nobody touched for ``temp_max_age_s``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any

from ..errors import ConflictError, DiskFullError, InvalidInputError

PART_PREFIX = "upload-part-"
_READ = 1 << 20


class OffsetMismatchError(ConflictError):
    """A piece does not start where the server's copy ends."""

    code = "upload_offset"

    def __init__(self, message: str, fix: str = "", *, offset: int = 0) -> None:
        super().__init__(message, fix)
        self.offset = offset


def part_path(tmp: Path, upload_id: str) -> Path:
    return tmp / f"{PART_PREFIX}{upload_id}"


def create_part(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def part_size(path: Path) -> int | None:
    """Bytes received so far, or None when the part file is gone."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _locked(fd: int, upload_id: str) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConflictError(
            f"Another request is sending upload {upload_id} right now.",
            "Wait a moment and ask where the upload stands, then continue from there.",
        ) from None


class PartWriter:
    """Appends one piece to a part file; ``hasher`` (if given) follows every byte."""

    def __init__(
        self, path: Path, upload_id: str, offset: int, size: int, hasher: Any | None
    ) -> None:
        self.upload_id = upload_id
        self.size = size
        self.hasher = hasher
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        _locked(self._fd, upload_id)
        self.start = os.fstat(self._fd).st_size
        self.position = self.start
        if offset != self.position:
            self.close()
            raise OffsetMismatchError(
                f"The piece starts at byte {offset}, but the server holds {self.position} "
                f"bytes of upload {upload_id}.",
                f"Send the data from byte {self.position} on.",
                offset=self.position,
            )

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def write(self, data: bytes) -> int:
        """Append ``data``; returns the new length.  Refuses bytes past the declared size."""
        if self.closed:
            raise ConflictError(
                f"The piece of upload {self.upload_id} was stopped.",
                "Ask where the upload stands and continue from there.",
            )
        if self.position + len(data) > self.size:
            raise InvalidInputError(
                f"The piece goes past the declared size of upload {self.upload_id} "
                f"({self.size} bytes).",
                "Send exactly the file's bytes; start a new upload if the file changed.",
            )
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as exc:
            os.ftruncate(self._fd, self.position)  # keep only whole, hashed writes
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFullError(
                    f"The disk filled up while upload {self.upload_id} was arriving "
                    f"({self.position} of {self.size} bytes are kept).",
                    "Free some space (e.g. purge deleted recordings), then resume the upload.",
                ) from exc
            raise
        if self.hasher is not None:
            self.hasher.update(data)
        self.position += len(data)
        return self.position

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)  # releases the lock


class PartReader:
    """The whole part file under the writers' lock, for the final check and hash."""

    def __init__(self, path: Path, upload_id: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDONLY)
        _locked(self._fd, upload_id)
        self.size = os.fstat(self._fd).st_size

    def sync(self) -> None:
        os.fsync(self._fd)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        offset = 0
        while chunk := os.pread(self._fd, _READ, offset):
            digest.update(chunk)
            offset += len(chunk)
        return digest.hexdigest()

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def __enter__(self) -> PartReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_part(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
