"""Progress bars for jobs started from a notebook; the kernel stays free while they run."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

import ipywidgets as widgets

from ..app import RecordRoute
from ..models import Job
from .common import css, eta_text
from .shell import JobWatcher

FINAL_STATES = ("done", "failed", "cancelled")


class JobProgress:
    """One bar per job, moved by a background thread.

    Create it at the end of a cell to show the bars: the cell returns at once and the
    jobs run in worker threads.  :meth:`wait` blocks (a later cell) until all have ended.
    """

    def __init__(
        self,
        app: RecordRoute,
        jobs: Sequence[Job],
        *,
        start_workers: bool = True,
        interval_s: float = 0.3,
    ) -> None:
        self.app = app
        self.jobs = {job.id: job for job in jobs}
        self.bars: dict[str, widgets.FloatProgress] = {}
        self.labels: dict[str, widgets.HTML] = {}
        rows = []
        for job in jobs:
            name = app.recordings.get(job.recording_id).display_name
            bar = css(
                widgets.FloatProgress(min=0.0, max=100.0, description=name[:24]), "rr-progress-bar"
            )
            bar.style = {"description_width": "180px"}
            label = css(widgets.HTML(), "rr-progress-label")
            self.bars[job.id], self.labels[job.id] = bar, label
            rows.append(widgets.HBox([bar, label]))
        self.widget = css(widgets.VBox(rows), "rr-progress")
        self.watcher = JobWatcher(app, interval_s)
        self.watcher.mark_seen(list(jobs))
        self.watcher.subscribe(self._update)
        self._update(list(jobs))
        if start_workers:
            app.jobs.start_workers()
        self.watcher.start()

    def _update(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.id not in self.jobs:
                continue
            self.jobs[job.id] = job
            self.bars[job.id].value = float(job.percent)
            self.bars[job.id].bar_style = {
                "done": "success",
                "failed": "danger",
                "cancelled": "warning",
            }.get(job.state, "info")
            eta = eta_text(job.eta_s) if job.state == "running" else ""
            detail = job.error if job.state == "failed" else job.stage
            self.labels[job.id].value = html.escape(
                " · ".join(x for x in (job.state, detail, eta and f"~{eta} left") if x)
            )

    def finished(self) -> bool:
        return all(job.state in FINAL_STATES for job in self.jobs.values())

    def wait(self, timeout_s: float = 1800.0) -> list[Job]:
        """Block until every job has ended; returns them (stops the bars' thread)."""
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                self._update([self.app.jobs.get(job_id) for job_id in self.jobs])
                if self.finished():
                    return list(self.jobs.values())
                if time.monotonic() > deadline:
                    raise TimeoutError(f"jobs still running after {timeout_s:.0f} s")
                time.sleep(0.2)
        finally:
            self.watcher.stop()
