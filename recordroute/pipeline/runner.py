"""Running jobs: steps in order, progress with an ETA, retries, real cancellation."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..engine_protocols import Diarizer, Embedder, LanguageModel, Transcriber
from ..errors import JobCancelledError, RecordRouteError, TransientProviderError
from ..events import EventBus
from ..models import Job
from .ports import DurationProbe, JobStore, RecordingStore, SearchSink, VoiceBook
from .steps import STEP_WEIGHTS, STEPS, StepContext, plan_steps
from .templates import TemplateSource

log = logging.getLogger(__name__)

Options = dict[str, Any]


class Providers:
    """Factories the runner asks for engines (created lazily, cached by the caller)."""

    def __init__(
        self,
        transcriber: Callable[[Options], Transcriber],
        language_model: Callable[[Options], LanguageModel],
        embedder: Callable[[Options], Embedder],
        diarizer: Callable[[Options], Diarizer] | None = None,
    ) -> None:
        self.transcriber = transcriber
        self.language_model = language_model
        self.embedder = embedder
        self.diarizer = diarizer


class _Tracker:
    """Overall percent from weighted steps; ETA from the speed measured so far."""

    def __init__(self, steps: Sequence[str], done: Sequence[str]) -> None:
        self.weights = {s: STEP_WEIGHTS[s] for s in steps}
        self.total = sum(self.weights.values()) or 1
        self.finished = sum(self.weights[s] for s in done if s in self.weights)
        self.started = time.monotonic()
        self.base = self.finished / self.total

    def percent(self, step: str, fraction: float) -> float:
        return (
            100 * (self.finished + self.weights[step] * max(0.0, min(1.0, fraction))) / self.total
        )

    def eta(self, percent: float) -> float | None:
        progress = percent / 100 - self.base
        elapsed = time.monotonic() - self.started
        if progress < 0.02 or elapsed < 1:
            return None
        return round(elapsed / progress * (1 - percent / 100), 1)

    def complete(self, step: str) -> None:
        self.finished += self.weights[step]


class JobRunner:
    def __init__(
        self,
        jobs: JobStore,
        store: RecordingStore,
        events: EventBus,
        providers: Providers,
        *,
        search: SearchSink | None = None,
        probe_duration: DurationProbe | None = None,
        voices: VoiceBook | None = None,
        max_attempts: int = 3,
        retry_base_s: float = 2.0,
        progress_interval_s: float = 0.5,
        templates: TemplateSource | None = None,
        after_step: Callable[[str, str], str] | None = None,
    ) -> None:
        """``after_step(recording_id, step)`` runs after each finished step (e.g. to update
        the recording's note); what it returns goes into the job's log, and if it fails the
        failure goes there too: it never fails the job."""
        self.jobs = jobs
        self.templates = templates
        self.store = store
        self.events = events
        self.providers = providers
        self.search = search
        self.probe_duration = probe_duration
        self.voices = voices
        self.max_attempts = max_attempts
        self.retry_base_s = retry_base_s
        self.progress_interval_s = progress_interval_s
        self.after_step = after_step
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def signal_cancel(self, job_id: str) -> None:
        """Stop a job running in this process at once (other processes see the store's flag)."""
        with self._lock:
            flag = self._cancel.get(job_id)
        if flag is not None:
            flag.set()

    def run_next(
        self, worker: str, job_ids: Sequence[str] | None = None, stop: threading.Event | None = None
    ) -> Job | None:
        job = self.jobs.claim_next(worker, job_ids)
        return None if job is None else self.run(job, stop or threading.Event())

    def run(self, job: Job, stop: threading.Event) -> Job:
        flag = threading.Event()
        with self._lock:
            self._cancel[job.id] = flag
        try:
            return self._run(job, stop, flag)
        finally:
            with self._lock:
                self._cancel.pop(job.id, None)

    def _run(self, job: Job, stop: threading.Event, flag: threading.Event) -> Job:
        last_check = [0.0]

        def should_cancel() -> bool:
            if flag.is_set() or stop.is_set():
                return True
            now = time.monotonic()
            if now - last_check[0] >= self.progress_interval_s:
                last_check[0] = now
                if self.jobs.cancel_requested(job.id):
                    flag.set()
            return flag.is_set()

        try:
            rec = self.store.get_recording(job.recording_id)
            transcribed = self.store.find_artifact(rec.id, "transcript", "md") is not None
            steps = plan_steps(list(job.steps), rec.kind, transcribed=transcribed)
            done = self.jobs.steps_done(job.id)
            tracker = _Tracker(steps, done)
            self.events.publish_job("job.started", job, steps=steps)
            for step in steps:
                if step in done:
                    continue
                ctx = self._context(job, rec.id, step, tracker, should_cancel)
                self._run_step(step, ctx, should_cancel)
                self._after(rec.id, step, ctx)
                tracker.complete(step)
                self.jobs.step_done(job.id, step, "\n".join(ctx.notes))
                self._progress(
                    job, step, 100 * tracker.finished / tracker.total, f"{step}: done", None
                )
            finished = self.jobs.finish(job.id, "done")
            self.events.publish_job("job.finished", job)
            return finished
        except JobCancelledError as exc:
            if stop.is_set() and not flag.is_set():
                self.jobs.requeue(job.id, 0, "interrupted by shutdown; will resume")
                log.info("job %s interrupted by shutdown, queued again", job.id)
                return self.jobs.get(job.id)
            cancelled = self.jobs.finish(job.id, "cancelled", exc.message)
            self.events.publish_job("job.cancelled", job)
            return cancelled
        except RecordRouteError as exc:
            return self._fail(job, str(exc))
        except Exception as exc:  # a bug: recorded on the job and logged with its traceback
            log.exception("job %s failed unexpectedly", job.id)
            return self._fail(job, f"internal error: {type(exc).__name__}: {exc}")

    def _after(self, recording_id: str, step: str, ctx: StepContext) -> None:
        if self.after_step is None:
            return
        try:
            line = self.after_step(recording_id, step)
        except Exception as exc:  # never fails the job; logged with its traceback
            log.exception("after step %s of %s", step, recording_id)
            line = f"after {step}: {type(exc).__name__}: {exc} (the job went on)"
        if line:
            ctx.notes.append(line)

    def _fail(self, job: Job, message: str) -> Job:
        failed = self.jobs.finish(job.id, "failed", message)
        self.events.publish_job("job.failed", job, error=message)
        return failed

    def _context(
        self,
        job: Job,
        recording_id: str,
        step: str,
        tracker: _Tracker,
        should_cancel: Callable[[], bool],
    ) -> StepContext:
        last_write = [0.0]

        def report(fraction: float, stage: str) -> None:
            percent = tracker.percent(step, fraction)
            eta = tracker.eta(percent)
            now = time.monotonic()
            # every report is an event; the store (which other processes poll) is
            # written at most every progress_interval_s, and at the end of a step
            store = now - last_write[0] >= self.progress_interval_s or fraction >= 1.0
            if store:
                last_write[0] = now
            self._progress(job, step, percent, stage, eta, store=store)

        options = dict(job.options)
        make_diarizer = self.providers.diarizer
        return StepContext(
            recording=self.store.get_recording(recording_id),
            store=self.store,
            options=options,
            report=report,
            should_cancel=should_cancel,
            transcriber=lambda: self.providers.transcriber(options),
            language_model=lambda: self.providers.language_model(options),
            embedder=lambda: self.providers.embedder(options),
            search=self.search,
            probe_duration=self.probe_duration,
            diarizer=None if make_diarizer is None else (lambda: make_diarizer(options)),
            voices=self.voices,
            templates=self.templates,
        )

    def _progress(
        self,
        job: Job,
        step: str,
        percent: float,
        stage: str,
        eta: float | None,
        *,
        store: bool = True,
    ) -> None:
        if store and self.jobs.progress(job.id, stage, percent, eta):
            self.signal_cancel(job.id)
        self.events.publish_job(
            "job.progress", job, step=step, stage=stage, percent=round(percent, 1), eta_s=eta
        )

    def _run_step(self, step: str, ctx: StepContext, should_cancel: Callable[[], bool]) -> None:
        for attempt in range(1, self.max_attempts + 1):
            if should_cancel():
                raise JobCancelledError("The job was cancelled.", "Retry it to run it again.")
            try:
                STEPS[step](ctx)
                return
            except TransientProviderError as exc:
                if attempt == self.max_attempts:
                    raise
                delay = self.retry_base_s * 2 ** (attempt - 1)
                log.warning("step %s failed (%s); retry %d in %.1f s", step, exc, attempt, delay)
                ctx.report(0.0, f"{step}: retrying in {delay:.0f} s ({exc.message})")
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline:
                    if should_cancel():
                        raise JobCancelledError("The job was cancelled.", "Retry it.") from exc
                    time.sleep(0.05)


class Bell(Protocol):
    """Wakes a waiting worker: rung by whoever queues a job (in any process)."""

    def wait(self, timeout: float) -> bool: ...

    def nudge(self) -> None: ...

    def close(self) -> None: ...


class LocalBell:
    """A bell for one process only."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def wait(self, timeout: float) -> bool:
        rung = self._event.wait(timeout)
        self._event.clear()
        return rung

    def nudge(self) -> None:
        self._event.set()

    def close(self) -> None:
        self._event.set()


class WorkerPool:
    """Threads that take queued jobs from the store and run them until stopped.

    A worker runs jobs back to back while there are any; when the queue is empty it
    waits on ``bell`` (rung when a job is queued), looking again every ``poll_s`` in
    case a ring was missed or a delayed retry became due.
    """

    def __init__(
        self,
        runner: JobRunner,
        size: int = 1,
        poll_s: float = 2.0,
        name: Callable[[str], str] = lambda slot: slot,
        bell: Bell | None = None,
    ) -> None:
        self.runner = runner
        self.size = size
        self.poll_s = poll_s
        self._name = name
        self._stop = threading.Event()
        self._bell = bell or LocalBell()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for state in self.runner.jobs.recover_interrupted(self.runner.max_attempts):
            log.info("recovered interrupted job %s -> %s", *state)
        for slot in range(self.size):
            thread = threading.Thread(
                target=self._loop,
                args=(self._name(f"w{slot}"),),
                name=f"recordroute-worker-{slot}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        self._bell.nudge()

    def _loop(self, worker: str) -> None:
        while not self._stop.is_set():
            try:
                job = self.runner.run_next(worker, stop=self._stop)
            except RecordRouteError:
                log.exception("worker %s could not take a job", worker)
                job = None
            if job is None and not self._stop.is_set():
                self._bell.wait(self.poll_s)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking jobs; running ones are interrupted and queued again to resume later."""
        self._stop.set()
        for _ in self._threads:
            self._bell.nudge()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        self._bell.close()
