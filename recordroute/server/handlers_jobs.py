"""Native API: jobs (submit steps with options, list, get, cancel, retry)."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInputError
from . import serialize
from .base import BaseHandler

STATES = ("queued", "running", "done", "failed", "cancelled")


def _steps(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(
            "'steps' must be a list of step names.", 'Send e.g. {"steps": ["transcribe"]}.'
        )
    return list(value)


class JobsHandler(BaseHandler):
    async def get(self) -> None:
        states = self.get_query_arguments("state")
        unknown = [s for s in states if s not in STATES]
        if unknown:
            raise InvalidInputError(
                f"Unknown job state {unknown[0]!r}.", f"Use some of: {', '.join(STATES)}."
            )
        jobs = await self.call(
            self.ctx.app.jobs.list,
            states=states or None,
            recording_id=self.get_query_argument("recording_id", None) or None,
            limit=self.query_int("limit", 100, 1, 1000),
        )
        self.send_json({"items": [serialize.job(j) for j in jobs]})

    async def post(self) -> None:
        body = self.json_body()
        recording_id = body.get("recording_id")
        options = body.get("options") or {}
        task = body.get("client_task_id") or ""
        if not isinstance(recording_id, str):
            raise InvalidInputError(
                "The body needs 'recording_id' (a string).",
                'Send {"recording_id": "...", "steps": ["keywords"]}.',
            )
        if not isinstance(options, dict):
            raise InvalidInputError("'options' must be an object.", 'Send {"options": {}}.')
        if not isinstance(task, str) or len(task) > 200:
            raise InvalidInputError(
                "'client_task_id' must be a string of at most 200 characters.",
                "Send a short id of your own, or leave it out.",
            )
        job = await self.call(
            self.ctx.app.jobs.submit,
            recording_id,
            _steps(body.get("steps")),
            options,
            client_task_id=task,
        )
        self.ctx.ensure_workers()
        self.send_json(serialize.job(job), 201)


class JobHandler(BaseHandler):
    async def get(self, job_id: str) -> None:
        self.send_json(serialize.job(await self.call(self.ctx.app.jobs.get, job_id)))


class JobCancelHandler(BaseHandler):
    async def post(self, job_id: str) -> None:
        self.send_json(serialize.job(await self.call(self.ctx.app.jobs.cancel, job_id)))


class JobRetryHandler(BaseHandler):
    async def post(self, job_id: str) -> None:
        job = await self.call(self.ctx.app.jobs.retry, job_id)
        self.ctx.ensure_workers()
        self.send_json(serialize.job(job))
