"""The OpenAPI paths of the speakers of a recording and of voice profiles."""

from __future__ import annotations

from typing import Any

from .openapi import _BY_ID as BY_ID
from .openapi import _REC_ID as REC_ID
from .openapi import _WRITE as WRITE
from .openapi import API
from .openapi import _body as body
from .openapi import _json as json_response
from .openapi import _op as op
from .openapi import _path_param as path_param

Json = dict[str, Any]

_SPEAKER = {
    "type": "object",
    "required": ["label", "name", "display", "seconds", "suggestion", "score"],
    "properties": {
        "label": {"type": "string", "description": "Speaker 1, Speaker 2, ..."},
        "name": {"type": "string", "description": "the person's name, given or recognised"},
        "display": {"type": "string"},
        "seconds": {"type": "number"},
        "suggestion": {"type": "string", "description": "a known voice it sounds like"},
        "score": {"type": "number", "description": "similarity to that voice"},
    },
}
SPEAKERS: Json = {
    "type": "object",
    "required": ["speakers", "turns"],
    "properties": {
        "engine": {"type": "string"},
        "model": {"type": "string"},
        "speakers": {"type": "array", "items": _SPEAKER},
        "turns": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "start": {"type": "number"},
                    "end": {"type": "number"},
                    "speaker": {"type": "string"},
                },
            },
        },
    },
}
PROFILE: Json = {
    "type": "object",
    "required": ["name", "vectors", "recordings", "seconds"],
    "properties": {
        "name": {"type": "string"},
        "vectors": {"type": "integer"},
        "recordings": {"type": "array", "items": {"type": "string"}},
        "seconds": {"type": "number"},
    },
}


def _strings(*names: str) -> Json:
    return body(
        {
            "type": "object",
            "required": list(names),
            "properties": {n: {"type": "string"} for n in names},
        }
    )


_NAME = path_param("name", "A voice profile's name")
_PROFILE_404 = {**WRITE, "404": json_response({}, "No such profile")}

PATHS: Json = {
    f"{API}/recordings/{{recording_id}}/speakers": {
        "get": op(
            "Who spoke when, and each speaker's name or suggested name",
            "speakers",
            {"200": json_response(SPEAKERS), **BY_ID},
            params=[REC_ID],
        )
    },
    f"{API}/recordings/{{recording_id}}/speakers/rename": {
        "post": op(
            "Name a speaker (an empty name gives back 'Speaker N'); the voice joins the "
            "person's voice profile",
            "speakers",
            {"200": json_response(SPEAKERS), **WRITE},
            params=[REC_ID],
            body=body(
                {
                    "type": "object",
                    "required": ["speaker", "name"],
                    "properties": {"speaker": {"type": "string"}, "name": {"type": "string"}},
                }
            ),
        )
    },
    f"{API}/recordings/{{recording_id}}/speakers/merge": {
        "post": op(
            "Merge two speakers of a recording",
            "speakers",
            {"200": json_response(SPEAKERS), **WRITE},
            params=[REC_ID],
            body=_strings("keep", "drop"),
        )
    },
    f"{API}/recordings/{{recording_id}}/speakers/move": {
        "post": op(
            "Give a stretch of time (a transcript line) to another speaker",
            "speakers",
            {"200": json_response(SPEAKERS), **WRITE},
            params=[REC_ID],
            body=body(
                {
                    "type": "object",
                    "required": ["start", "end", "speaker"],
                    "properties": {
                        "start": {"type": "number"},
                        "end": {"type": "number"},
                        "speaker": {"type": "string"},
                    },
                }
            ),
        )
    },
    f"{API}/voice-profiles": {
        "get": op(
            "The people whose voices are recognised",
            "speakers",
            {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {"profiles": {"type": "array", "items": PROFILE}},
                    }
                ),
                **BY_ID,
            },
        )
    },
    f"{API}/voice-profiles/merge": {
        "post": op(
            "Two profiles of one person become one",
            "speakers",
            {"200": json_response(PROFILE), **_PROFILE_404},
            body=_strings("keep", "drop"),
        )
    },
    f"{API}/voice-profiles/{{name}}": {
        "patch": op(
            "Rename a person (in every recording too)",
            "speakers",
            {"200": json_response(PROFILE), **_PROFILE_404},
            params=[_NAME],
            body=_strings("name"),
        ),
        "delete": op(
            "Forget a person's voice: every stored vector is deleted",
            "speakers",
            {"200": json_response({"type": "object"}), **_PROFILE_404},
            params=[_NAME],
        ),
    },
}
