"""Shared pieces of the original client's routes: its reply shapes and identifiers."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ..errors import AuthError, RecordRouteError
from .base import BaseHandler
from .errors import JsonTooDeepError, MalformedRequestError, redact, status_for

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(rf"^{_UUID}$")
#: a file id as the clients send it: bare, ``/download/<id>``, an absolute link, or an
#: absolute link with ``/download/`` cut out (the desktop renderer strips that part of
#: the link it was given, leaving ``http://127.0.0.1:8080<id>``)
_FILE_ID_RE = re.compile(rf"^(?:https?://[^/\s]+)?(?:/download/)?({_UUID})$")
_UPLOAD_PATH_RE = re.compile(rf"(?:^|/)uploads/({_UUID})(?:/|$)")


class CompatReply(Exception):
    """A reply in the original's own shape (JSON value or plain text) with its status."""

    def __init__(self, status: int, body: Any = None, *, text: str | None = None) -> None:
        super().__init__(text or status)
        self.status = status
        self.body = body
        self.text = text


def file_uuid(identifier: str) -> str | None:
    """A file UUID from ``<uuid>``, ``/download/<uuid>``, ``http://host/download/<uuid>``
    or ``http://host<uuid>``; ``None`` for anything else."""
    match = _FILE_ID_RE.match(identifier.strip().lower())
    return match.group(1) if match else None


def record_from_path(file_path: str) -> str | None:
    """The recording id inside an upload path ``DB/uploads/<id>/<name>`` (or a bare id)."""
    text = file_path.strip().replace("\\", "/")
    if _UUID_RE.match(text):
        return text
    match = _UPLOAD_PATH_RE.search(text)
    return match.group(1) if match else None


def local_iso(moment: datetime | None) -> str | None:
    """Local naive ISO time, as the original wrote timestamps."""
    return None if moment is None else moment.astimezone().replace(tzinfo=None).isoformat()


class CompatHandler(BaseHandler):
    compat = True

    def link_base(self) -> str:
        """What goes before ``/download/<id>`` in links this reply carries: nothing for a
        page this server serves, this server's address for the desktop renderer (a
        ``file://`` page, ``Origin: null``), where a relative link would name a file."""
        if self.request.headers.get("Origin") != "null":
            return ""
        return f"{self.request.protocol}://{self.request.host}"

    def reply(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def body(self, *, allow_empty: bool = False) -> dict[str, Any]:
        """The JSON body; unparseable JSON gets the original's plain-text 400."""
        try:
            return self.json_body(allow_empty=allow_empty)
        except JsonTooDeepError as exc:
            raise CompatReply(400, text=f"Invalid JSON payload: {exc.message} {exc.fix}") from None
        except MalformedRequestError:
            raise CompatReply(400, text="Invalid JSON payload") from None

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], CompatReply):
            status_code = exc_info[1].status
        super().send_error(status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        if isinstance(exc, CompatReply):
            self.set_status(exc.status)
            self._cors()
            if exc.text is not None:
                self.set_header("Content-Type", "text/plain; charset=utf-8")
                self.finish(exc.text.encode("utf-8"))
            elif exc.body is None:
                self.clear_header("Content-Type")
                self.finish()
            else:
                self.reply(exc.body, exc.status)
            return
        if isinstance(exc, AuthError):
            # both clients show ``error`` as text: the refusal and what to do, and the code
            self.set_status(status_for(exc))
            self._cors()
            text = f"{exc.message} {exc.fix}".strip()
            self.reply(
                {"error": redact(text, self.ctx.data_dir), "code": exc.code}, status_for(exc)
            )
            return
        if isinstance(exc, RecordRouteError):
            if exc.code in ("unsupported_media_type", "too_large"):
                super().write_error(status_code, **kwargs)  # new rules keep the native shape
                return
            self.set_status(status_for(exc))
            self._cors()
            self.reply({"error": redact(exc.message, self.ctx.data_dir)}, status_for(exc))
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, CompatReply):
            return
        super().log_exception(typ, value, tb)
