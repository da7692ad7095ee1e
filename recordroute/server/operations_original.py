"""The original RecordRoute client's routes in the operation table (section 1 of the
compatibility spec): its own reply shapes, our refusals in the native Error shape."""

from __future__ import annotations

from pydantic import BaseModel

from . import schemas as s
from . import schemas_original as o
from .openapi import FILE, HTML, TEXT, Body, Operation
from .operations import ERRORS, FILE_REPLIES, NATIVE_OPERATIONS, errors
from .operations_workbench import WORKBENCH_OPERATIONS

_TEXT_400 = Body("Missing field or invalid JSON (plain text, as the original)", TEXT)
_ORIGINAL = "Original client (compatibility)"


def _original(
    method: str,
    path: str,
    summary: str,
    ok: type[BaseModel] | dict[int, Body],
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | str | None = None,
    more: dict[int, Body] | None = None,
    security: str = "loopback",
) -> Operation:
    """A route of the original client: its own shapes; a refused token, host or origin as
    ``{"error": text, "code"}`` (the web client's page: the Error shape); other refusals
    of ours in the Error shape.

    No token on a loopback bind (the original client cannot send one), except where
    ``security`` says otherwise.
    """
    replies = {status: Body(ERRORS[status], o.OriginalRefusal, (s.Error,)) for status in (401, 403)}
    if body is not None:
        replies.update(errors(413, 415))
        replies[400] = _TEXT_400
    replies.update(more or {})
    replies.update(ok if isinstance(ok, dict) else {200: Body("OK", ok)})
    return Operation(
        method, path, summary, _ORIGINAL, replies, query=query, body=body, security=security
    )


def _also(body: Body, *items: type[BaseModel] | str) -> Body:
    return Body(body.description, body.content, (*body.also, *items))


_NOT_FOUND_EMPTY = Body("Unknown (empty body, as the original)")

