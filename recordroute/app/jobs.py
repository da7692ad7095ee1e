"""Processing: jobs queued in the database, run by workers in any process."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import doorbell
from ..config import Settings
from ..errors import InvalidInputError
from ..events import EventBus
from ..models import Job
from ..pipeline import JobRunner, WorkerPool, plan_steps
from ..storage import Library
from ..storage.jobs import JobRepository, worker_name
from .engines import check_job_options

#: doorbell topics: a job was queued (workers wake), a job changed (the API's hub wakes)
QUEUED = "jobs-queued"
CHANGED = "jobs-changed"


class JobsService:
    def __init__(
        self,
        repo: JobRepository,
        library: Library,
        runner: JobRunner,
        events: EventBus,
        settings: Settings,
        check_options: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._repo = repo
        self._check_options = check_options
        self._library = library
        self._runner = runner
        self._events = events
        self._settings = settings
        self._pool: WorkerPool | None = None

    @property
    def _data_dir(self) -> Path:
        return self._library.layout.root

    def _queued(self) -> None:
        """Wake the workers of this process and of every other process on this folder."""
        if self._pool is not None:
            self._pool.wake()
        doorbell.ring(self._data_dir, QUEUED)
        doorbell.ring(self._data_dir, CHANGED)

    # -- submitting --------------------------------------------------------------
    def submit(
        self,
        recording_id: str,
        steps: Sequence[str] = (),
        options: dict[str, Any] | None = None,
        *,
        client_task_id: str = "",
    ) -> Job:
        """Queue processing of a recording; a worker (or :meth:`run`) runs it.

        ``steps`` are names from :data:`recordroute.pipeline.STEP_ORDER` (or the original's
        ``stt``, ``summary``, ``embedding``); empty means every step. Dependencies are added.
        """
        rec = self._library.get_active(recording_id)
        transcribed = self._library.repo.latest_artifact(rec.id, "transcript", "md") is not None
        planned = plan_steps(list(steps), rec.kind, transcribed=transcribed)
        checked = check_job_options(dict(options or {}))
        if self._check_options is not None:
            self._check_options(checked)
        job = self._repo.submit(rec.id, planned, checked, client_task_id)
        self._events.publish_job("job.queued", job, steps=planned)
        self._queued()
        return job

    def run(self, job_id: str) -> Job:
        """Run one queued job in this thread (notebooks and the command line use this)."""
        job = self._runner.run_next(worker_name("inline"), [job_id])
        return job if job is not None else self.get(job_id)

    def process(
        self, recording_id: str, steps: Sequence[str] = (), options: dict[str, Any] | None = None
    ) -> Job:
        """Submit and run a job here, blocking until it ends; returns the finished job."""
        return self.run(self.submit(recording_id, steps, options).id)

    # -- reading -----------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        return self._repo.get(job_id)

    def list(
        self,
        *,
        states: Sequence[str] | None = None,
        recording_id: str | None = None,
        limit: int = 200,
    ) -> builtins.list[Job]:
        return self._repo.list_jobs(states=states, recording_id=recording_id, limit=limit)

    def changed_since(self, stamp: str) -> builtins.list[Job]:
        """Jobs whose state or progress changed after ``stamp`` (ISO time), oldest change first.

        Jobs may run in other processes (``recordroute worker``); polling this is how a
        server turns their progress into events.
        """
        return self._repo.updated_since(stamp)

    def steps_done(self, job_id: str) -> builtins.list[str]:
        """The steps a job has finished so far (a resumed job skips them)."""
        return self._repo.steps_done(job_id)

    def note(self, job_id: str) -> str:
        """What the steps of a job said along the way (e.g. that a user's edit was kept)."""
        return self._repo.note(job_id)

    def find_for_task(self, task_id: str) -> Job | None:
        """The newest job submitted with this client task id, else the job with this id."""
        job = self._repo.find_by_client_task(task_id)
        if job is not None:
            return job
        try:
            return self._repo.find(task_id)
        except InvalidInputError:
            return None

    def listen(self) -> doorbell.Doorbell:
        """A doorbell rung whenever a job of this data folder changes, in any process."""
        return doorbell.Doorbell(self._data_dir, CHANGED)

    # -- changing ----------------------------------------------------------------
    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job; a running one stops within seconds, in any process."""
        job = self._repo.request_cancel(job_id)
        self._runner.signal_cancel(job_id)
        if job.state == "cancelled":
            self._events.publish_job("job.cancelled", job)
        doorbell.ring(self._data_dir, CHANGED)
        return job

    def retry(self, job_id: str) -> Job:
        """Queue a failed or cancelled job again; steps already done are not repeated."""
        job = self._repo.retry(job_id)
        self._events.publish_job("job.queued", job, steps=list(job.steps))
        self._queued()
        return job

    # -- workers -----------------------------------------------------------------
    def start_workers(self, size: int | None = None) -> WorkerPool:
        """Run queued jobs in background threads of this process until :meth:`stop_workers`."""
        if self._pool is None:
            self._pool = WorkerPool(
                self._runner,
                size or self._settings.workers,
                name=worker_name,
                bell=doorbell.Doorbell(self._data_dir, QUEUED),
            )
            self._pool.start()
        return self._pool

    @property
    def workers_running(self) -> bool:
        """Whether this process runs worker threads (:meth:`start_workers`)."""
        return self._pool is not None

    def stop_workers(self, timeout: float = 30.0) -> None:
        """Stop the workers; jobs they were running are queued again and resume later."""
        if self._pool is not None:
            self._pool.stop(timeout)
            self._pool = None
