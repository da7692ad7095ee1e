"""The original RecordRoute client's request and reply shapes (section 1 of the
compatibility spec), as pydantic models: they build the replies of the compatibility
routes and document them in the OpenAPI document, under names starting with
``Original``.  Fields the original sent only sometimes are left out when None.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, RootModel

from .schemas import IsoMoment, Reply, Request, Text

OriginalTask = Literal["stt", "embedding", "summary"]


class OriginalError(Reply):
    omit_none = True

    error: str
    details: str | None = None


class OriginalRefusal(Reply):
    """A refused token, host or origin on the original client's routes: both clients show
    ``error`` as text, so it holds the refusal and what to do."""

    error: str
    code: Literal["unauthorized", "forbidden"]


class OriginalSuccess(Reply):
    omit_none = True

    success: bool
    message: str | None = None
    error: str | None = None


# -- reads -----------------------------------------------------------------------------
class OriginalCompletedTasks(Reply):
    stt: bool
    embedding: bool
    summary: bool


class OriginalHistoryRecord(Reply):
    """One record of ``upload_history.json``; fields an imported record carried are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    timestamp: str | None
    filename: str
    file_type: str
    duration: str | None = Field(description="MM:SS")
    file_path: str | None
    folder_name: str
    completed_tasks: OriginalCompletedTasks
    download_links: dict[str, str]
    title_summary: str
    tags: list[str]
    file_hash: str
    deleted: bool
    deleted_at: str | None
    deleted_assets: dict[str, Any]
    stt_done: bool
    summarize_done: bool
    embed_done: bool
    stt_path: str | None
    summary_path: str | None
    one_line_summary: str


class OriginalHistory(RootModel[list[OriginalHistoryRecord]]):
    """Active records, newest first."""


class OriginalTaskInfo(Reply):
    pid: int
    start_time: float
    cancelled: bool
    duration: float
    job_id: str
    record_id: str
    state: Literal["queued", "running"]
    percent: float
    message: str


class OriginalTasks(RootModel[dict[str, OriginalTaskInfo]]):
    """Queued and running jobs keyed by the client's task id (or the job id)."""


class OriginalProgress(Reply):
    omit_none = True

    message: str | None = None
    timestamp: float | None = None


class OriginalFileMatch(Reply):
    id: str
    filename: str
    tags: list[str]


class OriginalFileMatches(RootModel[list[OriginalFileMatch]]):
    pass


class OriginalDocument(Reply):
    """Where the original pointed for a recording's text: its transcript file."""

    file_uuid: str | None
    file: str | None
    display_name: str
    uploaded_at: str | None
    source_filename: str
    link: str | None


class OriginalKeywordMatch(OriginalDocument):
    count: int


class OriginalSimilarDocument(OriginalDocument):
    score: float


class OriginalSearch(Reply):
    keywordMatches: list[OriginalKeywordMatch]
    similarDocuments: list[OriginalSimilarDocument]


class OriginalSimilarItem(Reply):
    omit_none = True

    file: str | None
    score: float
    link: str | None
    display_name: str | None = Field(None, description="POST /similar only")
    title_summary: str | None = Field(None, description="POST /similar only")


class OriginalSimilarList(RootModel[list[OriginalSimilarItem]]):
    pass


class OriginalModelDefaults(Reply):
    whisper: str
    summarize: str
    embedding: str


class OriginalModels(Reply):
    models: list[str]
    default: OriginalModelDefaults


class OriginalCacheStats(Reply):
    total_entries: int
    expired_entries: int
    valid_entries: int


class OriginalCacheCleanup(Reply):
    success: bool
    cleaned_entries: int
    message: str


# -- writes ----------------------------------------------------------------------------
class OriginalUploaded(Reply):
    file_path: str
    file_type: str
    record_id: str


class OriginalUploadDuplicate(Reply):
    duplicate: Literal[True]
    original_record_id: str
    filename: str


class OriginalUploads(RootModel[list[OriginalUploaded | OriginalUploadDuplicate]]):
    """One element per file, in the order sent."""


class OriginalRendererUpload(Reply):
    """The desktop renderer's upload answer (one file in field ``file``)."""

    omit_none = True

    file_uuid: str = Field(description="The record id")
    filename: str
    path: str | None = Field(description="A download link of the stored file")
    duplicate: Literal[True] | None = None
    original_record_id: str | None = None


class OriginalRendererQueued(Reply):
    """The desktop renderer's ``/process`` answer: queued, progress frames carry task_id."""

    task_id: str
    message: str


class OriginalProcessResult(Reply):
    """Download links of what the steps produced, or ``{"error"}``."""

    omit_none = True

    stt: str | None = None
    summary: str | None = None
    error: str | None = None


class OriginalEmbeddingQueued(Reply):
    success: bool
    processed_count: int
    message: str


class OriginalSttCheck(Reply):
    has_stt: bool
    stt_file: str | None


class OriginalSttSaved(Reply):
    omit_none = True

    success: bool
    record_id: str | None
    error: str | None = None


class OriginalResetCounts(Reply):
    stt: int
    embedding: int
    summary: int


class OriginalResetAll(Reply):
    omit_none = True

    success: bool
    message: str | None = None
    error: str | None = None
    counts: OriginalResetCounts | None = None


class OriginalRecordResult(Reply):
    omit_none = True

    success: bool
    error: str | None = None


class OriginalDeleteResult(Reply):
    """``/delete_records`` (and ``/delete`` with ``ids``): 207 when one failed."""

    omit_none = True

    success: bool
    message: str | None = None
    error: str | None = None
    results: dict[str, OriginalRecordResult] | None = None


# -- request bodies (documentation; the handlers keep the original's own checks) ---------
class OriginalProcessBody(Request):
    """The web page sends ``file_path`` and ``steps``; the desktop renderer sends
    ``file_uuid`` and ``run_*`` flags (and gets ``{task_id, message}`` at once)."""

    file_path: Text | None = Field(
        None, description="The upload path /upload returned, or a record id"
    )
    file_uuid: str | None = Field(None, description="Desktop renderer: the record id")
    run_stt: bool = False
    run_embed: bool = False
    run_summarize: bool = False
    stt_model: str | None = Field(None, description="Desktop renderer: a speech model here")
    summary_model: str | None = Field(None, description="Desktop renderer: a text model here")
    steps: list[OriginalTask] = Field(default_factory=list)
    record_id: str | None = None
    task_id: str | None = Field(None, description="Progress frames carry it")
    model_settings: dict[str, Any] | None = Field(
        None, description="whisper, language, device, summarize (unknown models are ignored)"
    )


class OriginalTaskBody(Request):
    task_id: Text


class OriginalRecordBody(Request):
    record_id: Text


class OriginalRenameBody(Request):
    record_id: Text
    filename: Text


class OriginalFilePathBody(Request):
    file_path: Text


class OriginalSttTextBody(Request):
    file_identifier: Text = Field(description="A file id or /download/<file id>")
    content: str


class OriginalTasksBody(Request):
    tasks: list[OriginalTask]


class OriginalSimilarBody(Request):
    file_identifier: Text = Field(description="A file id or /download/<file id>")
    refresh: bool | None = None
    user_filename: str | None = None


class OriginalDeleteBody(Request):
    file_identifier: Text = Field(description="A file id or /download/<file id>")
    file_type: Literal["stt", "summary"]


class OriginalDeleteRecordsBody(Request):
    record_ids: list[str]


class OriginalSearchQuery(Request):
    q: str = ""
    start: IsoMoment | None = None
    end: IsoMoment | None = None


class OriginalFileSearchQuery(Request):
    q: str = ""