ORIGINAL_OPERATIONS: tuple[Operation, ...] = (
    _original(
        "GET",
        "/",
        "The dashboards (redirect) or the web client's page (--frontend)",
        {
            200: Body("The page", HTML),
            302: Body("To the dashboards"),
            304: Body("Not modified"),
            404: Body("Neither is configured"),
        },
    ),
    _original(
        "HEAD",
        "/",
        "Headers of the web client's page (only with --frontend)",
        {
            200: Body("Headers only"),
            304: Body("Not modified"),
            405: Body("No web client is served", s.Error),
        },
    ),
    _original(
        "GET",
        "/{path}",
        "A file of the web client (only with --frontend)",
        {
            200: Body("The file", FILE),
            304: Body("Not modified"),
            404: Body("No such file (empty body, as the original)"),
        },
    ),
    _original(
        "HEAD",
        "/{path}",
        "Headers of a web client file",
        {200: Body("Headers only"), 304: Body("Not modified"), 404: Body("No such file")},
    ),
    _original(
        "GET",
        "/download/{identifier}",
        "Download a file by its id (Range supported)",
        {**FILE_REPLIES, 404: _NOT_FOUND_EMPTY},
    ),
    _original(
        "HEAD",
        "/download/{identifier}",
        "Headers of a download",
        {
            200: Body("Headers only"),
            206: Body("Headers of a range"),
            304: Body("Not modified"),
            404: _NOT_FOUND_EMPTY,
            416: Body("The range is outside the file"),
        },
    ),
    _original(
        "GET",
        "/history",
        "Active records, newest first (the original's record shape)",
        {200: Body("The records", o.OriginalHistory), 304: Body("Not modified (If-None-Match)")},
    ),
    _original("GET", "/tasks", "Queued and running jobs keyed by task id", o.OriginalTasks),
    _original(
        "GET",
        "/progress/{task_id}",
        "Last progress message of a task, or {}",
        o.OriginalProgress,
    ),
    _original(
        "GET",
        "/file_search",
        "Recordings whose name or tags contain q",
        o.OriginalFileMatches,
        query=o.OriginalFileSearchQuery,
    ),
    _original(
        "GET",
        "/search",
        "keywordMatches and similarDocuments",
        o.OriginalSearch,
        query=o.OriginalSearchQuery,
        more={400: Body("A date is not ISO", o.OriginalError)},
    ),
    _original(
        "GET",
        "/similar/{identifier}",
        "Similar documents (older variant)",
        o.OriginalSimilarList,
        more={404: Body("Unknown file", o.OriginalError)},
    ),
    _original("GET", "/models", "Model names and defaults", o.OriginalModels),
    _original("GET", "/cache/stats", "Search cache statistics", o.OriginalCacheStats),
    _original(
        "GET",
        "/cache/cleanup",
        "Nothing to clean: the cache maintains itself",
        o.OriginalCacheCleanup,
    ),
    _original(
        "POST",
        "/upload",
        "Upload files; an array with one element per file (one file in field 'file', as the "
        "desktop renderer sends it: one object)",
        {200: Body("OK", o.OriginalUploads, (o.OriginalRendererUpload,))},
        body="multipart",
        more={
            400: Body("No files, or a broken multipart body", TEXT, (o.OriginalError,)),
            413: Body(ERRORS[413], s.Error),
            415: Body(ERRORS[415], o.OriginalError, (s.Error,)),
            507: Body(ERRORS[507], o.OriginalError),
        },
    ),
    _original(
        "POST",
        "/process",
        "Run steps as a job and wait for it; the links download (the desktop renderer's "
        "file_uuid body is queued and answered at once)",
        {200: Body("OK", o.OriginalProcessResult, (o.OriginalRendererQueued,))},
        body=o.OriginalProcessBody,
        more={400: _also(_TEXT_400, o.OriginalError)},
    ),
    _original("POST", "/cancel", "Cancel a task", o.OriginalSuccess, body=o.OriginalTaskBody),
    _original(
        "POST",
        "/shutdown",
        "Stop the server (needs the token, even on loopback)",
        o.OriginalSuccess,
        security="token",
    ),
    _original(
        "POST",
        "/reset",
        "Remove every output of a record",
        o.OriginalSuccess,
        body=o.OriginalRecordBody,
    ),
    _original(
        "POST",
        "/update_filename",
        "Rename a record",
        o.OriginalSuccess,
        body=o.OriginalRenameBody,
    ),
    _original(
        "POST",
        "/incremental_embedding",
        "Queue indexing of transcripts not yet indexed",
        o.OriginalEmbeddingQueued,
        more={400: _TEXT_400, **errors(413, 415)},
    ),
    _original(
        "POST",
        "/check_existing_stt",
        "Whether a transcript exists",
        o.OriginalSttCheck,
        body=o.OriginalFilePathBody,
    ),
    _original(
        "POST",
        "/update_stt_text",
        "Save an edited transcript",
        o.OriginalSttSaved,
        body=o.OriginalSttTextBody,
        more={400: _also(_TEXT_400, o.OriginalSttSaved)},
    ),
    _original(
        "POST",
        "/reset_summary_embedding",
        "Remove the summary and the index entries",
        o.OriginalSuccess,
        body=o.OriginalRecordBody,
        more={400: _also(_TEXT_400, o.OriginalSuccess)},
    ),
    _original(
        "POST",
        "/reset_all_tasks",
        "Reset chosen tasks of every record",
        o.OriginalResetAll,
        body=o.OriginalTasksBody,
        more={400: _also(_TEXT_400, o.OriginalResetAll)},
    ),
    _original(
        "POST",
        "/similar",
        "Similar documents",
        o.OriginalSimilarList,
        body=o.OriginalSimilarBody,
        more={404: Body("Unknown file", o.OriginalError)},
    ),
    _original(
        "POST",
        "/delete",
        "Delete one transcript or summary file",
        {
            200: Body("Deleted", (o.OriginalSuccess, o.OriginalDeleteResult)),
            207: Body("Some records could not be deleted", o.OriginalDeleteResult),
        },
        body=o.OriginalDeleteBody,
        more={400: _also(_TEXT_400, o.OriginalError)},
    ),
    _original(
        "POST",
        "/delete_records",
        "Delete records (restorable); 207 if some failed",
        {
            200: Body("Deleted", o.OriginalDeleteResult),
            207: Body("Some records could not be deleted", o.OriginalDeleteResult),
        },
        body=o.OriginalDeleteRecordsBody,
        more={400: _also(_TEXT_400, o.OriginalDeleteResult)},
    ),
)

OPERATIONS = NATIVE_OPERATIONS + WORKBENCH_OPERATIONS + ORIGINAL_OPERATIONS
