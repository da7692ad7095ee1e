"""What the panels share: the facade, the language, job updates and navigation between tabs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC

from ..app import RecordRoute
from ..models import Job
from .i18n import Translator

log = logging.getLogger(__name__)

JobListener = Callable[[list[Job]], None]


def job_stamp(job: Job) -> str:
    """The job's ``updated_at`` in the form the store compares (``jobs_changed_since``)."""
    return job.updated_at.astimezone(UTC).isoformat(timespec="microseconds")


class JobWatcher:
    """Polls the store for changed jobs and tells the panels.

    Jobs may run in this kernel's worker threads or in the server's workers (another
    process); the store is the one place both show up, so the watcher reads it rather
    than this process's event bus.  :meth:`poll` can be called directly (tests do);
    :meth:`start` runs it every ``interval_s`` in a daemon thread, off the kernel's
    main thread, so that widgets stay responsive.
    """

    def __init__(self, app: RecordRoute, interval_s: float = 0.5) -> None:
        self.app = app
        self.interval_s = interval_s
        self._stamp = ""
        self._listeners: list[JobListener] = []
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, listener: JobListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def mark_seen(self, jobs: list[Job]) -> None:
        """Start polling after these jobs (the panels have already shown them)."""
        with self._lock:
            for job in jobs:
                self._stamp = max(self._stamp, job_stamp(job))

    def poll(self) -> list[Job]:
        """Fetch jobs changed since the last poll and hand them to every listener."""
        with self._poll_lock:
            with self._lock:
                stamp = self._stamp
            jobs = self.app.jobs.changed_since(stamp) if stamp else self.app.jobs.list(limit=50)
            if not jobs:
                return []
            self.mark_seen(jobs)
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(jobs)
                except Exception:
                    log.exception("a dashboard job listener failed")
            return jobs

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="recordroute-ui-jobs", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.poll()
            except Exception:
                log.exception("polling jobs for the dashboard failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


class Shell:
    """The context each panel is built with; panels talk to each other only through it."""

    def __init__(self, app: RecordRoute, tr: Translator | None = None) -> None:
        self.app = app
        self.tr = tr or Translator()
        self.watcher = JobWatcher(app)
        self._openers: list[Callable[[str, float | None], None]] = []
        self._library_listeners: list[Callable[[], None]] = []
        self._tab_switch: Callable[[str], None] | None = None

    # -- navigation ----------------------------------------------------------------------
    def on_open(self, listener: Callable[[str, float | None], None]) -> None:
        self._openers.append(listener)

    def open_recording(self, recording_id: str, start_s: float | None = None) -> None:
        """Show a recording in the viewer (at ``start_s`` seconds) and switch to that tab."""
        for listener in list(self._openers):
            listener(recording_id, start_s)
        self.show_tab("viewer")

    def on_tab_switch(self, switch: Callable[[str], None]) -> None:
        self._tab_switch = switch

    def show_tab(self, name: str) -> None:
        if self._tab_switch is not None:
            self._tab_switch(name)

    # -- changes -------------------------------------------------------------------------
    def on_library_changed(self, listener: Callable[[], None]) -> None:
        self._library_listeners.append(listener)

    def library_changed(self) -> None:
        """Recordings were added, renamed, tagged or deleted: lists everywhere refresh."""
        for listener in list(self._library_listeners):
            try:
                listener()
            except Exception:
                log.exception("a dashboard refresh failed")


def shell_for(target: RecordRoute | Shell) -> Shell:
    """Panels accept the facade (a stand-alone panel) or the workbench's shared shell."""
    return target if isinstance(target, Shell) else Shell(target)
