"""Native API: jobs (submit steps with options, list, get, cancel, retry)."""

from __future__ import annotations

from .base import BaseHandler
from .request_models import JobRequest, JobsQuery
from .schemas import JobList, JobOut


class JobsHandler(BaseHandler):
    async def get(self) -> None:
        query = self.query_model(JobsQuery)
        jobs = await self.call(
            self.ctx.app.jobs.list,
            states=query.state or None,
            recording_id=query.recording_id,
            limit=query.limit,
        )
        self.send_model(JobList(items=[JobOut.of(j) for j in jobs]))

    async def post(self) -> None:
        body = self.body_model(JobRequest)
        job = await self.call(
            self.ctx.app.jobs.submit,
            body.recording_id,
            list(body.steps or []),
            body.options.model_dump(exclude_none=True) if body.options else {},
            client_task_id=body.client_task_id,
        )
        self.ctx.ensure_workers()
        self.send_model(JobOut.of(job), 201)


class JobHandler(BaseHandler):
    async def get(self, job_id: str) -> None:
        self.send_model(JobOut.of(await self.call(self.ctx.app.jobs.get, job_id)))


class JobCancelHandler(BaseHandler):
    async def post(self, job_id: str) -> None:
        self.send_model(JobOut.of(await self.call(self.ctx.app.jobs.cancel, job_id)))


class JobRetryHandler(BaseHandler):
    async def post(self, job_id: str) -> None:
        job = await self.call(self.ctx.app.jobs.retry, job_id)
        self.ctx.ensure_workers()
        self.send_model(JobOut.of(job))
