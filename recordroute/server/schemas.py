"""What the native API sends and takes, defined once as pydantic models.

The response models serialize every native reply (``send_model``) and are the
``components/schemas`` of the OpenAPI document; the query and body models parse the
requests (``BaseHandler.query_model`` / ``body_model``) and document their parameters.
Response models forbid extra fields, so the document cannot fall behind what is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from ..models import Artifact, Job, Recording, RecordingKind

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..search import SearchHit, SearchOutcome, SimilarRecording

API = "/recordroute/api/v1"

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
TERMINAL_STATES = ("done", "failed", "cancelled")
#: an ISO 8601 time with its offset, as ``datetime.isoformat`` writes it
Moment = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Scalar = str | int | float | bool | None
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#: an id of a recording, file or job
Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
#: a text with something in it (not empty, not only spaces)
Text = Annotated[str, StringConstraints(pattern=r"\S")]


def iso_moment(raw: object) -> date | datetime:
    """An ISO 8601 date (a whole day) or date-time (RFC 3339, either case)."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.upper())
    except ValueError:
        raise ValueError(
            "not an ISO date or date-time | Use e.g. 2024-05-01 or 2024-05-01T09:30:00."
        ) from None


#: a day or a moment given in a query (``start``/``end`` filters)
IsoMoment = Annotated[
    date | datetime,
    BeforeValidator(iso_moment),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]


class Reply(BaseModel):
    """A JSON object the server sends; unknown fields are a bug, not an extension."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: leave out fields whose value is None (the original client's optional keys)
    omit_none: ClassVar[bool] = False

    def to_json(self) -> Any:
        return self.model_dump(mode="json", exclude_none=self.omit_none)


class Request(BaseModel):
    """A JSON body or a set of query parameters; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# -- errors ----------------------------------------------------------------------------
class ErrorDetail(Reply):
    code: str = Field(description="Stable machine-readable code, e.g. not_found")
    message: str = Field(description="What was wrong, naming the bad value")
    fix: str = Field(description="What to do about it")


class Error(Reply):
    """Every native error: ``{"error": {"code", "message", "fix"}}``."""

    error: ErrorDetail


# -- system ----------------------------------------------------------------------------
class Health(Reply):
    status: Literal["ok", "stopping"]
    version: str
    time: float = Field(description="Server time, seconds since the epoch")


class ServerView(Reply):
    host: str
    port: int
    ws_port: int | None
    loopback: bool
    dashboard_url: str
    worker_processes: int


class SettingsView(Reply):
    """The settings in use (never the token)."""

    settings: dict[str, Scalar]
    token_set: bool
    server: ServerView


class ModelEntry(Reply):
    kind: Literal["speech", "llm", "embed"]
    provider: str
    name: str
    present: bool
    detail: str


class OllamaListing(Reply):
    host: str
    reachable: bool
    models: list[str]
    error: str
    fix: str


class ModelCatalog(Reply):
    models: list[ModelEntry]
    ollama: OllamaListing | None = Field(description="None when not probed")
    defaults: dict[str, str]
    loaded: list[list[str]] = Field(
        description="Models loaded in the API process: engine, location, device, compute type"
    )


# -- recordings ------------------------------------------------------------------------
class RecordingOut(Reply):
    id: str
    display_name: str
    original_name: str
    kind: RecordingKind
    sha256: str
    size_bytes: int
    duration_s: float | None
    title: str
    tags: list[str]
    created_at: Moment
    updated_at: Moment
    deleted: bool
    deleted_at: Moment | None
    source: str

    @classmethod
    def of(cls, rec: Recording) -> Self:
        return cls.model_validate(rec, from_attributes=True)


class ArtifactOut(Reply):
    id: str
    recording_id: str
    kind: str
    format: str
    file_name: str
    size_bytes: int
    sha256: str
    edited: bool = Field(description="Written by the user; later runs keep it")
    created_at: Moment
    updated_at: Moment
    download_url: str

    @classmethod
    def of(cls, art: Artifact) -> Self:
        return cls(
            id=art.id,
            recording_id=art.recording_id,
            kind=art.kind,
            format=art.format,
            file_name=art.file_name,
            size_bytes=art.size_bytes,
            sha256=art.sha256,
            edited=art.edited,
            created_at=art.created_at,
            updated_at=art.updated_at,
            download_url=f"{API}/artifacts/{art.id}",
        )


