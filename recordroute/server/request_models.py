"""What the native API takes: its query parameters and JSON bodies, as pydantic models.

Handlers read requests through them (``BaseHandler.query_model`` / ``body_model``, with
errors that name the bad value) and the OpenAPI document describes the parameters and
bodies from them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, Strict

from ..models import RecordingKind
from .schemas import IsoMoment, JobState, Request, Uuid

#: the pipeline's steps and the original client's names for them
StepName = Literal[
    "ingest",
    "transcribe",
    "summarize",
    "title",
    "keywords",
    "embed",
    "diarize",
    "speakers",
    "diarization",
    "stt",
    "summary",
    "embedding",
    "index",
]


class ModelsQuery(Request):
    probe_ollama: bool = Field(True, description="Ask Ollama which models it has")


class RecordingsQuery(Request):
    deleted: Literal["false", "true", "all"] = "false"
    kind: RecordingKind | None = None
    tag: str | None = None
    q: str | None = Field(None, description="Text in the name, title or tags")
    sort: Literal["created", "name", "duration", "updated", "kind"] = "created"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


class RenameBody(Request):
    display_name: str = Field(description="1 to 300 characters")


class TagsBody(Request):
    tags: list[str] = Field(description="The new tags (each at most 64 characters)")


class TranscriptBody(Request):
    text: str = Field(description="Lines '[HH:MM:SS - HH:MM:SS] text', or plain text")


class ExportQuery(Request):
    format: Literal["txt", "md", "srt", "vtt", "json"] = "txt"


class DownloadQuery(Request):
    download: Literal["0", "1", "true", "false", "yes", "no"] | None = Field(
        None, description="1: as an attachment; otherwise inline"
    )


class UploadQuery(Request):
    tags: list[str] = Field(default_factory=list, description="Tags for the new recordings")


class JobsQuery(Request):
    state: list[JobState] = Field(default_factory=list, description="Only jobs in these states")
    recording_id: Uuid | None = None
    limit: int = Field(100, ge=1, le=1000)


class JobOptions(Request):
    """Settings for one job (empty values mean "as configured")."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    speech_engine: str | None = None
    whisper_model: str | None = None
    language: str | None = Field(None, description="A language code, or auto")
    device: str | None = None
    llm_provider: str | None = None
    llm_model: str | None = None
    summary_model: str | None = Field(None, description="Same as llm_model")
    initial_prompt: str | None = Field(None, description="Words the speech model should expect")
    word_timestamps: bool | None = None
    summary_tokens: Annotated[int, Strict(False)] | None = Field(
        None, ge=1, description="Longest summary, in tokens (3.0 counts as 3)"
    )
    diarize_provider: str | None = None
    num_speakers: int | str | None = Field(
        None, description="How many speakers (1 to 64); none: found from the recording"
    )
    template: str | None = Field(None, description="The summary template to use")
    summary_mode: str | None = Field(None, description="auto, extractive or abstractive")


class JobRequest(Request):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    recording_id: Uuid
    steps: list[StepName] | None = Field(
        None, description="Steps to run (none: all); the steps they need are added"
    )
    options: JobOptions | None = None
    client_task_id: str = Field("", max_length=200, description="An id of your own")


class SearchQuery(Request):
    q: str = ""
    k: int = Field(10, ge=1, le=100)
    start: IsoMoment | None = Field(None, description="Created on or after")
    end: IsoMoment | None = Field(None, description="Created on or before")
    kind: list[RecordingKind] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list, description="Recordings with all these tags")
    weaker: Literal["false", "true"] = Field(
        "false", description="Also list the matches below the relevance bar (after the others)"
    )
    spoken_by: str = Field("", description="Passages this speaker said (a name or 'Speaker N')")


class SimilarQuery(Request):
    k: int = Field(5, ge=1, le=50)


class EventsQuery(Request):
    job_id: list[str] = Field(default_factory=list, description="Only these jobs")
    ask_id: list[str] = Field(default_factory=list, description="Streamed answers to follow")
    token: str | None = Field(None, description="The token (a WebSocket cannot send headers)")
