"""Resumable uploads: a file of any size arrives in pieces and becomes a recording at once.

``begin`` checks the name, the type, the size limit and the free disk before a byte is
sent; pieces are appended where the server's copy ends (a piece cut off half way keeps
what it delivered); ``finish`` hashes, refuses duplicates, moves the file into the
archive in one step and queues its processing job.  The state lives in SQLite and in a
part file in the temp area, so an upload survives a restart of the server; one left
alone longer than ``temp_max_age_s`` is removed whole, and asking for it again says so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import (
    ConflictError,
    DuplicateRecordingError,
    EmptyFileError,
    InvalidInputError,
    NotFoundError,
    TooLargeError,
    size_text,
)
from ..models import Job, Recording, UploadSession
from ..pipeline import plan_steps
from ..storage import Library
from ..storage.files import ensure_free_space
from ..storage.filetypes import clean_file_name, detect_kind
from ..storage.upload_parts import (
    OffsetMismatchError,
    PartReader,
    PartWriter,
    create_part,
    part_path,
    part_size,
    remove_part,
)
from ..storage.upload_sessions import UploadSessionRepository
from .engines import check_job_options
from .jobs import JobsService
from .recordings import RecordingsService

#: how long an ended upload remembers its outcome (a repeated "finish" gets the same answer)
KEEP_FINISHED_S = 86_400


@dataclasses.dataclass(frozen=True)
class UploadOutcome:
    """What a finished upload became."""

    session: UploadSession
    recording: Recording
    job: Job | None


class UploadsService:
    def __init__(
        self,
        repo: UploadSessionRepository,
        library: Library,
        recordings: RecordingsService,
        jobs: JobsService,
    ) -> None:
        self._repo = repo
        self._library = library
        self._recordings = recordings
        self._jobs = jobs
        #: running SHA-256 per upload: (bytes it covers, hasher); rebuilt from disk if lost
        self._hashes: dict[str, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    def _part(self, upload_id: str) -> Path:
        return part_path(self._library.layout.tmp, upload_id)

    # -- starting ------------------------------------------------------------------
    def begin(
        self,
        file_name: str,
        size: int,
        *,
        tags: Iterable[str] = (),
        steps: Sequence[str] | None = None,
        options: dict[str, Any] | None = None,
    ) -> UploadSession:
        """Open an upload of ``size`` bytes; ``steps`` (if given) are queued when it ends."""
        name = clean_file_name(file_name)
        kind = detect_kind(name)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InvalidInputError(
                f"The upload size {size!r} is not a number of bytes.",
                "Send the file's size in bytes.",
            )
        if size == 0:
            raise EmptyFileError(
                f"{name!r} is empty (0 bytes), so there is nothing to keep.",
                "Choose the file again; if it should not be empty, check that it finished "
                "saving or downloading.",
            )
        limit = self._library.max_upload_bytes
        if size > limit:
            raise TooLargeError(
                f"{name!r} is {size_text(size)}; the limit is {size_text(limit)}.",
                "Split the recording or raise RECORDROUTE_MAX_UPLOAD_MB.",
            )
        if steps is not None:
            plan_steps(list(steps), kind)  # refuses unknown step names now, not at the end
        checked = check_job_options(dict(options or {}))
        self.clean_expired()
        ensure_free_space(self._library.layout.tmp, size, self._library.min_free_mb)
        upload_id = self._repo.create(name, size, list(tags), steps, checked)
        create_part(self._part(upload_id))
        with self._lock:
            self._hashes[upload_id] = (0, hashlib.sha256())
        return self.get(upload_id)

    # -- where it stands -------------------------------------------------------------
    def get(self, upload_id: str) -> UploadSession:
        """The upload and how many bytes the server holds (refused once it expired)."""
        row = self._repo.row(upload_id)
        if row["state"] == "finished":
            return self._repo.get(upload_id, int(row["size_bytes"]))
        received = part_size(self._part(upload_id))
        if received is None and row["state"] == "open":
            self._forget(upload_id)
            raise NotFoundError(
                f"Upload {upload_id} of {row['file_name']!r} expired: nothing arrived for "
                f"{self._library.temp_max_age_s // 60:.0f} minutes, so its partial data was "
                "removed.",
                "Start the upload again.",
            )
        return self._repo.get(upload_id, received or 0)

    # -- pieces --------------------------------------------------------------------
    def open_piece(self, upload_id: str, offset: int, length: int | None = None) -> PartWriter:
        """A writer for the bytes from ``offset`` on (one at a time per upload)."""
        session = self.get(upload_id)
        if session.state != "open":
            raise ConflictError(
                f"Upload {upload_id} has already ended.", "Start a new upload to send more."
            )
        if length is not None and offset + length > session.size_bytes:
            raise InvalidInputError(
                f"A piece of {length} bytes at byte {offset} goes past the declared size of "
                f"upload {upload_id} ({session.size_bytes} bytes).",
                "Send exactly the file's bytes; start a new upload if the file changed.",
            )
        ensure_free_space(self._library.layout.tmp, length or 0, self._library.min_free_mb)
        with self._lock:
            covered = self._hashes.get(upload_id)
            hasher = covered[1] if covered is not None and covered[0] == offset else None
            if hasher is None:
                self._hashes.pop(upload_id, None)  # rebuilt from the file at the end
        try:
            return PartWriter(self._part(upload_id), upload_id, offset, session.size_bytes, hasher)
        except FileNotFoundError:
            return self.open_piece(upload_id, offset, length)  # ended or expired meanwhile

    def close_piece(self, writer: PartWriter) -> UploadSession:
        """Release a writer; returns where the upload stands now."""
        writer.close()
        with self._lock:
            if writer.hasher is not None:
                self._hashes[writer.upload_id] = (writer.position, writer.hasher)
        return self.get(writer.upload_id)

    # -- ending ----------------------------------------------------------------------
    def finish(self, upload_id: str) -> UploadOutcome:
        """Turn the complete upload into a recording and queue its job (idempotent)."""
        row = self._repo.row(upload_id)
        if row["state"] == "finished":
            return self._outcome(upload_id)
        path = self._part(upload_id)
        if row["state"] == "committing" and part_size(path) is None:
            return self._recover(upload_id)
        self.get(upload_id)  # refuses an expired upload clearly
        try:
            reader = PartReader(path, upload_id)
        except FileNotFoundError:
            return self.finish(upload_id)
        with reader:
            if reader.size != row["size_bytes"]:
                raise OffsetMismatchError(
                    f"Upload {upload_id} has {reader.size} of {row['size_bytes']} bytes.",
                    f"Send the data from byte {reader.size} on, then finish.",
                    offset=reader.size,
                )
            reader.sync()
            with self._lock:
                covered = self._hashes.pop(upload_id, None)
            sha = covered[1].hexdigest() if covered and covered[0] == reader.size else None
            sha = sha or reader.sha256()
            self._repo.mark_committing(upload_id, sha)
            session = self._repo.get(upload_id, reader.size)
            try:
                rec = self._recordings.add_staged(
                    path, session.file_name, size=reader.size, sha256=sha, tags=session.tags
                )
            except DuplicateRecordingError as exc:
                remove_part(path)
                self._repo.mark_finished(upload_id, duplicate_of=exc.existing_id)
                raise
        return self._queue(session, rec)

    def _queue(self, session: UploadSession, rec: Recording) -> UploadOutcome:
        job = None
        if session.steps is not None:
            job = self._jobs.submit(rec.id, list(session.steps), dict(session.options))
        self._repo.mark_finished(
            session.id, recording_id=rec.id, job_id=job.id if job is not None else None
        )
        return UploadOutcome(self.get(session.id), rec, job)

    def _recover(self, upload_id: str) -> UploadOutcome:
        """An earlier finish moved the file but stopped before it was recorded as done."""
        rid = self._repo.active_recording_with(self._repo.sha256(upload_id))
        if rid is None:
            self._forget(upload_id)
            raise NotFoundError(
                f"Upload {upload_id} was interrupted while it was being stored and its data "
                "is gone.",
                "Start the upload again.",
            )
        return self._queue(self._repo.get(upload_id, 0), self._recordings.get(rid))

    def _outcome(self, upload_id: str) -> UploadOutcome:
        session = self.get(upload_id)
        if session.duplicate_of:
            raise DuplicateRecordingError(
                f"{session.file_name!r} has the same content as recording {session.duplicate_of}.",
                "Open that recording instead, or delete it first to add this file again.",
                existing_id=session.duplicate_of,
            )
        if session.recording_id is None:  # pragma: no cover - finished rows always name one
            raise NotFoundError(f"Upload {upload_id} has no recording.", "Upload it again.")
        job = self._jobs.get(session.job_id) if session.job_id else None
        return UploadOutcome(session, self._recordings.get(session.recording_id), job)

    def cancel(self, upload_id: str) -> None:
        """Stop an upload and remove what arrived (a piece still arriving is dropped too)."""
        row = self._repo.row(upload_id)
        if row["state"] != "open":
            raise ConflictError(
                f"Upload {upload_id} has already ended; it is recording "
                f"{row['recording_id'] or row['duplicate_of'] or '(being stored)'}.",
                "Delete that recording instead.",
            )
        self._forget(upload_id)

    def _forget(self, upload_id: str) -> None:
        remove_part(self._part(upload_id))
        self._repo.delete(upload_id)
        with self._lock:
            self._hashes.pop(upload_id, None)

    # -- cleaning ----------------------------------------------------------------------
    def clean_expired(self, now: float | None = None) -> int:
        """Remove uploads nobody sent to for ``temp_max_age_s``, and old outcomes."""
        moment = time.time() if now is None else now
        cutoff = moment - self._library.temp_max_age_s
        removed = 0
        for upload_id, state in self._repo.unfinished():
            path = self._part(upload_id)
            try:
                stale = path.stat().st_mtime < cutoff
            except FileNotFoundError:
                stale = state == "open"
            if stale and state == "open":
                self._forget(upload_id)
                removed += 1
        before = datetime.fromtimestamp(moment, UTC) - timedelta(seconds=KEEP_FINISHED_S)
        self._repo.forget_finished(before.isoformat(timespec="microseconds"))
        return removed
