"""Requests read through the models of :mod:`recordroute.server.schemas`, with errors that
name the bad value and say what to send instead."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any, TypeVar, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError

from ..errors import InvalidInputError
from ..errors import echo as shown
from .errors import JsonTooDeepError, MalformedRequestError

M = TypeVar("M", bound=BaseModel)


def nfc(value: Any) -> Any:
    """Every string in a parsed JSON value (keys too) in Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def load_json(body: bytes) -> Any:
    """A request body as JSON; malformed, too deeply nested or not UTF-8: a clear 400."""
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise JsonTooDeepError(
            "The JSON body is nested too deeply to read.",
            "Send a flat JSON object (the API's bodies nest at most a few levels).",
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedRequestError(
            f"The body is not valid JSON ({exc}).", "Send one JSON object."
        ) from None


def _bounds(model: type[BaseModel], name: str) -> str:
    low = high = None
    for item in model.model_fields[name].metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    if low is not None and high is not None:
        return f"Use a whole number from {low} to {high}."
    return "Use a whole number."


def _example(model: type[BaseModel], name: str) -> str:
    annotation = model.model_fields[name].annotation
    origin = get_origin(annotation) or annotation
    if origin is list:
        return '["..."]'
    if origin is dict:
        return "{}"
    return '"..."'


def _model_at(model: type[BaseModel], path: list[str]) -> type[BaseModel] | None:
    """The model a location inside ``model`` points into (for nested objects)."""
    current: type[BaseModel] = model
    for name in path:
        field = current.model_fields.get(name)
        if field is None:
            return None
        inner = [a for a in (field.annotation, *getattr(field.annotation, "__args__", ()))]
        found = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not found:
            return None
        current = found[0]
    return current


def explain(exc: ValidationError, model: type[BaseModel], where: str) -> InvalidInputError:
    """The first problem of a validation error as the API's error (``where``: query/body)."""
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    name = loc[0] if loc else "?"
    field = f"Query parameter {name!r}" if where == "query" else f"The body's field {name!r}"
    if len(loc) > 1:
        field += f" (at {'.'.join(loc[1:])})"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = shown(error.get("input"))
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        known = ", ".join(owner.model_fields) if owner is not None else ""
        return InvalidInputError(
            f"The body has an unknown name {shown(loc[-1])} in {'.'.join(loc[:-1]) or 'it'}.",
            f"Use some of: {known}." if known else "Leave it out.",
        )
    if kind == "missing":
        return InvalidInputError(
            f"The body needs {name!r}.", f'Send {{"{name}": {_example(model, name)}}}.'
        )
    if kind == "literal_error":
        return InvalidInputError(
            f"{field} is {value}, which is not allowed.", f"Use {ctx['expected']}."
        )
    if kind.startswith("int_") or kind in ("greater_than_equal", "less_than_equal"):
        return InvalidInputError(
            f"{field} is {value}, not a whole number in range.", _bounds(model, name)
        )
    if kind == "string_pattern_mismatch" and "[0-9a-f]{8}" in str(ctx.get("pattern")):
        return InvalidInputError(
            f"{field} is {value}, which is not a valid id.",
            "Use an id the API gave you (a UUID such as 3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192).",
        )
    if kind == "string_pattern_mismatch":
        return InvalidInputError(f"{field} is {value}; it must not be empty.", "Send a value.")
    if kind == "value_error":  # our own validators say "what is wrong | what to do"
        reason, _, fix = str(ctx.get("error") or error["msg"]).partition(" | ")
        return InvalidInputError(f"{field} is {value}, {reason}.", fix or "Send a valid value.")
    if kind == "string_too_long":
        return InvalidInputError(
            f"{field} is longer than {ctx.get('max_length')} characters.",
            "Send a shorter value.",
        )
    wanted = {
        "string_type": "a string",
        "list_type": "a list",
        "dict_type": "an object",
        "bool_parsing": "true or false",
        "bool_type": "true or false",
    }.get(kind, "a valid value")
    return InvalidInputError(
        f"{field} is {value}; it must be {wanted}.",
        f"See this route in the API's OpenAPI document ({error['msg']}).",
    )


def parse_query(model: type[M], arguments: Mapping[str, list[str]]) -> M:
    """Query arguments (already decoded, in NFC) as ``model``."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        given = [nfc(v.strip()) for v in arguments.get(name, ())]
        if not given:
            continue
        many = get_origin(field.annotation) is list
        values[name] = given if many else given[0]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise explain(exc, model, "query") from None


def parse_body(model: type[M], value: Any) -> M:
    """A parsed JSON body as ``model`` (strings in NFC)."""
    try:
        return model.model_validate(nfc(value))
    except ValidationError as exc:
        raise explain(exc, model, "body") from None
