"""The OpenAPI description of the summary-template routes (merged into the document)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
API = "/recordroute/api/v1"
_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: Json, description: str = "OK") -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Json:
    return _json(_ERROR, description)


def _param(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


_COMMON = {
    "400": _error("Bad input"),
    "401": _error("Missing or wrong token"),
    "403": _error("Origin or host not allowed"),
    "404": _error("No such template or recording"),
}
_WRITE = {**_COMMON, "415": _error("Body is not JSON")}
_SECTION = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "maxLength": 60},
        "instruction": {"type": "string", "maxLength": 300},
        "cues": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20},
        "source": {"type": "string", "enum": ["topics", "key_points", "cues", "query"]},
    },
}
TEMPLATE: Json = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "builtin": {"type": "boolean"},
        "instructions": {"type": "string"},
        "sections": {"type": "array", "items": _SECTION},
    },
}
_TEMPLATE_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["sections"],
                "properties": {
                    "name": {"type": "string"},
                    "instructions": {"type": "string", "maxLength": 1000},
                    "sections": {
                        "type": "array",
                        "items": _SECTION,
                        "minItems": 1,
                        "maxItems": 8,
                    },
                },
            }
        }
    },
}
_CHOICE_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"template": {"type": ["string", "null"]}},
            }
        }
    },
}
_NAME = _param("name", "A template name (meeting, lecture, interview or a custom one)")


def _op(summary: str, responses: Json, **extra: Any) -> Json:
    return {"summary": summary, "tags": ["summaries"], "responses": responses, **extra}


PATHS: Json = {
    f"{API}/templates": {
        "get": _op(
            "Summary templates (built-in and custom) and the default of each tag",
            {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": TEMPLATE},
                            "tags": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    }
                ),
                **_COMMON,
            },
        )
    },
    f"{API}/templates/{{name}}": {
        "get": _op("A summary template", {"200": _json(TEMPLATE), **_COMMON}, parameters=[_NAME]),
        "put": _op(
            "Create or replace a custom template (sections, instructions, cue words)",
            {"200": _json(TEMPLATE), **_WRITE},
            parameters=[_NAME],
            requestBody=_TEMPLATE_BODY,
        ),
        "delete": _op(
            "Delete a custom template (tags and recordings that used it fall back)",
            {"200": _json({"type": "object"}), **_COMMON},
            parameters=[_NAME],
        ),
    },
    f"{API}/tags/{{tag}}/template": {
        "put": _op(
            "The template recordings with this tag use by default (null: none)",
            {"200": _json({"type": "object"}), **_WRITE},
            parameters=[_param("tag", "A tag")],
            requestBody=_CHOICE_BODY,
        )
    },
    f"{API}/recordings/{{recording_id}}/template": {
        "get": _op(
            "The template the recording's next summary uses",
            {"200": _json({"type": "object"}), **_COMMON},
            parameters=[_param("recording_id", "A recording id (UUID)")],
        ),
        "put": _op(
            "Choose the recording's template (null: use its tag's or the default)",
            {"200": _json({"type": "object"}), **_WRITE},
            parameters=[_param("recording_id", "A recording id (UUID)")],
            requestBody=_CHOICE_BODY,
        ),
    },
}
