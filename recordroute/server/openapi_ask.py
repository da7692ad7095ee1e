"""The OpenAPI description of the ask and conversation routes (merged by :mod:`.openapi`)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
API = "/recordroute/api/v1"

_ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_COMMON = {
    "400": {"description": "Bad input", **_ERR},
    "401": {"description": "Missing or wrong token", **_ERR},
    "403": {"description": "Origin or host not allowed", **_ERR},
}
_BY_ID = {**_COMMON, "404": {"description": "No such conversation", **_ERR}}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_NULLABLE = {"type": ["string", "null"]}
CITATION: Json = {
    "type": "object",
    "properties": {
        "recording_id": {"type": "string"},
        "name": {"type": "string"},
        "source": {"type": "string", "enum": ["transcript", "summary", "document"]},
        "start_s": {"type": ["number", "null"]},
        "end_s": {"type": ["number", "null"]},
        "paragraph": {"type": ["integer", "null"]},
        "label": {"type": "string", "description": "[recording, HH:MM:SS] (documents: ¶N)"},
    },
}
SENTENCE: Json = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "support": {"type": "number", "description": "grounding support, 0..1"},
        "citation": {"$ref": "#/components/schemas/Citation"},
    },
}
ANSWER: Json = {
    "type": "object",
    "properties": {
        "question": {"type": "string"},
        "mode": {"type": "string", "enum": ["extractive", "written", "not_found"]},
        "found": {"type": "boolean"},
        "text": {"type": "string", "description": "the answer with a citation per sentence"},
        "lead": {"oneOf": [{"$ref": "#/components/schemas/AnswerSentence"}, {"type": "null"}]},
        "sentences": {"type": "array", "items": {"$ref": "#/components/schemas/AnswerSentence"}},
        "groups": {"type": "array", "items": {"type": "object"}},
        "dropped": {"type": "integer"},
        "model": {"type": "string"},
        "note": {"type": "string", "description": "the mode, in plain words"},
        "conversation_id": _NULLABLE,
    },
}
SCHEMAS: Json = {"Citation": CITATION, "AnswerSentence": SENTENCE, "Answer": ANSWER}
_CONVERSATION: Json = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "recording_id": _NULLABLE,
        "filters": {"type": "object", "additionalProperties": True},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "turn_count": {"type": "integer"},
        "turns": {"type": "array", "items": {"type": "object"}},
    },
}
_ID = {
    "name": "conversation_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "A conversation id (UUID)",
}


def _json(schema: Json, description: str = "OK") -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: Json = {
    f"{API}/ask": {
        "post": {
            "summary": "Ask the archive; every sentence of the answer cites [recording, HH:MM:SS]",
            "description": "With stream=true the answer arrives over the events WebSocket as "
            "ask.started, ask.passages, ask.token, ask.sentence and ask.finished (or "
            "ask.failed) events carrying ask_id; connect with ?ask_id= first and send the "
            "same ask_id here to miss none.",
            "tags": ["ask"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["question"],
                            "properties": {
                                "question": {"type": "string", "maxLength": 2000},
                                "conversation_id": _NULLABLE,
                                "recording_id": _NULLABLE,
                                "start": {"type": "string", "format": "date"},
                                "end": {"type": "string", "format": "date"},
                                "tags": _STRINGS,
                                "kinds": _STRINGS,
                                "speakers": {
                                    **_STRINGS,
                                    "description": "not available yet: refused with 400",
                                },
                                "mode": {
                                    "type": "string",
                                    "enum": ["auto", "extractive", "written"],
                                },
                                "save": {"type": "boolean"},
                                "stream": {"type": "boolean"},
                                "ask_id": {"type": "string", "format": "uuid"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json({"$ref": "#/components/schemas/Answer"}),
                "202": _json(
                    {
                        "type": "object",
                        "properties": {
                            "ask_id": {"type": "string"},
                            "state": {"type": "string"},
                            "events": {"type": "string"},
                        },
                    },
                    "Streaming over the events WebSocket",
                ),
                **_COMMON,
                "404": {"description": "No such recording or conversation", **_ERR},
            },
        }
    },
    f"{API}/conversations": {
        "get": {
            "summary": "Saved conversations, most recent first",
            "tags": ["ask"],
            "parameters": [
                {"name": "recording_id", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                },
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _CONVERSATION}},
                    }
                ),
                **_COMMON,
            },
        }
    },
    f"{API}/conversations/{{conversation_id}}": {
        "get": {
            "summary": "A conversation with its questions and answers",
            "tags": ["ask"],
            "parameters": [_ID],
            "responses": {"200": _json(_CONVERSATION), **_BY_ID},
        },
        "delete": {
            "summary": "Delete a conversation",
            "tags": ["ask"],
            "parameters": [_ID],
            "responses": {
                "200": _json({"type": "object", "properties": {"deleted": {"type": "string"}}}),
                **_BY_ID,
            },
        },
    },
}
