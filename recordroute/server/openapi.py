"""The OpenAPI 3.1 document, generated: operations from the table in
:mod:`recordroute.server.operations`, schemas from the pydantic models that also build
the replies and parse the requests.

``tests/test_server_units.py`` checks that every route the application registers is
described (and nothing else); ``tests/test_server_fuzz.py`` fuzzes the live server and
checks status codes, content types and bodies against this document.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import __version__
from .schemas import API

Json = dict[str, Any]

#: reply bodies that are not JSON models
TEXT = "text/plain"
HTML = "text/html"
FILE = "file"
#: any JSON object (the OpenAPI document itself)
OBJECT = "object"
#: any JSON value (a .json file that is downloaded)
JSON = "json"


@dataclasses.dataclass(frozen=True)
class Body:
    """What one reply status carries: a description and a model, a union of models,
    plain text, a file or nothing."""

    description: str
    content: type[BaseModel] | tuple[type[BaseModel], ...] | str | None = None
    #: the same status may also carry these (e.g. plain text or JSON, as the original)
    also: tuple[type[BaseModel] | str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    replies: Mapping[int, Body]
    query: type[BaseModel] | None = None
    #: a JSON body model, ``"multipart"`` for uploads or ``"octet-stream"`` for raw bytes
    body: type[BaseModel] | str | None = None
    #: ``token``: needs the token; ``none``: never; ``loopback``: only on a network bind
    security: str = "token"


UUID_SCHEMA: Json = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
PATH_PARAMETERS: dict[str, Json] = {
    "recording_id": {"description": "A recording id", "schema": UUID_SCHEMA},
    "job_id": {"description": "A job id", "schema": UUID_SCHEMA},
    "artifact_id": {
        "description": "A file id (original RecordRoute file UUIDs work too)",
        "schema": UUID_SCHEMA,
    },
    "identifier": {"description": "A file id (UUID)", "schema": {"type": "string"}},
    "upload_id": {"description": "An upload id from POST uploads/sessions", "schema": UUID_SCHEMA},
    "conversation_id": {"description": "A conversation id", "schema": UUID_SCHEMA},
    "name": {
        "description": "A template name, or a person's name (voice profiles)",
        "schema": {"type": "string", "minLength": 1},
    },
    "tag": {"description": "A tag", "schema": {"type": "string", "minLength": 1}},
    "task_id": {"description": "The client's task id", "schema": {"type": "string"}},
    "path": {"description": "A file of the web client", "schema": {"type": "string"}},
}

DESCRIPTION = """The RecordRoute API: the native API under /recordroute/api/v1 (token
required: `Authorization: Bearer <token>`), and the routes of the original RecordRoute
client at the root (no token on a loopback bind, except /shutdown).  The original
client's progress WebSocket listens on its own port (8765 by default) and sends
`{"task_id", "message"}` frames."""


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _models(operations: list[Operation]) -> tuple[list[type[BaseModel]], list[type[BaseModel]]]:
    """(reply models, body models) named in the table, each once, in table order."""
    replies: dict[str, type[BaseModel]] = {}
    bodies: dict[str, type[BaseModel]] = {}
    for op in operations:
        for body in op.replies.values():
            content = body.content if isinstance(body.content, tuple) else (body.content,)
            for item in (*content, *body.also):
                if isinstance(item, type):
                    replies[item.__name__] = item
        if isinstance(op.body, type):
            bodies[op.body.__name__] = op.body
    return list(replies.values()), list(bodies.values())


def _schemas(operations: list[Operation]) -> Json:
    replies, bodies = _models(operations)
    pairs = [(m, "serialization") for m in replies] + [(m, "validation") for m in bodies]
    _, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    return dict(sorted(top.get("$defs", {}).items()))


def _media(item: type[BaseModel] | str) -> tuple[str, Json]:
    if isinstance(item, type):
        return "application/json", {"schema": _ref(item.__name__)}
    if item == FILE:
        return "*/*", {"schema": {"type": "string", "format": "binary"}}
    if item == OBJECT:
        return "application/json", {"schema": {"type": "object"}}
    if item == JSON:
        return "application/json", {"schema": {}}
    return item, {"schema": {"type": "string"}}


def _reply(body: Body) -> Json:
    reply: Json = {"description": body.description}
    content: Json = {}
    if isinstance(body.content, tuple):
        content["application/json"] = {
            "schema": {"anyOf": [_ref(m.__name__) for m in body.content]}
        }
    elif body.content is not None:
        kind, media = _media(body.content)
        content[kind] = media
    for item in body.also:
        kind, media = _media(item)
        if kind in content:  # two shapes under one media type
            first = content[kind]["schema"]
            options = first.get("anyOf", [first])
            content[kind] = {"schema": {"anyOf": [*options, media["schema"]]}}
        else:
            content[kind] = media
    if content:
        reply["content"] = content
    return reply


def _query_parameters(model: type[BaseModel]) -> list[Json]:
    schema = model.model_json_schema(mode="validation")
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "description")}
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if options:
            prop = {**prop, **options[0]} if len(options) == 1 else {**prop, "anyOf": options}
        if prop.get("default") is None:
            prop.pop("default", None)
        field = model.model_fields[name]
        param: Json = {"name": name, "in": "query", "required": field.is_required()}
        param["schema"] = prop
        if field.description:
            param["description"] = field.description
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        params.append(param)
    return params


def _operation(op: Operation) -> Json:
    out: Json = {"summary": op.summary, "tags": [op.tag], "operationId": _operation_id(op)}
    params = [
        {"name": name, "in": "path", "required": True, **copy.deepcopy(PATH_PARAMETERS[name])}
        for name in re.findall(r"\{(\w+)\}", op.path)
    ]
    if op.query is not None:
        params += _query_parameters(op.query)
    if params:
        out["parameters"] = params
    if op.body == "multipart":
        files = {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1}
        form = {"type": "object", "required": ["files"], "properties": {"files": files}}
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
    elif op.body == "octet-stream":
        binary = {"type": "string", "format": "binary"}
        out["requestBody"] = {
            "required": True,
            "content": {"application/octet-stream": {"schema": binary}},
        }
    elif isinstance(op.body, type):
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body.__name__)}},
        }
    out["responses"] = {str(status): _reply(body) for status, body in sorted(op.replies.items())}
    if op.security == "none":
        out["security"] = []
    elif op.security == "loopback":
        out["security"] = [{}, {"token": []}]
    return out


def _operation_id(op: Operation) -> str:
    native = op.path.startswith(API)
    words = re.sub(r"[{}.]", "", op.path.removeprefix(API)).strip("/").replace("/", "_")
    return f"{op.method.lower()}_{'' if native else 'original_'}{words or 'root'}"


@functools.cache
def _document() -> Json:
    from .operations_original import OPERATIONS

    paths: Json = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "RecordRoute", "version": __version__, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": _schemas(list(OPERATIONS)),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }


def document() -> Json:
    """The whole document (a fresh copy each call; built once per process)."""
    return copy.deepcopy(_document())
