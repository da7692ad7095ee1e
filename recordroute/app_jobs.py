"""Facade methods for processing: jobs, workers, transcript edits, events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .app_library import LibraryFacade
from .events import Event
from .models import Artifact, Job
from .pipeline import WorkerPool, plan_steps
from .storage.jobs import worker_name
from .wiring import (
    check_job_options,
)


class JobsFacade(LibraryFacade):
    # -- jobs --------------------------------------------------------------------
    def submit_job(
        self,
        recording_id: str,
        steps: Sequence[str] = (),
        options: dict[str, Any] | None = None,
        *,
        client_task_id: str = "",
    ) -> Job:
        """Queue processing of a recording; a worker (or :meth:`run_job`) runs it.

        ``steps`` are names from :data:`recordroute.pipeline.STEP_ORDER` (or the original's
        ``stt``, ``summary``, ``embedding``); empty means every step. Dependencies are added.
        """
        rec = self._library._active(recording_id)
        planned = plan_steps(list(steps), rec.kind)
        job = self._jobs.submit(
            rec.id, planned, check_job_options(dict(options or {})), client_task_id
        )
        self.events.publish_job("job.queued", job, steps=planned)
        if self._pool is not None:
            self._pool.wake()
        return job

    def run_job(self, job_id: str) -> Job:
        """Run one queued job in this thread (notebooks and the command line use this)."""
        job = self._runner.run_next(worker_name("inline"), [job_id])
        return job if job is not None else self.get_job(job_id)

    def process(
        self, recording_id: str, steps: Sequence[str] = (), options: dict[str, Any] | None = None
    ) -> Job:
        """Submit and run a job here, blocking until it ends; returns the finished job."""
        return self.run_job(self.submit_job(recording_id, steps, options).id)

    def get_job(self, job_id: str) -> Job:
        return self._jobs.get(job_id)

    def list_jobs(
        self,
        *,
        states: Sequence[str] | None = None,
        recording_id: str | None = None,
        limit: int = 200,
    ) -> list[Job]:
        return self._jobs.list_jobs(states=states, recording_id=recording_id, limit=limit)

    def jobs_changed_since(self, stamp: str) -> list[Job]:
        """Jobs whose state or progress changed after ``stamp`` (ISO time), oldest change first.

        Jobs may run in other processes (``recordroute worker``); polling this is how a
        server turns their progress into events.
        """
        return self._jobs.updated_since(stamp)

    def cancel_job(self, job_id: str) -> Job:
        """Cancel a queued or running job; a running one stops within seconds, in any process."""
        job = self._jobs.request_cancel(job_id)
        self._runner.signal_cancel(job_id)
        if job.state == "cancelled":
            self.events.publish_job("job.cancelled", job)
        return job

    def retry_job(self, job_id: str) -> Job:
        """Queue a failed or cancelled job again; steps already done are not repeated."""
        job = self._jobs.retry(job_id)
        self.events.publish_job("job.queued", job, steps=list(job.steps))
        if self._pool is not None:
            self._pool.wake()
        return job

    def start_workers(self, size: int | None = None) -> WorkerPool:
        """Run queued jobs in background threads of this process until :meth:`stop_workers`."""
        if self._pool is None:
            self._pool = WorkerPool(self._runner, size or self.settings.workers, name=worker_name)
            self._pool.start()
        return self._pool

    def stop_workers(self, timeout: float = 30.0) -> None:
        """Stop the workers; jobs they were running are queued again and resume later."""
        if self._pool is not None:
            self._pool.stop(timeout)
            self._pool = None

    def edit_transcript(self, recording_id: str, text: str) -> Artifact:
        """Save the user's own transcript; later pipeline runs keep it."""
        self._library._active(recording_id)
        return self.save_artifact(recording_id, "transcript", "md", text, edited=True)

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Receive every event of this process; returns a function that unsubscribes."""
        return self.events.subscribe(listener)
