"""The OpenAPI 3 document of every HTTP route, written as data.

``tests/test_server_openapi.py`` checks that each route the application registers is
described here (and nothing else), and fuzzes the live server against it.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import __version__
from . import openapi_ask
from .openapi_templates import PATHS as TEMPLATE_PATHS

API = "/recordroute/api/v1"

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Json, description: str = "OK") -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Json:
    return _json(_ref("Error"), description)


def _path_param(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _query(name: str, schema: Json, description: str = "", *, many: bool = False) -> Json:
    param: Json = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    if many:
        param["schema"] = {"type": "array", "items": schema}
        param["style"] = "form"
        param["explode"] = True
    return param


def _body(schema: Json, *, required: bool = True) -> Json:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    tag: str,
    responses: Json,
    *,
    params: list[Json] | None = None,
    body: Json | None = None,
    secure: bool = True,
) -> Json:
    operation: Json = {"summary": summary, "tags": [tag], "responses": responses}
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = body
    if not secure:
        operation["security"] = []
    return operation


_COMMON = {
    "400": _error("Bad input"),
    "401": _error("Missing or wrong token"),
    "403": _error("Origin or host not allowed"),
}
_BY_ID = {**_COMMON, "404": _error("No such recording")}
_WRITE = {
    **_BY_ID,
    "409": _error("Conflicts with the current state"),
    "415": _error("Body is not JSON"),
}

_REC_ID = _path_param("recording_id", "A recording id (UUID)")
_JOB_ID = _path_param("job_id", "A job id (UUID)")
_STRING_LIST = {"type": "array", "items": {"type": "string"}}
_LOOSE_OBJECT = {"type": "object", "additionalProperties": True}
_LOOSE_LIST = {"type": "array", "items": {}}

SCHEMAS: Json = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fix"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fix": {"type": "string"},
                },
            }
        },
    },
    "Recording": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "display_name": {"type": "string"},
            "original_name": {"type": "string"},
            "kind": {"type": "string", "enum": ["audio", "video", "text", "pdf", "unknown"]},
            "sha256": {"type": "string"},
            "size_bytes": {"type": "integer"},
            "duration_s": {"type": ["number", "null"]},
            "title": {"type": "string"},
            "tags": _STRING_LIST,
            "created_at": {"type": "string"},
            "updated_at": {"type": "string"},
            "deleted": {"type": "boolean"},
            "deleted_at": {"type": ["string", "null"]},
            "source": {"type": "string"},
        },
    },
    "Artifact": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "recording_id": {"type": "string"},
            "kind": {"type": "string"},
            "format": {"type": "string"},
            "file_name": {"type": "string"},
            "size_bytes": {"type": "integer"},
            "sha256": {"type": "string"},
            "edited": {"type": "boolean"},
            "download_url": {"type": "string"},
        },
    },
    "Job": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "recording_id": {"type": "string"},
            "steps": _STRING_LIST,
            "options": _LOOSE_OBJECT,
            "state": {
                "type": "string",
                "enum": ["queued", "running", "done", "failed", "cancelled"],
            },
            "stage": {"type": "string"},
            "percent": {"type": "number"},
            "eta_s": {"type": ["number", "null"]},
            "error": {"type": "string"},
            "client_task_id": {"type": "string"},
        },
    },
    "SearchHit": {
        "type": "object",
        "properties": {
            "recording_id": {"type": "string"},
            "score": {"type": "number"},
            "snippet": {"type": "string"},
            "start_s": {"type": ["number", "null"]},
            "end_s": {"type": ["number", "null"]},
            "relevant": {
                "type": "boolean",
                "description": "Cleared the relevance bar (false for a weaker match)",
            },
            "evidence": {
                "type": ["object", "null"],
                "description": "Calibrated meaning (0 unrelated, 1 related) and query words "
                "found as whole words",
            },
        },
    },
}

_RECORDING = _ref("Recording")
_JOB = _ref("Job")
_ITEMS = {"type": "object", "properties": {"items": _LOOSE_LIST}}

NATIVE: Json = {
    f"{API}/health": {
        "get": _op(
            "Liveness and version (no token)", "system", {"200": _json(_LOOSE_OBJECT)}, secure=False
        )
    },
    f"{API}/openapi.json": {
        "get": _op(
            "This document (no token)", "system", {"200": _json(_LOOSE_OBJECT)}, secure=False
        )
    },
    f"{API}/settings": {
        "get": _op(
            "Settings in use (never the token)", "system", {"200": _json(_LOOSE_OBJECT), **_COMMON}
        )
    },
    f"{API}/models": {
        "get": _op(
            "Models each provider has here; whether Ollama answers",
            "system",
            {"200": _json(_LOOSE_OBJECT), **_COMMON},
            params=[_query("probe_ollama", {"type": "string", "enum": ["true", "false"]})],
        )
    },
    f"{API}/recordings": {
        "get": _op(
            "List recordings with filters, sort and paging",
            "recordings",
            {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": _RECORDING},
                            "limit": {"type": "integer"},
                            "offset": {"type": "integer"},
                            "next_offset": {"type": ["integer", "null"]},
                        },
                    }
                ),
                **_COMMON,
            },
            params=[
                _query("deleted", {"type": "string", "enum": ["false", "true", "all"]}),
                _query(
                    "kind", {"type": "string", "enum": ["audio", "video", "text", "pdf", "unknown"]}
                ),
                _query("tag", {"type": "string"}),
                _query("q", {"type": "string"}, "Text in the name, title or tags"),
                _query(
                    "sort",
                    {"type": "string", "enum": ["created", "name", "duration", "updated", "kind"]},
                ),
                _query("order", {"type": "string", "enum": ["asc", "desc"]}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                _query("offset", {"type": "integer", "minimum": 0}),
            ],
        )
    },
    f"{API}/recordings/{{recording_id}}": {
        "get": _op(
            "A recording with its artifacts",
            "recordings",
            {"200": _json(_RECORDING), **_BY_ID},
            params=[_REC_ID],
        ),
        "patch": _op(
            "Rename",
            "recordings",
            {"200": _json(_RECORDING), **_WRITE},
            params=[_REC_ID],
            body=_body(
                {
                    "type": "object",
                    "required": ["display_name"],
                    "properties": {"display_name": {"type": "string"}},
                }
            ),
        ),
        "delete": _op(
            "Delete (restorable until purged)",
            "recordings",
            {"200": _json(_RECORDING), **_WRITE},
            params=[_REC_ID],
        ),
    },
    f"{API}/recordings/{{recording_id}}/tags": {
        "put": _op(
            "Replace the tags",
            "recordings",
            {"200": _json(_RECORDING), **_WRITE},
            params=[_REC_ID],
            body=_body(
                {"type": "object", "required": ["tags"], "properties": {"tags": _STRING_LIST}}
            ),
        )
    },
    f"{API}/recordings/{{recording_id}}/restore": {
        "post": _op(
            "Restore a deleted recording",
            "recordings",
            {"200": _json(_RECORDING), **_WRITE},
            params=[_REC_ID],
        )
    },
    f"{API}/recordings/{{recording_id}}/purge": {
        "post": _op(
            "Remove a deleted recording and its files for good",
            "recordings",
            {"200": _json(_LOOSE_OBJECT), **_WRITE},
            params=[_REC_ID],
        )
    },
    f"{API}/recordings/{{recording_id}}/similar": {
        "get": _op(
            "The recordings most like this one",
            "search",
            {"200": _json(_ITEMS), **_BY_ID},
            params=[_REC_ID, _query("k", {"type": "integer", "minimum": 1, "maximum": 50})],
        )
    },
    f"{API}/recordings/{{recording_id}}/transcript": {
        "put": _op(
            "Replace the transcript with an edited text (kept by later runs)",
            "artifacts",
            {"200": _json(_ref("Artifact")), **_WRITE},
            params=[_REC_ID],
            body=_body(
                {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
            ),
        )
    },
    f"{API}/recordings/{{recording_id}}/export": {
        "get": _op(
            "The transcript as TXT, MD, SRT, VTT or JSON",
            "artifacts",
            {
                "200": {
                    "description": "The file",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                **_BY_ID,
            },
            params=[
                _REC_ID,
                _query("format", {"type": "string", "enum": ["txt", "md", "srt", "vtt", "json"]}),
            ],
        )
    },
    f"{API}/artifacts/{{artifact_id}}": {
        "get": _op(
            "Download a file; one byte range gives 206, an impossible one 416",
            "artifacts",
            {
                "200": {"description": "The file"},
                "206": {"description": "A range"},
                "304": {"description": "Not modified"},
                "416": {"description": "Range not satisfiable"},
                **_BY_ID,
            },
            params=[
                _path_param("artifact_id", "An artifact id (or an original file UUID)"),
                _query("download", {"type": "string", "enum": ["0", "1"]}),
            ],
        ),
        "head": _op(
            "Size and type of a file",
            "artifacts",
            {"200": {"description": "Headers only"}, **_BY_ID},
            params=[_path_param("artifact_id", "An artifact id")],
        ),
    },
    f"{API}/uploads": {
        "post": _op(
            "Upload files (multipart field 'files'); streamed, de-duplicated by SHA-256",
            "uploads",
            {
                "201": _json(_ITEMS, "At least one recording created"),
                "200": _json(_ITEMS, "Every file was a duplicate"),
                "413": _error("Over the size limit"),
                "415": _error("Unsupported file type"),
                **_COMMON,
            },
            params=[_query("tags", {"type": "string"}, "Tags for the new recordings", many=True)],
            body={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "files": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                }
                            },
                        }
                    }
                },
            },
        )
    },
    f"{API}/jobs": {
        "get": _op(
            "List jobs",
            "jobs",
            {"200": _json(_ITEMS), **_COMMON},
            params=[
                _query(
                    "state",
                    {
                        "type": "string",
                        "enum": ["queued", "running", "done", "failed", "cancelled"],
                    },
                    many=True,
                ),
                _query("recording_id", {"type": "string"}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
            ],
        ),
        "post": _op(
            "Queue steps for a recording",
            "jobs",
            {"201": _json(_JOB, "Queued"), **_WRITE},
            body=_body(
                {
                    "type": "object",
                    "required": ["recording_id"],
                    "properties": {
                        "recording_id": {"type": "string"},
                        "steps": _STRING_LIST,
                        "options": _LOOSE_OBJECT,
                        "client_task_id": {"type": "string"},
                    },
                }
            ),
        ),
    },
    f"{API}/jobs/{{job_id}}": {
        "get": _op("A job", "jobs", {"200": _json(_JOB), **_BY_ID}, params=[_JOB_ID])
    },
    f"{API}/jobs/{{job_id}}/cancel": {
        "post": _op(
            "Cancel a queued or running job",
            "jobs",
            {"200": _json(_JOB), **_WRITE},
            params=[_JOB_ID],
        )
    },
    f"{API}/jobs/{{job_id}}/retry": {
        "post": _op(
            "Queue a failed or cancelled job again",
            "jobs",
            {"200": _json(_JOB), **_WRITE},
            params=[_JOB_ID],
        )
    },
    f"{API}/search": {
        "get": _op(
            "Hybrid search (keywords and meaning) with filters; only relevant hits are listed",
            "search",
            {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "items": {"type": "array", "items": _ref("SearchHit")},
                            "nothing_found": {
                                "type": "boolean",
                                "description": "No hit cleared the relevance bar",
                            },
                            "suggestions": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "Queries to try instead (archive spellings)",
                            },
                            "weaker": {
                                "type": "integer",
                                "description": "How many matches fell below the bar",
                            },
                        },
                    }
                ),
                **_COMMON,
            },
            params=[
                _query("q", {"type": "string"}),
                _query("k", {"type": "integer", "minimum": 1, "maximum": 100}),
                _query("start", {"type": "string", "format": "date"}, "Created on or after"),
                _query("end", {"type": "string", "format": "date"}, "Created on or before"),
                _query(
                    "kind",
                    {"type": "string", "enum": ["audio", "video", "text", "pdf", "unknown"]},
                    many=True,
                ),
                _query("tag", {"type": "string"}, "Recordings with all these tags", many=True),
                _query(
                    "weaker",
                    {"type": "string", "enum": ["false", "true"]},
                    "Also list the matches below the relevance bar (after the relevant ones)",
                ),
                _query(
                    "spoken_by",
                    {"type": "string"},
                    "Passages this speaker said (a person's name or 'Speaker N')",
                ),
            ],
        )
    },
    f"{API}/events": {
        "get": _op(
            "WebSocket of typed events (snapshot of unfinished jobs first); pass ?token=",
            "events",
            {"101": {"description": "Switching to the WebSocket protocol"}, **_COMMON},
            params=[
                _query("job_id", {"type": "string"}, "Only these jobs", many=True),
                _query("ask_id", {"type": "string"}, "Streamed answers to follow", many=True),
                _query("token", {"type": "string"}),
            ],
        )
    },
}

_CT = "Original client (compatibility)"
_COMPAT_ERR = {
    "400": {"description": "Missing or malformed field (plain text or JSON)"},
    "403": _error("Origin or host not allowed"),
    "415": _error("Body is not JSON"),
}


def _compat(
    summary: str,
    responses: Json | None = None,
    *,
    body: Json | None = None,
    params: list[Json] | None = None,
    secure: bool = False,
) -> Json:
    return _op(
        summary,
        _CT,
        {"200": _json({}), **(responses or {})},
        body=body,
        params=params,
        secure=secure,
    )


def _compat_body(**properties: Json) -> Json:
    return _body({"type": "object", "properties": properties})


_S = {"type": "string"}
COMPAT: Json = {
    "/": {
        "get": _compat(
            "The dashboards (redirect) or the static web client",
            {
                "302": {"description": "To the dashboards"},
                "404": {"description": "Neither is configured"},
            },
        ),
        "head": _compat(
            "Headers of the static web client's page (only with --frontend)",
            {"405": {"description": "No web client served"}},
        ),
    },
    "/{path}": {
        "get": _compat(
            "Static web client files (only with --frontend)",
            {"404": {"description": "No such file"}},
            params=[_path_param("path", "A file of the web client")],
        ),
        "head": _compat(
            "Headers of a web client file",
            {"404": {"description": "No such file"}},
            params=[_path_param("path", "A file of the web client")],
        ),
    },
    "/download/{identifier}": {
        "get": _compat(
            "Download an artifact by file id (Range supported)",
            {
                "206": {"description": "A range"},
                "404": {"description": "Unknown"},
                "416": {"description": "Range not satisfiable"},
            },
            params=[_path_param("identifier", "A file UUID")],
        ),
        "head": _compat(
            "Headers of an artifact download",
            {"404": {"description": "Unknown"}},
            params=[_path_param("identifier", "A file UUID")],
        ),
    },
    "/history": {"get": _compat("Active records, newest first (original record shape)")},
    "/tasks": {"get": _compat("Queued and running jobs keyed by task id")},
    "/progress/{task_id}": {
        "get": _compat(
            "Last progress message of a task, or {}", params=[_path_param("task_id", "Task id")]
        )
    },
    "/file_search": {"get": _compat("Filename/tag substring search", params=[_query("q", _S)])},
    "/search": {
        "get": _compat(
            "keywordMatches and similarDocuments",
            {"400": {"description": "Bad date"}},
            params=[_query("q", _S), _query("start", _S), _query("end", _S)],
        )
    },
    "/similar/{identifier}": {
        "get": _compat(
            "Similar documents (older variant)",
            {"404": {"description": "Unknown file"}},
            params=[_path_param("identifier", "A file UUID")],
        )
    },
    "/models": {"get": _compat("Model names and defaults")},
    "/cache/stats": {"get": _compat("Search cache statistics")},
    "/cache/cleanup": {"get": _compat("Nothing to clean: the cache maintains itself")},
    "/upload": {
        "post": _compat(
            "Upload files; an array with one element per file",
            {
                "400": {"description": "No files / bad multipart"},
                "413": _error("Over the size limit"),
                "403": _error("Origin not allowed"),
            },
            body={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "files": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                }
                            },
                        }
                    }
                },
            },
        )
    },
    "/process": {
        "post": _compat(
            "Run steps as a job and wait for it; links download",
            _COMPAT_ERR,
            body=_compat_body(
                file_path=_S,
                steps=_STRING_LIST,
                record_id=_S,
                task_id=_S,
                model_settings=_LOOSE_OBJECT,
            ),
        )
    },
    "/cancel": {"post": _compat("Cancel a task", _COMPAT_ERR, body=_compat_body(task_id=_S))},
    "/shutdown": {
        "post": _compat(
            "Stop the server (needs the token)",
            {"401": _error("Token needed"), **_COMPAT_ERR},
            secure=True,
        )
    },
    "/reset": {
        "post": _compat(
            "Remove every output of a record", _COMPAT_ERR, body=_compat_body(record_id=_S)
        )
    },
    "/update_filename": {
        "post": _compat(
            "Rename a record", _COMPAT_ERR, body=_compat_body(record_id=_S, filename=_S)
        )
    },
    "/incremental_embedding": {
        "post": _compat("Queue indexing of unindexed transcripts", _COMPAT_ERR)
    },
    "/check_existing_stt": {
        "post": _compat("Whether a transcript exists", _COMPAT_ERR, body=_compat_body(file_path=_S))
    },
    "/update_stt_text": {
        "post": _compat(
            "Save an edited transcript",
            _COMPAT_ERR,
            body=_compat_body(file_identifier=_S, content=_S),
        )
    },
    "/reset_summary_embedding": {
        "post": _compat("Remove summary and index", _COMPAT_ERR, body=_compat_body(record_id=_S))
    },
    "/reset_all_tasks": {
        "post": _compat(
            "Reset chosen tasks of every record", _COMPAT_ERR, body=_compat_body(tasks=_STRING_LIST)
        )
    },
    "/similar": {
        "post": _compat(
            "Similar documents",
            {"404": {"description": "Unknown file"}, **_COMPAT_ERR},
            body=_compat_body(file_identifier=_S, refresh={"type": "boolean"}, user_filename=_S),
        )
    },
    "/delete": {
        "post": _compat(
            "Delete one STT or summary file",
            _COMPAT_ERR,
            body=_compat_body(
                file_identifier=_S, file_type={"type": "string", "enum": ["stt", "summary"]}
            ),
        )
    },
    "/delete_records": {
        "post": _compat(
            "Soft-delete records (207 if some failed)",
            {"207": _json({}, "Some failed"), **_COMPAT_ERR},
            body=_compat_body(record_ids=_STRING_LIST),
        )
    },
}

DESCRIPTION = """The RecordRoute API: the native API under /recordroute/api/v1 (token
required: `Authorization: Bearer <token>`), and the routes of the original RecordRoute
client at the root (no token on a loopback bind, except /shutdown).  The original
client's progress WebSocket listens on its own port (8765 by default) and sends
`{"task_id", "message"}` frames."""


def document() -> Json:
    """The whole document (a fresh copy each call)."""
    from .openapi_speakers import PATHS as SPEAKER_PATHS

    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {"title": "RecordRoute", "version": __version__, "description": DESCRIPTION},
            "paths": {**NATIVE, **SPEAKER_PATHS, **TEMPLATE_PATHS, **openapi_ask.PATHS, **COMPAT},
            "components": {
                "schemas": {**SCHEMAS, **openapi_ask.SCHEMAS},
                "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"token": []}],
        }
    )
