"""OpenAPI description of the resumable-upload and media routes, merged into the document.

Kept apart from :mod:`recordroute.server.openapi` while that module is being replaced by
generated schemas; :func:`document` is the whole document the server serves.
"""

from __future__ import annotations

from typing import Any

from . import openapi
from .openapi import API

Json = dict[str, Any]


def _error(description: str) -> Json:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: Json, description: str = "OK") -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


_UPLOAD_ID: Json = {
    "name": "upload_id",
    "in": "path",
    "required": True,
    "description": "An upload id (UUID) from POST uploads/sessions",
    "schema": {"type": "string"},
}
_ARTIFACT_ID: Json = {
    "name": "artifact_id",
    "in": "path",
    "required": True,
    "description": "An artifact id (UUID)",
    "schema": {"type": "string"},
}
_COMMON = {
    "400": _error("Bad input"),
    "401": _error("Missing or wrong token"),
    "403": _error("Origin or host not allowed"),
}
_BY_ID = {**_COMMON, "404": _error("No such upload, or it expired")}
_NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: Json = {
    "UploadSession": {
        "type": "object",
        "required": ["id", "file_name", "size_bytes", "received_bytes", "state"],
        "properties": {
            "id": {"type": "string"},
            "file_name": {"type": "string"},
            "size_bytes": {"type": "integer"},
            "received_bytes": {
                "type": "integer",
                "description": "Bytes the server holds: the next piece starts here",
            },
            "state": {"type": "string", "enum": ["open", "committing", "finished"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "steps": {"type": ["array", "null"], "items": {"type": "string"}},
            "options": {"type": "object", "additionalProperties": True},
            "recording_id": _NULLABLE_STRING,
            "job_id": _NULLABLE_STRING,
            "duplicate_of": _NULLABLE_STRING,
            "created_at": {"type": "string"},
            "updated_at": {"type": "string"},
            "chunk_bytes": {"type": "integer", "description": "Suggested piece size"},
            "max_chunk_bytes": {"type": "integer", "description": "Largest piece accepted"},
        },
    },
    "UploadStart": {
        "type": "object",
        "required": ["file_name", "size"],
        "properties": {
            "file_name": {"type": "string"},
            "size": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
            "steps": {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "description": "Steps to queue when the upload ends; null queues nothing",
            },
            "options": {"type": "object", "additionalProperties": True},
        },
    },
    "UploadFinished": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["created"]},
            "session": _ref("UploadSession"),
            "recording": _ref("Recording"),
            "job": {"oneOf": [_ref("Job"), {"type": "null"}]},
        },
    },
    "UploadProgress": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "received_bytes": {"type": "integer"},
            "size_bytes": {"type": "integer"},
            "state": {"type": "string"},
        },
    },
}

PATHS: Json = {
    f"{API}/uploads/sessions": {
        "post": {
            "summary": "Start a resumable upload (type, size limit and free disk checked now)",
            "tags": ["uploads"],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("UploadStart")}},
            },
            "responses": {
                "201": _json(_ref("UploadSession"), "Upload opened"),
                "413": _error("Over the size limit"),
                "415": _error("Unsupported file type or body not JSON"),
                "507": _error("Not enough free disk"),
                **_COMMON,
            },
        }
    },
    f"{API}/uploads/sessions/{{upload_id}}": {
        "get": {
            "summary": "Where an upload stands (resume from received_bytes)",
            "tags": ["uploads"],
            "parameters": [_UPLOAD_ID],
            "responses": {"200": _json(_ref("UploadSession")), **_BY_ID},
        },
        "delete": {
            "summary": "Cancel an upload and remove what arrived",
            "tags": ["uploads"],
            "parameters": [_UPLOAD_ID],
            "responses": {
                "204": {"description": "Cancelled"},
                "409": _error("Already finished"),
                **_BY_ID,
            },
        },
    },
    f"{API}/uploads/sessions/{{upload_id}}/chunks": {
        "post": {
            "summary": "Append the body at byte ?offset= (a piece cut off keeps what arrived)",
            "tags": ["uploads"],
            "parameters": [
                _UPLOAD_ID,
                {
                    "name": "offset",
                    "in": "query",
                    "required": True,
                    "description": "The byte this piece starts at (must equal received_bytes)",
                    "schema": {"type": "integer", "minimum": 0},
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
            "responses": {
                "200": _json(_ref("UploadProgress"), "Piece stored"),
                "409": _error("Offset is not where the server's copy ends, or upload ended"),
                "413": _error("Piece larger than max_chunk_bytes"),
                "507": _error("Not enough free disk"),
                **_BY_ID,
            },
        }
    },
    f"{API}/uploads/sessions/{{upload_id}}/finish": {
        "post": {
            "summary": "Store the complete upload as a recording and queue its steps",
            "tags": ["uploads"],
            "parameters": [_UPLOAD_ID],
            "responses": {
                "201": _json(_ref("UploadFinished"), "Recording created"),
                "409": _error("Incomplete, or the same content is already a recording"),
                **_BY_ID,
            },
        }
    },
    f"{API}/media/{{artifact_id}}": {
        op: {
            "summary": "Stream one artifact for a player (Range supported)",
            "tags": ["artifacts"],
            "parameters": [
                _ARTIFACT_ID,
                {"name": "exp", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "sig", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "security": [],
            "responses": {
                "200": {"description": "The file"},
                "206": {"description": "The requested range"},
                "416": _error("Range not satisfiable"),
                "404": _error("No such artifact"),
                **_COMMON,
            },
        }
        for op in ("get", "head")
    },
}


def document() -> Json:
    """The whole OpenAPI document: the core routes plus these."""
    doc = openapi.document()
    doc["paths"].update(PATHS)
    doc["components"]["schemas"].update(SCHEMAS)
    return doc