class RecordingDetails(RecordingOut):
    """A recording with its files."""

    artifacts: list[ArtifactOut]


class RecordingPage(Reply):
    items: list[RecordingOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; None on the last")


class Purged(Reply):
    id: str
    purged: Literal[True]


# -- uploads -----------------------------------------------------------------------------
class UploadCreated(Reply):
    file_name: str
    status: Literal["created"]
    recording: RecordingOut


class UploadDuplicate(Reply):
    file_name: str
    status: Literal["duplicate"]
    existing_id: str = Field(description="The recording that has the same content")


class UploadList(Reply):
    items: list[Annotated[UploadCreated | UploadDuplicate, Field(discriminator="status")]]


# -- jobs ------------------------------------------------------------------------------
class JobOut(Reply):
    id: str
    recording_id: str
    steps: list[str]
    options: dict[str, Any]
    state: JobState
    stage: str
    percent: float
    eta_s: float | None
    error: str
    attempts: int
    cancel_requested: bool
    client_task_id: str
    created_at: Moment
    updated_at: Moment
    started_at: Moment | None
    finished_at: Moment | None

    @classmethod
    def of(cls, job: Job) -> Self:
        return cls.model_validate(job, from_attributes=True)


class JobList(Reply):
    items: list[JobOut]


# -- search ------------------------------------------------------------------------------
class SearchEvidence(Reply):
    """Why a hit is or is not shown."""

    similarity: float | None = Field(description="Best passage's cosine; None without vectors")
    meaning: float = Field(description="Calibrated meaning: 0 typical of unrelated, 1 related")
    words_found: int = Field(description="Query words found in the recording as whole words")
    words_total: int
    coverage: float = Field(description="Found words' share of the query, weighted by rarity")


class SearchHitOut(Reply):
    recording_id: str
    score: float
    snippet: str
    start_s: float | None
    end_s: float | None
    vector_rank: int | None
    keyword_rank: int | None
    matched_field: str | None = Field(description="Where the words matched, if they did")
    keyword_matches: int
    relevant: bool = Field(description="Cleared the relevance bar (false for a weaker match)")
    evidence: SearchEvidence | None

    @classmethod
    def of(cls, hit: SearchHit) -> Self:
        found = hit.evidence
        return cls(
            recording_id=hit.recording_id,
            score=hit.score,
            snippet=hit.snippet,
            start_s=hit.start_s,
            end_s=hit.end_s,
            vector_rank=hit.vector_rank,
            keyword_rank=hit.keyword_rank,
            matched_field=hit.keyword.field if hit.keyword else None,
            keyword_matches=hit.keyword.matches if hit.keyword else 0,
            relevant=hit.relevant,
            evidence=None
            if found is None
            else SearchEvidence(
                similarity=found.similarity,
                meaning=round(found.meaning, 4),
                words_found=found.words_found,
                words_total=found.words_total,
                coverage=round(found.coverage, 4),
            ),
        )


class SearchResults(Reply):
    query: str
    items: list[SearchHitOut] = Field(description="Relevant hits, then weaker ones if asked")
    nothing_found: bool = Field(description="No hit cleared the relevance bar")
    suggestions: list[str] = Field(description="Queries to try instead (archive spellings)")
    weaker: int = Field(description="How many matches fell below the bar")

    @classmethod
    def empty(cls) -> Self:
        return cls(query="", items=[], nothing_found=True, suggestions=[], weaker=0)

    @classmethod
    def of(cls, found: SearchOutcome, *, weaker: bool) -> Self:
        return cls(
            query=found.query,
            items=[SearchHitOut.of(hit) for hit in found.shown(weaker)],
            nothing_found=found.nothing_found,
            suggestions=list(found.suggestions),
            weaker=len(found.weaker),
        )


class SimilarOut(Reply):
    recording_id: str
    score: float
    passage: str = Field(description="The best matching passage (at most 300 characters)")
    start_s: float | None
    end_s: float | None

    @classmethod
    def of(cls, item: SimilarRecording) -> Self:
        chunk = item.best_chunk
        return cls(
            recording_id=item.recording_id,
            score=item.score,
            passage=chunk.text[:300],
            start_s=chunk.start_s,
            end_s=chunk.end_s,
        )


class SimilarList(Reply):
    items: list[SimilarOut]
