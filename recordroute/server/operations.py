"""The native API's operations in one table: what each takes and every status it answers
with.  :mod:`recordroute.server.openapi` turns the table (with the original client's
routes from :mod:`recordroute.server.operations_original`) into the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from . import request_models as q
from . import schemas as s
from .openapi import FILE, JSON, OBJECT, Body, Operation

API = s.API

ERRORS = {
    400: "Bad input: the message names the value and the fix",
    401: "The token is missing or wrong",
    403: "This host name or browser origin may not call the server",
    404: "Nothing has that id or name (recording, file, job, upload, template, ...)",
    405: "Method not allowed here",
    409: "Conflicts with the current state (e.g. the recording is deleted)",
    413: "The body is over the size limit; the message gives the limit",
    415: "The body is not JSON, or the file type cannot be processed",
    502: "The text model failed (e.g. Ollama answered with an error)",
    503: "The text model cannot be reached now; try again or use another mode",
    507: "The disk is nearly full; nothing was written",
}


def errors(*statuses: int) -> dict[int, Body]:
    return {status: Body(ERRORS[status], s.Error) for status in statuses}


def native(
    method: str,
    path: str,
    summary: str,
    tag: str,
    ok: type[BaseModel] | dict[int, Body],
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | str | None = None,
    public: bool = False,
    more: Iterable[int] = (),
) -> Operation:
    """A native operation: the Error shape for every refusal the route can give."""
    statuses = {403, *more}
    if not public:
        statuses.add(401)
    if query is not None or body is not None or "{" in path:
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    if body is not None:
        statuses |= {413, 415}
    replies = errors(*sorted(statuses))
    replies.update(ok if isinstance(ok, dict) else {200: Body("OK", ok)})
    return Operation(
        method,
        API + path,
        summary,
        tag,
        replies,
        query=query,
        body=body,
        security="none" if public else "token",
    )


FILE_REPLIES = {
    200: Body("The file", FILE, (JSON,)),
    206: Body("One byte range of the file (Range: bytes=a-b)", FILE),
    304: Body("Not modified (If-None-Match)"),
    416: Body("The range is outside the file"),
}

NATIVE_OPERATIONS: tuple[Operation, ...] = (
    # -- system --------------------------------------------------------------------------
    native("GET", "/health", "Liveness and version (no token)", "system", s.Health, public=True),
    native(
        "GET",
        "/openapi.json",
        "This document (no token)",
        "system",
        {200: Body("The OpenAPI document", OBJECT)},
        public=True,
    ),
    native("GET", "/settings", "Settings in use (never the token)", "system", s.SettingsView),
    native(
        "GET",
        "/models",
        "Models each provider has here; whether Ollama answers",
        "system",
        s.ModelCatalog,
        query=q.ModelsQuery,
    ),
    # -- recordings ----------------------------------------------------------------------
    native(
        "GET",
        "/recordings",
        "List recordings with filters, sort and paging",
        "recordings",
        s.RecordingPage,
        query=q.RecordingsQuery,
    ),
    native(
        "GET",
        "/recordings/{recording_id}",
        "A recording and its files",
        "recordings",
        s.RecordingDetails,
    ),
    native(
        "PATCH",
        "/recordings/{recording_id}",
        "Rename",
        "recordings",
        s.RecordingOut,
        body=q.RenameBody,
        more=[409],
    ),
    native(
        "DELETE",
        "/recordings/{recording_id}",
        "Delete (restorable until purged)",
        "recordings",
        s.RecordingOut,
        more=[409],
    ),
    native(
        "PUT",
        "/recordings/{recording_id}/tags",
        "Replace the tags",
        "recordings",
        s.RecordingOut,
        body=q.TagsBody,
        more=[409],
    ),
    native(
        "POST",
        "/recordings/{recording_id}/restore",
        "Restore a deleted recording",
        "recordings",
        s.RecordingOut,
        more=[409],
    ),
    native(
        "POST",
        "/recordings/{recording_id}/purge",
        "Remove a deleted recording and its files for good",
        "recordings",
        s.Purged,
        more=[409],
    ),
    native(
        "GET",
        "/recordings/{recording_id}/similar",
        "The recordings most like this one",
        "search",
        s.SimilarList,
        query=q.SimilarQuery,
    ),
    native(
        "PUT",
        "/recordings/{recording_id}/transcript",
        "Replace the transcript with an edited text (kept by later runs)",
        "artifacts",
        s.ArtifactOut,
        body=q.TranscriptBody,
        more=[409],
    ),
    native(
        "GET",
        "/recordings/{recording_id}/export",
        "The transcript as TXT, MD, SRT, VTT or JSON",
        "artifacts",
        {200: Body("The transcript (JSON for format=json)", FILE, (JSON,))},
        query=q.ExportQuery,
    ),
    # -- files ---------------------------------------------------------------------------
    native(
        "GET",
        "/artifacts/{artifact_id}",
        "Download a file; one byte range gives 206, an impossible one 416",
        "artifacts",
        FILE_REPLIES,
        query=q.DownloadQuery,
    ),
    native(
        "HEAD",
        "/artifacts/{artifact_id}",
        "Size and type of a file",
        "artifacts",
        {200: Body("Headers only"), 206: Body("Headers of a range"), **FILE_REPLIES},
    ),
    native(
        "POST",
        "/uploads",
        "Upload files (multipart field 'files'); streamed, de-duplicated by SHA-256",
        "uploads",
        {
            201: Body("At least one recording was created", s.UploadList),
            200: Body("Every file was already in the archive", s.UploadList),
        },
        query=q.UploadQuery,
        body="multipart",
        more=[507],
    ),
    # -- jobs ----------------------------------------------------------------------------
    native("GET", "/jobs", "List jobs", "jobs", s.JobList, query=q.JobsQuery),
    native(
        "POST",
        "/jobs",
        "Queue steps for a recording",
        "jobs",
        {201: Body("Queued", s.JobOut)},
        body=q.JobRequest,
        more=[404, 409],
    ),
    native("GET", "/jobs/{job_id}", "A job", "jobs", s.JobOut),
    native(
        "POST",
        "/jobs/{job_id}/cancel",
        "Cancel a queued or running job",
        "jobs",
        s.JobOut,
        more=[409],
    ),
    native(
        "POST",
        "/jobs/{job_id}/retry",
        "Queue a failed or cancelled job again",
        "jobs",
        s.JobOut,
        more=[409],
    ),
    # -- search --------------------------------------------------------------------------
    native(
        "GET",
        "/search",
        "Hybrid search (words and meaning) with filters",
        "search",
        s.SearchResults,
        query=q.SearchQuery,
    ),
    native(
        "GET",
        "/events",
        "WebSocket of typed events (a snapshot of unfinished jobs first); pass ?token=",
        "events",
        {101: Body("Switching to the WebSocket protocol")},
        query=q.EventsQuery,
    ),
)
