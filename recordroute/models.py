"""Plain data objects passed between the core and its edges."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Literal

RecordingKind = Literal["audio", "video", "text", "pdf", "unknown"]
#: kinds of artifact a recording can have; ``source`` is the uploaded file itself
ARTIFACT_KINDS = (
    "source",
    "audio",
    "transcript",
    "segments",
    "summary",
    "title",
    "keywords",
    "export",
    "vector",
    "speakers",
    "attachment",
)
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclasses.dataclass(frozen=True)
class Recording:
    """One recording (or document) in the archive."""

    id: str
    display_name: str
    original_name: str
    kind: RecordingKind
    sha256: str
    size_bytes: int
    created_at: datetime
    updated_at: datetime
    duration_s: float | None = None
    title: str = ""
    tags: tuple[str, ...] = ()
    deleted_at: datetime | None = None
    source: str = "upload"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclasses.dataclass(frozen=True)
class Artifact:
    """A file that belongs to a recording; ``id`` is its stable download id."""

    id: str
    recording_id: str
    kind: str
    format: str
    file_name: str
    rel_path: str
    size_bytes: int
    sha256: str
    created_at: datetime
    updated_at: datetime
    edited: bool = False
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Segment:
    """A stretch of speech with its times in seconds, and who spoke it ("" when unknown)."""

    start: float
    end: float
    text: str
    speaker: str = ""


@dataclasses.dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of time in which one speaker talks (from diarization)."""

    start: float
    end: float
    speaker: str


@dataclasses.dataclass(frozen=True)
class Job:
    """A unit of pipeline work persisted in the store."""

    id: str
    recording_id: str
    steps: tuple[str, ...]
    options: dict[str, Any]
    state: str
    stage: str
    percent: float
    created_at: datetime
    updated_at: datetime
    eta_s: float | None = None
    error: str = ""
    attempts: int = 0
    cancel_requested: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    client_task_id: str = ""


UPLOAD_STATES = ("open", "committing", "finished")


@dataclasses.dataclass(frozen=True)
class UploadSession:
    """A resumable upload: the file arrives in pieces and becomes a recording at the end.

    ``received_bytes`` is what the server holds (the next piece starts there).  A finished
    session keeps what came of it: the recording and its job, or the recording whose
    content it duplicates.
    """

    id: str
    file_name: str
    size_bytes: int
    received_bytes: int
    state: str
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...] = ()
    steps: tuple[str, ...] | None = None
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    recording_id: str | None = None
    job_id: str | None = None
    duplicate_of: str | None = None


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What a legacy import did."""

    recordings_added: int
    recordings_skipped: int
    artifacts_added: int
    vectors_added: int
    missing_files: tuple[str, ...] = ()
