"""The one table from error codes to HTTP statuses, and the one JSON error shape.

Every native API error is ``{"error": {"code", "message", "fix"}}``.  Messages are
redacted before they leave the server: absolute file-system paths are replaced so a
client never learns where the data folder lives, and unexpected exceptions become a
generic ``internal`` error (the traceback goes to the log only).
"""

from __future__ import annotations

import logging
import re
import secrets
from http import HTTPStatus
from typing import Any

from ..errors import AuthError, InvalidInputError, RecordRouteError

log = logging.getLogger(__name__)


class ForbiddenError(AuthError):
    """The request is authenticated (or needs no token) but is not allowed from where it came."""

    code = "forbidden"


class MalformedRequestError(InvalidInputError):
    """The request body or a parameter cannot be parsed."""

    code = "malformed_request"


class JsonTooDeepError(MalformedRequestError):
    """A JSON body nests deeper than the parser can follow."""


class UnsupportedMediaTypeError(InvalidInputError):
    """The request body has a content type this route does not take."""

    code = "unsupported_media_type"


#: error code -> HTTP status; a subclass without its own entry uses its parent's
STATUS: dict[str, int] = {
    "error": 500,
    "internal": 500,
    "config_invalid": 500,
    "invalid_input": 400,
    "malformed_request": 400,
    "empty_file": 400,
    "unsafe_path": 400,
    "unsupported_file": 415,
    "unsupported_media_type": 415,
    "too_large": 413,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "duplicate": 409,
    "cancelled": 409,
    "unauthorized": 401,
    "forbidden": 403,
    "storage_error": 500,
    "corrupt_data": 500,
    "storage_busy": 503,
    "disk_full": 507,
    "provider_error": 502,
    "provider_unavailable": 503,
    "provider_transient": 503,
    "shutting_down": 503,
}

#: codes used for plain HTTP errors raised by tornado itself (unknown route, bad method...)
HTTP_CODES: dict[int, str] = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    411: "malformed_request",
    413: "too_large",
    415: "unsupported_media_type",
    416: "invalid_input",
    503: "shutting_down",
}

_FIXES: dict[str, str] = {
    "not_found": "Check the URL against /recordroute/api/v1/openapi.json.",
    "method_not_allowed": "Use a method listed for this path in the OpenAPI document.",
    "malformed_request": "Send well-formed HTTP with the documented parameters.",
    "internal": "Look in the server log for the reference shown here, and report it.",
    "too_large": "Send a smaller file or raise RECORDROUTE_MAX_UPLOAD_MB.",
}

# an absolute POSIX path (two or more components) or a Windows drive path
_PATH_RE = re.compile(r"(?<![\w:/.])(?:/[^\s'\"/<>|]+){2,}/?|\b[A-Za-z]:\\[^\s'\"<>|]+")


def status_for(exc: RecordRouteError) -> int:
    """The HTTP status of an error, looked up by code along the class hierarchy."""
    for cls in type(exc).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUS:
            return STATUS[code]
    return 500


def redact(text: str, data_dir: str = "") -> str:
    """Replace the data folder by ``DB`` and any other absolute path by ``<path>``."""
    if data_dir:
        text = text.replace(data_dir.rstrip("/"), "DB")
    return _PATH_RE.sub("<path>", text)


def payload(code: str, message: str, fix: str = "") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fix": fix or _FIXES.get(code, "")}}


def describe(exc: BaseException, data_dir: str = "") -> tuple[int, dict[str, Any]]:
    """Status and JSON body for any exception; unexpected ones are logged with a reference."""
    if isinstance(exc, RecordRouteError):
        return status_for(exc), payload(
            exc.code, redact(exc.message, data_dir), redact(exc.fix, data_dir)
        )
    ref = secrets.token_hex(4)
    log.error(
        "internal error %s: %s",
        ref,
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return 500, payload("internal", f"The server failed unexpectedly (reference {ref}).")


def http_payload(status: int, reason: str = "") -> dict[str, Any]:
    """The JSON body for a plain HTTP error raised outside a handler's own logic."""
    code = HTTP_CODES.get(status, "internal" if status >= 500 else "malformed_request")
    try:
        default = HTTPStatus(status).phrase
    except ValueError:
        default = "Error"
    return payload(code, reason or default)
