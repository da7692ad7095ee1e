"""What the resumable-upload and media routes send and take, as pydantic models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field

from .request_models import JobOptions, StepName
from .schemas import JobOut, Moment, RecordingOut, Reply, Request, Text

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..models import UploadSession

#: the most one piece may carry, and what the workbench's widget sends
MAX_CHUNK_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 16 * 1024 * 1024

UploadState = Literal["open", "committing", "finished"]


class UploadSessionOut(Reply):
    id: str
    file_name: str
    size_bytes: int
    received_bytes: int = Field(description="Bytes the server holds: the next piece starts here")
    state: UploadState
    tags: list[str]
    steps: list[str] | None = Field(description="Queued when the upload ends; None: nothing")
    options: dict[str, Any]
    recording_id: str | None
    job_id: str | None
    duplicate_of: str | None = Field(description="The recording whose content it repeats")
    created_at: Moment
    updated_at: Moment
    chunk_bytes: int = Field(description="Suggested piece size")
    max_chunk_bytes: int = Field(description="Largest piece accepted")

    @classmethod
    def of(cls, session: UploadSession) -> Self:
        return cls(
            id=session.id,
            file_name=session.file_name,
            size_bytes=session.size_bytes,
            received_bytes=session.received_bytes,
            state=session.state,  # type: ignore[arg-type]
            tags=list(session.tags),
            steps=None if session.steps is None else list(session.steps),
            options=session.options,
            recording_id=session.recording_id,
            job_id=session.job_id,
            duplicate_of=session.duplicate_of,
            created_at=session.created_at,
            updated_at=session.updated_at,
            chunk_bytes=CHUNK_BYTES,
            max_chunk_bytes=MAX_CHUNK_BYTES,
        )


class UploadProgress(Reply):
    id: str
    received_bytes: int
    size_bytes: int
    state: UploadState


class UploadFinished(Reply):
    status: Literal["created"]
    session: UploadSessionOut
    recording: RecordingOut
    job: JobOut | None = Field(description="The queued job; None when no steps were asked for")


# -- requests --------------------------------------------------------------------------
class UploadStart(Request):
    file_name: Text = Field(description="The file's name (its type is judged by the suffix)")
    size: int = Field(ge=0, description="The file's size in bytes (an empty file is refused)")
    tags: list[str] = Field(default_factory=list, description="Tags for the new recording")
    steps: list[StepName] | None = Field(
        None, description="Steps to queue when the upload ends; null queues nothing"
    )
    options: JobOptions | None = None


class ChunkQuery(Request):
    offset: int = Field(
        ge=0, le=2**53, description="The byte this piece starts at (must equal received_bytes)"
    )


class MediaQuery(Request):
    exp: str | None = Field(None, description="When the link expires (from a signed link)")
    sig: str | None = Field(None, description="The link's signature")
    token: str | None = Field(None, description="The token, instead of a signed link")
