"""Events for WebSocket clients, from this process and from worker processes.

Jobs run in other processes (``recordroute worker``), so their progress reaches the
server through the store: whenever a job changes, its process rings the jobs doorbell
(:meth:`JobsService.listen`), and the hub reads the jobs changed since its last look
(it also looks every second in case a ring was lost) and turns each change into typed
events (``job.queued``,
``job.started``, ``job.progress``, ``job.finished``, ``job.failed``,
``job.cancelled``).  Events published in this process by the facade
(``recording.*``) are forwarded as they happen.  The hub also keeps the current
state of unfinished jobs, which a (re)connecting client receives first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tornado.ioloop import PeriodicCallback

from ..app import RecordRoute
from ..doorbell import Doorbell
from ..events import Event
from ..models import Job
from .schemas import TERMINAL_STATES, JobOut

log = logging.getLogger(__name__)

#: rows changed this long before the newest one seen are read again (late commits)
OVERLAP = timedelta(seconds=3)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATE_EVENTS = {
    "queued": "job.queued",
    "running": "job.started",
    "done": "job.finished",
    "failed": "job.failed",
    "cancelled": "job.cancelled",
}


class Listener(Protocol):
    def send_event(self, event: dict[str, Any]) -> None: ...


def job_event(kind: str, job: Job) -> dict[str, Any]:
    return {
        "type": kind,
        "time": datetime.now(UTC).timestamp(),
        "job_id": job.id,
        "recording_id": job.recording_id,
        "client_task_id": job.client_task_id,
        "state": job.state,
        "stage": job.stage,
        "percent": job.percent,
        "eta_s": job.eta_s,
        "error": job.error,
        "steps": list(job.steps),
    }


class EventHub:
    def __init__(self, app: RecordRoute, executor: Executor, poll_s: float = 1.0) -> None:
        self.app = app
        self.executor = executor
        self.poll_s = poll_s
        self._listeners: set[Listener] = set()
        self._seen: dict[str, Job] = {}
        self._newest = ""
        self._waiters: dict[str, list[asyncio.Future[Job]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: PeriodicCallback | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._polling = False
        self._again = False
        self._started: asyncio.Future[None] | None = None
        self._bell: Doorbell | None = None
        self._bell_thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Load the unfinished jobs (no events for them) and begin polling; idempotent."""
        if self._started is not None:
            await asyncio.shield(self._started)
            return
        self._loop = asyncio.get_running_loop()
        self._started = self._loop.create_future()
        try:
            stamp = datetime.now(UTC).isoformat(timespec="microseconds")
            since = (datetime.fromisoformat(stamp) - OVERLAP).isoformat(timespec="microseconds")
            active = await self._run(self.app.jobs.list, states=("queued", "running"))
            recent = await self._run(self.app.jobs.changed_since, since)
            for job in [*active, *recent]:
                self._seen[job.id] = job
            self._newest = stamp
            self._unsubscribe = self.app.events.subscribe(self._from_any_thread)
            self._timer = PeriodicCallback(self._tick, self.poll_s * 1000)
            self._timer.start()
            self._bell = self.app.jobs.listen()
            self._bell_thread = threading.Thread(
                target=self._listen, args=(self._bell,), name="recordroute-hub-bell", daemon=True
            )
            self._bell_thread.start()
        finally:
            self._started.set_result(None)

    def _listen(self, bell: Doorbell) -> None:
        """A thread that turns each ring of the jobs doorbell into a look at the store."""
        while self._bell is bell:
            if bell.wait(self.poll_s) and self._loop is not None:
                with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                    self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._tick()))

    def stop(self) -> None:
        bell, self._bell = self._bell, None
        if bell is not None:
            bell.nudge()  # the listening thread sees it was replaced and ends
        if self._bell_thread is not None:
            self._bell_thread.join(5)
            self._bell_thread = None
        if bell is not None:
            bell.close()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for waiters in self._waiters.values():
            for fut in waiters:
                fut.cancel()
        self._waiters.clear()

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    # -- listeners -------------------------------------------------------------------
    def add(self, listener: Listener) -> None:
        self._listeners.add(listener)

    def discard(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    def close_all(self) -> None:
        """Close every listening socket (server shutdown)."""
        for listener in list(self._listeners):
            close = getattr(listener, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close(1001, "server shutting down")
        self._listeners.clear()

    def active_jobs(self) -> list[dict[str, Any]]:
        """Unfinished jobs as last seen, oldest first (what a reconnecting client gets)."""
        jobs = [j for j in self._seen.values() if j.state in ("queued", "running")]
        return [JobOut.of(j).to_json() for j in sorted(jobs, key=lambda j: (j.created_at, j.id))]

    def publish(self, event: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                listener.send_event(event)
            except Exception:
                log.exception("event listener %r failed", listener)

    def _from_any_thread(self, event: Event) -> None:
        if self._loop is None:
            return
        if event.type.startswith(("recording.", "ask.")):
            handler: Callable[[dict[str, Any]], None] = self.publish
        elif event.type == "job.queued":
            handler = self._queued_here  # so "queued" comes first even if a worker is fast
        else:
            return  # other job events come from the store, whichever process runs the job
        with contextlib.suppress(RuntimeError):  # loop closed during shutdown
            self._loop.call_soon_threadsafe(handler, event.to_dict())

    def _queued_here(self, data: dict[str, Any]) -> None:
        """A job queued by this process: announce it now, and remember it as queued."""
        job_id = str(data.get("job_id", ""))
        if not job_id:
            return
        before = self._seen.get(job_id)
        if before is not None and before.state == "queued":
            return  # polling got there first
        now = datetime.now(UTC)
        placeholder = Job(
            id=job_id,
            recording_id=str(data.get("recording_id", "")),
            steps=tuple(data.get("steps") or ()),
            options={},
            state="queued",
            stage="",
            percent=0.0,
            created_at=before.created_at if before is not None else now,
            updated_at=before.updated_at if before is not None else _EPOCH,
            client_task_id=str(data.get("client_task_id", "")),
        )
        self._seen[job_id] = placeholder
        self.publish(job_event("job.queued", placeholder))

    # -- polling ---------------------------------------------------------------------
    async def _tick(self) -> None:
        if self._polling:
            self._again = True  # a ring came during a look: look once more after it
            return
        self._polling = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self.poll()
        except Exception:
            log.exception("polling jobs failed")
        finally:
            self._polling = False

    async def poll(self) -> None:
        """Read jobs changed since the last poll and publish their events."""
        since = (datetime.fromisoformat(self._newest) - OVERLAP).isoformat(timespec="microseconds")
        changed: list[Job] = await self._run(self.app.jobs.changed_since, since)
        for job in changed:
            self.observe(job)

    def observe(self, job: Job) -> None:
        """Compare a job with what was last seen and publish what changed."""
        stamp = job.updated_at.isoformat(timespec="microseconds")
        self._newest = max(self._newest, stamp)
        before = self._seen.get(job.id)
        if before is not None and before.updated_at >= job.updated_at:
            return
        self._seen[job.id] = job
        for kind in self._transitions(before, job):
            self.publish(job_event(kind, job))
        if job.state in TERMINAL_STATES:
            self.publish(
                {
                    "type": "recording.changed",
                    "time": datetime.now(UTC).timestamp(),
                    "recording_id": job.recording_id,
                    "fields": ["artifacts"],
                    "job_id": job.id,
                }
            )
            for fut in self._waiters.pop(job.id, []):
                if not fut.done():
                    fut.set_result(job)
        self._forget_old()

    @staticmethod
    def _transitions(before: Job | None, job: Job) -> list[str]:
        """Event types for a change, in order: started, progress, then the new state."""
        old = before.state if before is not None else None
        moved = job.state != old
        changed = before is None or (job.percent, job.stage, job.eta_s) != (
            before.percent,
            before.stage,
            before.eta_s,
        )
        kinds: list[str] = []
        if moved and job.state != "queued" and old != "running" and job.started_at is not None:
            kinds.append("job.started")  # also when it ran entirely between two polls
        if job.state != "queued" and changed and (job.percent or job.stage):
            kinds.append("job.progress")
        if moved and job.state != "running":
            kinds.append(_STATE_EVENTS[job.state])
        return kinds

    def _forget_old(self, keep: int = 2000) -> None:
        if len(self._seen) <= keep:
            return
        finished = sorted(
            (j for j in self._seen.values() if j.state in TERMINAL_STATES),
            key=lambda j: j.updated_at,
        )
        for job in finished[: len(self._seen) - keep]:
            del self._seen[job.id]

    # -- waiting -------------------------------------------------------------------
    async def wait_finished(self, job_id: str, check_every_s: float = 5.0) -> Job:
        """Wait until a job is done, failed or cancelled (the compatibility ``/process``)."""
        assert self._loop is not None, "start() the hub first"
        while True:
            job: Job = await self._run(self.app.jobs.get, job_id)
            if job.state in TERMINAL_STATES:
                return job
            fut: asyncio.Future[Job] = self._loop.create_future()
            self._waiters.setdefault(job_id, []).append(fut)
            try:
                return await asyncio.wait_for(asyncio.shield(fut), check_every_s)
            except TimeoutError:
                continue
            finally:
                waiters = self._waiters.get(job_id, [])
                if fut in waiters:
                    waiters.remove(fut)
                if not waiters:
                    self._waiters.pop(job_id, None)
