"""The library: recordings and their files, kept consistent between SQLite and disk."""

from __future__ import annotations

import hashlib
import logging
import shutil
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import (
    ConflictError,
    DuplicateRecordingError,
    EmptyFileError,
    NotFoundError,
    StorageError,
    echo,
)
from ..models import Artifact, Recording
from .database import Database
from .files import (
    DataLayout,
    atomic_output,
    check_id,
    clean_stale_temp,
    copy_hashed,
    ensure_free_space,
    new_id,
)
from .filetypes import (
    MAX_DISPLAY_CHARS,
    MAX_NAME_BYTES,
    base_name,
    clean_file_name,
    detect_kind,
    fit_name,
)
from .recordings import RecordingQuery, RecordingRepository, normalize_tags
from .rows import now_iso, to_iso
from .source_commit import commit_source

log = logging.getLogger(__name__)


class Library:
    """Adds, lists, changes and removes recordings and artifacts in one data folder."""

    def __init__(
        self,
        root: Path,
        *,
        busy_timeout_s: float = 60.0,
        min_free_mb: int = 200,
        max_upload_mb: int = 4096,
        temp_max_age_s: float = 3600,
    ) -> None:
        self.layout = DataLayout(root)
        self.layout.create()
        self.db = Database(self.layout.database, busy_timeout_s=busy_timeout_s)
        self.repo = RecordingRepository(self.db)
        self.min_free_mb = min_free_mb
        self.max_upload_bytes = max_upload_mb * 1024 * 1024
        self.temp_max_age_s = temp_max_age_s
        self.clean_temp()

    def close(self) -> None:
        self.db.close()

    def clean_temp(self) -> int:
        return clean_stale_temp(self.layout, self.temp_max_age_s)

    # -- adding ----------------------------------------------------------------
    def add_stream(
        self,
        file_name: str,
        stream: BinaryIO,
        *,
        display_name: str | None = None,
        tags: Iterable[str] = (),
        expected_size: int = 0,
    ) -> Recording:
        """Store an uploaded file as a new recording (duplicates by content are refused).

        The type is judged on the whole name; the stored name is cut to
        :data:`MAX_NAME_BYTES` (keeping the suffix), the display name keeps up to
        :data:`MAX_DISPLAY_CHARS` characters. Empty files are refused. On any failure
        nothing is kept.
        """
        base = base_name(file_name)
        if not base:
            clean_file_name(file_name)  # raises: not a usable name
        kind = detect_kind(base)
        name = fit_name(base, max_bytes=MAX_NAME_BYTES)
        shown = " ".join(unicodedata.normalize("NFC", display_name or base).split())
        display = fit_name(shown or base, max_chars=MAX_DISPLAY_CHARS)
        tag_list = normalize_tags(tags)
        ensure_free_space(self.layout.tmp, expected_size, self.min_free_mb)
        self.layout.tmp.mkdir(parents=True, exist_ok=True)
        staged = self.layout.tmp / f"upload-{new_id()}"
        try:
            with atomic_output(staged) as handle:
                size, sha = copy_hashed(stream, handle, self.max_upload_bytes)
            if size == 0:
                raise EmptyFileError(
                    f"{echo(base)} is empty (0 bytes), so there is nothing to keep.",
                    "Choose the file again; if it should not be empty, check that it finished "
                    "saving or downloading.",
                )
            return self._commit_upload(staged, name, kind, size, sha, display, tag_list)
        finally:
            staged.unlink(missing_ok=True)

    def add_staged(
        self,
        staged: Path,
        file_name: str,
        *,
        size: int,
        sha256: str,
        display_name: str | None = None,
        tags: Iterable[str] = (),
    ) -> Recording:
        """Adopt a file already written and hashed inside the data folder as a new recording.

        The file is moved, not copied; on any refusal (a duplicate) it stays where it was.
        """
        name = clean_file_name(file_name)
        kind = detect_kind(name)
        return self._commit_upload(
            staged, name, kind, size, sha256, display_name, normalize_tags(tags)
        )

    def _commit_upload(
        self,
        staged: Path,
        name: str,
        kind: Any,
        size: int,
        sha: str,
        display_name: str | None,
        tags: tuple[str, ...],
    ) -> Recording:
        rec = commit_source(
            self.db, self.repo, self.layout, staged, name, kind, size, sha, display_name, tags
        )
        log.info("added recording %s (%s, %d bytes)", rec.id, name, size)
        return rec

    def add_file(self, path: Path, **options: Any) -> Recording:
        try:
            size = path.stat().st_size
            handle = path.open("rb")
        except FileNotFoundError:
            raise NotFoundError(
                f"The file {str(path)!r} does not exist.", "Check the path and try again."
            ) from None
        except IsADirectoryError:
            raise NotFoundError(
                f"{str(path)!r} is a folder, not a file.", "Give the path of a recording file."
            ) from None
        with handle:
            return self.add_stream(path.name, handle, expected_size=size, **options)

    # -- reading ---------------------------------------------------------------
    def get(self, recording_id: str) -> Recording:
        return self.repo.get(recording_id)

    def find(self, recording_id: str) -> Recording | None:
        return self.repo.find(recording_id)

    def list_recordings(self, query: RecordingQuery) -> list[Recording]:
        return self.repo.list_recordings(query)

    def artifacts(self, recording_id: str, kind: str | None = None) -> list[Artifact]:
        self.get(recording_id)
        return self.repo.artifacts_of(recording_id, kind)

    def get_artifact(self, artifact_id: str) -> Artifact:
        check_id(artifact_id, "artifact id")
        art = self.repo.find_artifact(artifact_id)
        if art is None:
            raise NotFoundError(
                f"There is no file with id {echo(artifact_id)}.",
                "Use a download id listed for one of the recordings.",
            )
        return art

    def artifact_path(self, artifact: Artifact) -> Path:
        path = self.layout.resolve(artifact.rel_path)
        if not path.is_file():
            raise StorageError(
                f"The file of artifact {artifact.id} ({artifact.rel_path}) is missing on disk.",
                "Restore the data folder from a backup, or re-run the step that made it.",
            )
        return path

    # -- changing --------------------------------------------------------------
    def get_active(self, recording_id: str) -> Recording:
        """The recording, refused with ConflictError when it is deleted."""
        rec = self.get(recording_id)
        if rec.deleted:
            raise ConflictError(
                f"Recording {recording_id} is deleted.", "Restore it first to change it."
            )
        return rec

    def rename(self, recording_id: str, name: str) -> Recording:
        clean = " ".join(unicodedata.normalize("NFC", str(name)).split())
        if not clean or len(clean) > 300:
            from ..errors import InvalidInputError

            raise InvalidInputError(
                f"The name {echo(name)} is empty or longer than 300 characters.",
                "Give a name of 1 to 300 characters.",
            )
        self.get_active(recording_id)
        with self.db.write() as conn:
            self.repo.update(conn, recording_id, display_name=clean)
        return self.get(recording_id)

    def set_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        cleaned = normalize_tags(tags)
        self.get_active(recording_id)
        with self.db.write() as conn:
            self.repo.set_tags(conn, recording_id, cleaned)
        return self.get(recording_id)

    def set_title(self, recording_id: str, title: str) -> None:
        with self.db.write() as conn:
            self.repo.update(conn, recording_id, title=" ".join(title.split())[:500])

    def set_duration(self, recording_id: str, seconds: float) -> None:
        with self.db.write() as conn:
            self.repo.update(conn, recording_id, duration_s=float(seconds))

    def delete(self, recording_id: str) -> Recording:
        """Soft delete: the recording is hidden; nothing on disk moves."""
        self.get_active(recording_id)
        with self.db.write() as conn:
            self.repo.update(conn, recording_id, deleted_at=now_iso())
        return self.get(recording_id)

    def restore(self, recording_id: str) -> Recording:
        rec = self.get(recording_id)
        if not rec.deleted:
            raise ConflictError(f"Recording {recording_id} is not deleted.", "Nothing to restore.")
        with self.db.write() as conn:
            existing = self.repo.find_active_duplicate(conn, rec.sha256)
            if existing is not None:
                raise DuplicateRecordingError(
                    f"Recording {recording_id} has the same content as active recording "
                    f"{existing}.",
                    "Delete that recording first, then restore this one.",
                    existing_id=existing,
                )
            self.repo.update(conn, recording_id, deleted_at=None)
        return self.get(recording_id)

    def purge(self, recording_id: str) -> None:
        """Really delete a soft-deleted recording: its rows and its files."""
        rec = self.get(recording_id)
        if not rec.deleted:
            raise ConflictError(
                f"Recording {recording_id} is not deleted.",
                "Delete it first (it can be restored until it is purged), then purge it.",
            )
        trash = self.layout.tmp / f"purge-{new_id()}"
        trash.mkdir(parents=True)
        moved: list[tuple[Path, Path]] = []
        try:
            for folder in (self.layout.uploads(recording_id), self.layout.outputs(recording_id)):
                if folder.exists():
                    dest = trash / folder.parent.name
                    folder.replace(dest)
                    moved.append((dest, folder))
            with self.db.write() as conn:
                self.repo.delete_row(conn, recording_id)
        except BaseException:
            for dest, folder in moved:  # put the files back: the rows are still there
                dest.replace(folder)
            shutil.rmtree(trash, ignore_errors=True)
            raise
        shutil.rmtree(trash)
        log.info("purged recording %s", recording_id)

    # -- artifacts ---------------------------------------------------------------
    def save_artifact(
        self,
        recording_id: str,
        kind: str,
        fmt: str,
        data: bytes,
        *,
        file_name: str | None = None,
        meta: dict[str, Any] | None = None,
        edited: bool = False,
        replace_edited: bool = False,
    ) -> Artifact:
        """Write an artifact file atomically and record it; its id stays stable on rewrite.

        A pipeline rewrite (``edited=False``) of an artifact the user edited is refused
        unless ``replace_edited`` is given, so a user's edit is never overwritten.
        """
        rec = self.get(recording_id)
        stem = Path(rec.original_name).stem.encode("utf-8")[:MAX_NAME_BYTES]
        name = clean_file_name(
            file_name or f"{stem.decode('utf-8', 'ignore')}.{kind}.{fmt}", max_bytes=240
        )
        folder = self.layout.outputs(recording_id)
        ensure_free_space(folder, len(data), self.min_free_mb)
        rel = f"{self.layout.relative(self.layout.root / 'outputs')}/{recording_id}/{name}"
        current = [a for a in self.repo.artifacts_of(recording_id, kind) if a.format == fmt]
        if current and current[0].edited and not edited and not replace_edited:
            raise ConflictError(
                f"The {kind} of recording {recording_id} was edited by hand.",
                "Keep the edit, or ask explicitly to replace it.",
            )
        sha = hashlib.sha256(data).hexdigest()
        with self.db.write() as conn:
            if current:
                target = self.layout.resolve(current[0].rel_path)
                with atomic_output(target) as handle:
                    handle.write(data)
                self.repo.update_artifact(
                    conn, current[0].id, size_bytes=len(data), sha256=sha, edited=edited, meta=meta
                )
                art_id = current[0].id
            else:
                stamp = datetime.fromisoformat(now_iso())
                art_id = new_id()
                self.repo.insert_artifact(
                    conn,
                    Artifact(
                        id=art_id,
                        recording_id=recording_id,
                        kind=kind,
                        format=fmt,
                        file_name=name,
                        rel_path=rel,
                        size_bytes=len(data),
                        sha256=sha,
                        created_at=stamp,
                        updated_at=stamp,
                        edited=edited,
                        meta=meta or {},
                    ),
                )
                with atomic_output(folder / name) as handle:
                    handle.write(data)
        return self.get_artifact(art_id)

    def remove_artifacts(self, artifacts: Iterable[Artifact]) -> None:
        """Delete artifacts (rows first, then files: a crash leaves a stray file, never a
        row that points at nothing). The uploaded file is refused."""
        arts = list(artifacts)
        if any(a.kind == "source" for a in arts):
            raise ConflictError(
                "The uploaded file itself cannot be removed this way.",
                "Delete and purge the recording to remove it.",
            )
        paths = [self.layout.resolve(a.rel_path) for a in arts]
        with self.db.write() as conn:
            conn.executemany("DELETE FROM artifacts WHERE id = ?", [(a.id,) for a in arts])
        for path in paths:
            path.unlink(missing_ok=True)


def iso(moment: datetime) -> str:
    return to_iso(moment)


__all__ = ["Library", "RecordingQuery", "check_id"]
