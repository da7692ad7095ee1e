"""The library of recordings: adding, reading and changing recordings and their files."""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ..events import EventBus
from ..models import Artifact, Recording
from ..storage import Library, RecordingQuery


class IndexSync(Protocol):
    """What the search side must hear about recordings changed here."""

    def recording_changed(self, rec: Recording) -> None: ...

    def recording_purged(self, rec: Recording) -> None: ...


class RecordingsService:
    def __init__(self, library: Library, events: EventBus, index: IndexSync) -> None:
        self._library = library
        self._events = events
        self._index = index

    # -- adding ------------------------------------------------------------------
    def add_file(
        self, path: str | Path, *, display_name: str | None = None, tags: Iterable[str] = ()
    ) -> Recording:
        """Copy a file into the archive as a new recording."""
        rec = self._library.add_file(Path(path), display_name=display_name, tags=tags)
        self._events.publish("recording.created", recording_id=rec.id)
        return rec

    def add_upload(
        self,
        file_name: str,
        stream: BinaryIO,
        *,
        display_name: str | None = None,
        tags: Iterable[str] = (),
        expected_size: int = 0,
    ) -> Recording:
        """Store an uploaded stream (read in chunks, never whole) as a new recording."""
        rec = self._library.add_stream(
            file_name, stream, display_name=display_name, tags=tags, expected_size=expected_size
        )
        self._events.publish("recording.created", recording_id=rec.id)
        return rec

    def add_staged(
        self,
        staged: Path,
        file_name: str,
        *,
        size: int,
        sha256: str,
        tags: Iterable[str] = (),
    ) -> Recording:
        """Adopt a file already written and hashed in the temp area (a finished upload)."""
        rec = self._library.add_staged(staged, file_name, size=size, sha256=sha256, tags=tags)
        self._events.publish("recording.created", recording_id=rec.id)
        return rec

    # -- reading -----------------------------------------------------------------
    def list(
        self,
        *,
        deleted: bool | None = False,
        kind: str | None = None,
        tag: str | None = None,
        text: str | None = None,
        sort: str = "created",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Recording]:
        """Recordings matching the filters; ``deleted=None`` lists active and deleted.

        ``tag`` and ``text`` are read in Unicode NFC, as names and tags are stored."""
        return self._library.list_recordings(
            RecordingQuery(
                deleted=deleted,
                kind=kind,
                tag=None if tag is None else unicodedata.normalize("NFC", tag),
                text=None if text is None else unicodedata.normalize("NFC", text),
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
            )
        )

    def count(self, *, deleted: bool | None = False) -> int:
        return self._library.repo.count(deleted)

    def get(self, recording_id: str) -> Recording:
        """The recording, or :class:`~recordroute.errors.NotFoundError`."""
        return self._library.get(recording_id)

    def find(self, recording_id: str) -> Recording | None:
        return self._library.find(recording_id)

    def get_active(self, recording_id: str) -> Recording:
        """The recording, or ConflictError when it is deleted (restore it to change it)."""
        return self._library.get_active(recording_id)

    def artifacts(self, recording_id: str, kind: str | None = None) -> builtins.list[Artifact]:
        return self._library.artifacts(recording_id, kind)

    def latest_artifact(
        self, recording_id: str, kind: str, fmt: str | None = None
    ) -> Artifact | None:
        """The newest artifact of a kind (and format) of a recording, or None."""
        return self._library.repo.latest_artifact(recording_id, kind, fmt)

    def get_artifact(self, artifact_id: str) -> Artifact:
        """An artifact by its download id (original RecordRoute file UUIDs work too)."""
        return self._library.get_artifact(artifact_id)

    def artifact_path(self, artifact_id: str) -> Path:
        """The file of an artifact, resolved inside the data folder."""
        return self._library.artifact_path(self.get_artifact(artifact_id))

    def read_text(self, artifact_id: str) -> str:
        return self.artifact_path(artifact_id).read_text(encoding="utf-8")

    def change_stamp(self) -> str:
        """Changes whenever a recording, tag or artifact changes, in any process."""
        return self._library.repo.change_stamp()

    # -- changing ----------------------------------------------------------------
    def rename(self, recording_id: str, name: str) -> Recording:
        rec = self._library.rename(recording_id, name)
        self._events.publish("recording.changed", recording_id=rec.id, fields=["display_name"])
        return rec

    def set_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        rec = self._library.set_tags(recording_id, tags)
        self._index.recording_changed(rec)
        self._events.publish("recording.changed", recording_id=rec.id, fields=["tags"])
        return rec

    def add_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        current = self.get(recording_id).tags
        return self.set_tags(recording_id, [*current, *tags])

    def remove_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        drop = set(tags)
        current = self.get(recording_id).tags
        return self.set_tags(recording_id, [t for t in current if t not in drop])

    def delete(self, recording_id: str) -> Recording:
        """Soft delete: hidden from lists and search, restorable until purged."""
        rec = self._library.delete(recording_id)
        self._index.recording_changed(rec)
        self._events.publish("recording.deleted", recording_id=rec.id)
        return rec

    def restore(self, recording_id: str) -> Recording:
        rec = self._library.restore(recording_id)
        self._index.recording_changed(rec)
        self._events.publish("recording.restored", recording_id=rec.id)
        return rec

    def purge(self, recording_id: str) -> None:
        """Really delete a soft-deleted recording and all its files."""
        rec = self.get(recording_id)
        self._library.purge(recording_id)
        self._index.recording_purged(rec)
        self._events.publish("recording.purged", recording_id=recording_id)

    def save_artifact(
        self, recording_id: str, kind: str, fmt: str, data: bytes | str, **options: Any
    ) -> Artifact:
        """Write an artifact atomically (used by the pipeline and transcript edits)."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        art = self._library.save_artifact(recording_id, kind, fmt, payload, **options)
        self._events.publish("recording.changed", recording_id=recording_id, fields=[kind])
        return art

    def remove_artifacts(self, artifacts: Iterable[Artifact]) -> None:
        """Delete artifacts (never the uploaded file itself)."""
        self._library.remove_artifacts(artifacts)

    # -- maintenance -------------------------------------------------------------
    def clean_temp(self) -> int:
        """Remove stale temporary files (run on open and periodically by the server)."""
        return self._library.clean_temp()
