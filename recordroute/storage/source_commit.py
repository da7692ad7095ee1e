"""A new recording's source file and rows, committed together: the rows and the file
exist both or neither (a failed write leaves no folder and no row behind)."""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import DuplicateRecordingError, StorageError, echo
from ..models import Artifact, Recording
from .database import Database
from .files import DataLayout, new_id
from .recordings import RecordingRepository
from .rows import now_iso


def commit_source(
    db: Database,
    repo: RecordingRepository,
    layout: DataLayout,
    staged: Path,
    name: str,
    kind: Any,
    size: int,
    sha: str,
    display_name: str | None,
    tags: tuple[str, ...],
) -> Recording:
    """Insert the recording and its source artifact and move ``staged`` into its folder,
    in one transaction; an active recording with the same content refuses it."""
    stamp = datetime.fromisoformat(now_iso())
    rec = Recording(
        id=new_id(),
        display_name=display_name or name,
        original_name=name,
        kind=kind,
        sha256=sha,
        size_bytes=size,
        created_at=stamp,
        updated_at=stamp,
        tags=tags,
    )
    folder = layout.uploads(rec.id)
    target = folder / name
    art = Artifact(
        id=new_id(),
        recording_id=rec.id,
        kind="source",
        format=Path(name).suffix.lstrip(".").lower(),
        file_name=name,
        rel_path=layout.relative(folder) + "/" + name,
        size_bytes=size,
        sha256=sha,
        created_at=stamp,
        updated_at=stamp,
    )
    made = False
    try:
        with db.write() as conn:
            existing = repo.find_active_duplicate(conn, sha)
            if existing is not None:
                raise DuplicateRecordingError(
                    f"{echo(name)} has the same content as recording {existing}.",
                    "Open that recording instead, or delete it first to add this file again.",
                    existing_id=existing,
                )
            repo.insert(conn, rec, None)
            repo.insert_artifact(conn, art)
            folder.mkdir(parents=True)
            made = True
            staged.replace(target)
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except BaseException as exc:
        if made:  # the row was rolled back: the folder goes too
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
        if isinstance(exc, OSError):
            raise StorageError(
                f"{echo(name)} could not be stored ({exc.strerror or exc}); nothing was kept.",
                "Check that the data folder is writable and has space, then add it again.",
            ) from exc
        raise
    return rec
