"""The job queue: one row per job with a live progress bar, stage, time left, cancel and retry."""

from __future__ import annotations

import html
import threading

import ipywidgets as widgets

from ..app import RecordRoute
from ..errors import NotFoundError
from ..models import Job
from .common import Notice, css, eta_text, guarded
from .shell import Shell, shell_for

ACTIVE = ("queued", "running")
BAR_STYLE = {"done": "success", "failed": "danger", "cancelled": "warning"}


class JobRow:
    """The widgets of one job; :meth:`update` redraws them from a :class:`Job`."""

    def __init__(self, panel: QueuePanel, job: Job) -> None:
        self.panel = panel
        self.job = job
        tr = panel.shell.tr
        self.name = css(widgets.HTML(), "rr-job-name")
        self.progress = css(
            widgets.FloatProgress(min=0.0, max=100.0, layout=widgets.Layout(width="220px")),
            "rr-job-progress",
        )
        self.percent = css(widgets.Label(), "rr-job-percent")
        self.state = css(widgets.HTML(), "rr-job-state")
        self.stage = css(widgets.Label(), "rr-job-stage")
        self.eta = css(widgets.Label(), "rr-job-eta")
        self.error = css(widgets.HTML(), "rr-job-error")
        self.cancel = css(widgets.Button(icon="stop", layout=_small()), "rr-job-cancel")
        self.retry = css(widgets.Button(icon="redo", layout=_small()), "rr-job-retry")
        tr.bind(self.cancel, "description", "queue.cancel")
        tr.bind(self.retry, "description", "queue.retry")
        self.cancel.on_click(guarded(panel.notice)(lambda _b: panel.cancel(self.job.id)))
        self.retry.on_click(guarded(panel.notice)(lambda _b: panel.retry(self.job.id)))
        top = widgets.HBox(
            [self.name, self.state, self.progress, self.percent, self.eta, self.cancel, self.retry],
            layout=widgets.Layout(align_items="center"),
        )
        self.widget = css(widgets.VBox([top, self.stage, self.error]), "rr-job")
        self.widget.add_class(f"rr-job-id-{job.id}")
        self.name.value = f"<b>{html.escape(panel.recording_name(job.recording_id))}</b>"
        self.update(job)

    def update(self, job: Job) -> None:
        tr = self.panel.shell.tr
        for state in ("queued", "running", "done", "failed", "cancelled"):
            self.widget.remove_class(f"rr-job-{state}")
        self.widget.add_class(f"rr-job-{job.state}")
        self.job = job
        self.progress.value = float(job.percent)
        self.progress.bar_style = BAR_STYLE.get(job.state, "info")
        self.percent.value = f"{job.percent:.0f}%"
        self.state.value = (
            f'<span class="rr-badge rr-badge-{job.state}">{tr.t("status." + job.state)}</span>'
        )
        self.stage.value = job.stage
        eta = eta_text(job.eta_s) if job.state == "running" else ""
        self.eta.value = tr.t("queue.eta", time=eta) if eta else ""
        self.error.value = (
            f'<div class="rr-error">{html.escape(job.error)}</div>'
            if job.error and job.state in ("failed", "cancelled")
            else ""
        )
        self.cancel.disabled = job.state not in ACTIVE
        self.retry.disabled = job.state not in ("failed", "cancelled")


def _small() -> widgets.Layout:
    return widgets.Layout(width="auto")


class QueuePanel:
    """Jobs of this archive, newest first, updated by the shell's job watcher."""

    def __init__(self, shell: Shell, limit: int = 30) -> None:
        self.shell = shell
        self.limit = limit
        self.notice = Notice(shell.tr, "rr-queue-notice")
        self.rows: dict[str, JobRow] = {}
        self._names: dict[str, str] = {}
        self._lock = threading.RLock()
        self.title = css(widgets.HTML(), "rr-queue-title")
        self.empty = css(widgets.HTML(), "rr-queue-empty")
        self.list = css(widgets.VBox(), "rr-queue-list")
        self.hide_finished = css(widgets.Button(icon="eye-slash"), "rr-queue-hide")
        shell.tr.bind(self.hide_finished, "description", "queue.clear")
        self.hide_finished.on_click(guarded(self.notice)(lambda _b: self.drop_finished()))
        self.widget = css(
            widgets.VBox(
                [self.title, self.notice.widget, self.list, self.empty, self.hide_finished]
            ),
            "rr-queue",
        )
        shell.tr.on_change(self._relabel)
        shell.watcher.subscribe(self.show)
        jobs = shell.app.jobs.list(limit=limit)
        shell.watcher.mark_seen(jobs)
        self.show(list(reversed(jobs)))
        self._relabel()

    def _relabel(self) -> None:
        tr = self.shell.tr
        self.title.value = f"<h3>{html.escape(tr.t('queue.title'))}</h3>"
        self.empty.value = "" if self.rows else f"<i>{html.escape(tr.t('queue.empty'))}</i>"
        with self._lock:
            for row in self.rows.values():
                row.update(row.job)

    def recording_name(self, recording_id: str) -> str:
        if recording_id not in self._names:
            try:
                self._names[recording_id] = self.shell.app.recordings.get(recording_id).display_name
            except NotFoundError:
                self._names[recording_id] = recording_id
        return self._names[recording_id]

    def show(self, jobs: list[Job]) -> None:
        """Add or update rows for these jobs (oldest first in, so the newest ends on top)."""
        with self._lock:
            added = False
            for job in jobs:
                row = self.rows.get(job.id)
                if row is None:
                    self.rows[job.id] = JobRow(self, job)
                    added = True
                else:
                    row.update(job)
            if added:
                newest = list(self.rows.values())[::-1][: self.limit]
                self.rows = {row.job.id: row for row in reversed(newest)}
                self.list.children = tuple(row.widget for row in newest)
            self.empty.value = (
                "" if self.rows else f"<i>{html.escape(self.shell.tr.t('queue.empty'))}</i>"
            )

    def cancel(self, job_id: str) -> None:
        self.notice.clear()
        self.show([self.shell.app.jobs.cancel(job_id)])

    def retry(self, job_id: str) -> None:
        self.notice.clear()
        self.show([self.shell.app.jobs.retry(job_id)])

    def drop_finished(self) -> None:
        with self._lock:
            self.rows = {k: r for k, r in self.rows.items() if r.job.state in ACTIVE}
            self.list.children = tuple(r.widget for r in list(self.rows.values())[::-1])
            self._relabel()


def queue_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The job queue as a widget."""
    return QueuePanel(shell_for(app)).widget
