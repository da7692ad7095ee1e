"""WebSockets: the native typed events, and the original client's progress frames.

Native (``/recordroute/api/v1/events``): on connect the client gets
``{"type": "snapshot", "jobs": [...]}`` with every unfinished job (so a reconnecting
client has the current state), then typed events.  It receives everything unless it
subscribes to jobs: ``?job_id=ID`` (repeatable) on the URL, or messages
``{"action": "subscribe", "job_ids": [...]}``, ``{"action": "subscribe", "all": true}``,
``{"action": "unsubscribe", "job_ids": [...]}`` and ``{"action": "snapshot"}``.
Streamed answers (``ask.*`` events) reach a client that names their ``ask_id``
(``?ask_id=ID`` or ``{"action": "subscribe", "ask_ids": [...]}``), or one that takes
everything.

Compatibility (port 8765, any path): exactly ``{"task_id", "message"}`` frames, with the
percentage as ``NN%`` inside the message, broadcast to every client.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..errors import RecordRouteError
from .base import check_access
from .context import ServerContext
from .errors import MalformedRequestError, describe

log = logging.getLogger(__name__)


class _Socket(WebSocketHandler):
    compat = False
    ctx: ServerContext

    def initialize(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._live = False

    async def get(self, *args: Any, **kwargs: Any) -> None:
        try:
            check_access(self, self.ctx, compat=self.compat, public=False, shutdown=False)
            if self.request.headers.get("Upgrade", "").lower() != "websocket":
                raise MalformedRequestError(
                    "This address is a WebSocket; a plain HTTP request cannot read it.",
                    "Connect with a WebSocket client (ws://...), which sends 'Upgrade: websocket'.",
                )
        except RecordRouteError as exc:
            status, body = describe(exc, self.ctx.data_dir)
            self.set_status(status)
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps(body))
            return
        await self.ctx.hub.start()
        await super().get(*args, **kwargs)

    def check_origin(self, origin: str) -> bool:
        return True  # checked in get() with the server's origin policy

    def send_event(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    def send(self, value: dict[str, Any]) -> None:
        if not self._live:
            return
        try:
            self.write_message(json.dumps(value, ensure_ascii=False))
        except WebSocketClosedError:
            self._closed()

    def open(self, *args: str, **kwargs: str) -> None:
        self._live = True
        self.ctx.hub.add(self)

    def on_close(self) -> None:
        self._closed()

    def _closed(self) -> None:
        self._live = False
        self.ctx.hub.discard(self)


class EventsSocket(_Socket):
    """Typed events for the native API."""

    def open(self, *args: str, **kwargs: str) -> None:
        self.jobs: set[str] | None = set(self.get_query_arguments("job_id")) or None
        self.asks: set[str] = set(self.get_query_arguments("ask_id"))
        super().open()
        self.send({"type": "snapshot", "jobs": self._snapshot()})

    def _snapshot(self) -> list[dict[str, Any]]:
        jobs = self.ctx.hub.active_jobs()
        return [j for j in jobs if self.jobs is None or j["id"] in self.jobs]

    def on_message(self, message: str | bytes) -> None:
        try:
            request = json.loads(message)
            action = request.get("action") if isinstance(request, dict) else None
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
            action = None
        if action == "subscribe" and isinstance(request.get("ask_ids"), list):
            self.asks |= {i for i in request["ask_ids"] if isinstance(i, str)}
            if not request.get("job_ids") and not request.get("all"):
                self.send({"type": "subscribed", "ask_ids": sorted(self.asks)})
                return
        if action == "subscribe":
            ids = request.get("job_ids") or []
            if request.get("all"):
                self.jobs = None
            elif isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                self.jobs = (self.jobs or set()) | set(ids)
            else:
                action = None
        elif action == "unsubscribe":
            ids = request.get("job_ids") or []
            if isinstance(ids, list) and self.jobs is not None:
                self.jobs -= {i for i in ids if isinstance(i, str)}
        elif action == "snapshot":
            self.send({"type": "snapshot", "jobs": self._snapshot()})
            return
        if action is None:
            self.send(
                {
                    "type": "error",
                    "error": {
                        "code": "malformed_request",
                        "message": "Messages are JSON objects with an 'action'.",
                        "fix": 'Send {"action": "subscribe", "job_ids": ["..."]} or '
                        '{"action": "snapshot"}.',
                    },
                }
            )
            return
        self.send(
            {"type": "subscribed", "job_ids": None if self.jobs is None else sorted(self.jobs)}
        )

    def send_event(self, event: dict[str, Any]) -> None:
        if event["type"].startswith("ask."):
            # answers go to whoever asked for them, or to a client that takes everything
            wanted = event.get("ask_id") in self.asks or (self.jobs is None and not self.asks)
        else:
            wanted = self.jobs is None or (
                event["type"].startswith("job.") and event.get("job_id") in self.jobs
            )
        if wanted:
            self.send(event)


def progress_message(event: dict[str, Any]) -> str | None:
    """The original client's free-text message for a job event (``NN%`` inside)."""
    kind = event["type"]
    percent = int(event.get("percent") or 0)
    stage = str(event.get("stage") or "").strip()
    if kind == "job.started":
        return "started 0%"
    if kind == "job.progress":
        return f"{stage or 'working'} {percent}%"
    if kind == "job.finished":
        return "done 100%"
    if kind == "job.failed":
        return f"task failed: {event.get('error') or 'unknown error'}"
    if kind == "job.cancelled":
        return "Task was cancelled"
    return None


class CompatSocket(_Socket):
    """The original client's progress socket (``ws://localhost:8765``)."""

    compat = True

    def send_event(self, event: dict[str, Any]) -> None:
        if not event["type"].startswith("job."):
            return
        message = progress_message(event)
        if message is None:
            return
        self.send(
            {"task_id": event.get("client_task_id") or event.get("job_id"), "message": message}
        )

    def on_message(self, message: str | bytes) -> None:
        return  # the original read and ignored anything a client sent
