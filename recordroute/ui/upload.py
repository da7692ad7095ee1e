"""Upload: pick or drop files, choose steps and models; the queue below shows the jobs.

The files go from the browser straight to the API in resumable pieces (the
:class:`~recordroute.ui.browser.Uploader`); the kernel never holds them.  The server
queues each file's job the moment it has arrived, and the queue shows it at once.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

import ipywidgets as widgets

from ..app import RecordRoute
from ..errors import NotFoundError
from .browser import Message, Uploader
from .common import Notice, UserError, css, guarded, set_choices, user_error
from .queue import QueuePanel
from .shell import Shell, shell_for
from .summary_bar import TemplatePicker

#: what each choice in the panel asks the pipeline for (dependencies are added by the core)
STEP_GROUPS = {
    "transcribe": ("transcribe",),
    "speakers": ("diarize",),
    "summarize": ("summarize", "title"),
    "index": ("keywords", "embed"),
}
LANGUAGE_CODES = ("auto", "ko", "en", "ja", "zh", "de", "fr", "es")


class UploadPanel:
    """Files in, jobs out. Nothing here waits for a job: workers run them elsewhere."""

    def __init__(self, shell: Shell, queue: QueuePanel | None = None) -> None:
        self.shell = shell
        tr = shell.tr
        self.notice = Notice(tr, "rr-upload-status")
        self.queue = queue or QueuePanel(shell)
        self.files = css(Uploader(shell.app, tr), "rr-upload-files")
        self.files.on_finished(self._arrived)
        self.files.on_failed(self._refused)
        self.steps_label = css(widgets.HTML(), "rr-upload-steps-label")
        self.steps = {
            name: css(widgets.Checkbox(value=True, indent=False), "rr-step", f"rr-step-{name}")
            for name in STEP_GROUPS
        }
        for name, box in self.steps.items():
            tr.bind(box, "description", f"upload.step.{name}")
        models = _model_choices(shell.app)
        self.whisper = css(widgets.Dropdown(options=models["speech"]), "rr-opt-whisper")
        self.language = css(widgets.Dropdown(), "rr-opt-language")
        self.llm = css(widgets.Dropdown(options=models["llm"]), "rr-opt-llm")
        tr.bind(self.whisper, "description", "upload.whisper")
        tr.bind(self.language, "description", "upload.language")
        tr.bind(self.llm, "description", "upload.llm")
        for dropdown in (self.whisper, self.language, self.llm):
            dropdown.style = {"description_width": "initial"}
        self.template = TemplatePicker(shell, "rr-opt-template")
        self.start = css(widgets.Button(button_style="primary", icon="upload"), "rr-upload-start")
        tr.bind(self.start, "description", "upload.start")
        self.start.on_click(guarded(self.notice)(lambda _b: self.submit()))
        self.widget = css(
            widgets.VBox(
                [
                    self.files,
                    self.steps_label,
                    widgets.HBox(list(self.steps.values())),
                    widgets.HBox([self.whisper, self.language, self.llm, self.template.widget]),
                    self.start,
                    self.notice.widget,
                    self.queue.widget,
                ]
            ),
            "rr-upload",
        )
        tr.on_change(self._relabel)
        self._relabel()

    def _relabel(self) -> None:
        tr = self.shell.tr
        self.steps_label.value = f"<b>{html.escape(tr.t('upload.steps'))}</b>"
        current = self.language.value or "auto"
        choices = [
            (tr.t("upload.language.auto") if code == "auto" else code, code)
            for code in LANGUAGE_CODES
        ]
        set_choices(self.language, choices, current)

    # -- the action ---------------------------------------------------------------------
    def chosen_steps(self) -> list[str]:
        return [s for name, box in self.steps.items() if box.value for s in STEP_GROUPS[name]]

    def options(self) -> dict[str, Any]:
        return {
            "whisper_model": self.whisper.value,
            "language": self.language.value,
            "summary_model": self.llm.value,
            "template": self.template.value,
        }

    def submit(self) -> int:
        """Send every picked file to the API; returns how many were started."""
        self.notice.clear()
        if not self.files.pending:
            raise user_error(self.shell.tr, "upload.no_files")
        steps = self.chosen_steps()
        if not steps:
            raise user_error(self.shell.tr, "upload.no_steps")
        count = self.files.start(steps, self.options())
        self.notice.info(self.shell.tr.t("upload.started", count=count))
        return count

    def _arrived(self, message: Message) -> None:
        """A file arrived and its job was queued: show the job now."""
        job_id = message.get("job_id")
        if isinstance(job_id, str):
            with contextlib.suppress(NotFoundError):  # removed meanwhile: the watcher shows it
                self.queue.show([self.shell.app.jobs.get(job_id)])
        self.shell.library_changed()
        self.notice.info(self.shell.tr.t("upload.arrived", name=message.get("name", "")))

    def _refused(self, message: Message) -> None:
        name = str(message.get("name", ""))
        text = f"{self.shell.tr.t('upload.file_failed', name=name)} {message.get('message', '')}"
        error = UserError(text.strip(), str(message.get("fix", "")))
        error.code = str(message.get("code") or error.code)  # the API's code names the heading
        self.notice.error(error)


def _model_choices(app: RecordRoute) -> dict[str, list[str]]:
    """Installed models of each kind, the configured default first."""
    listing = app.engines.list_models(probe_ollama=False)
    defaults = listing.get("defaults", {})
    chosen: dict[str, list[str]] = {}
    for kind, setting in (("speech", "whisper_model"), ("llm", "llm_model")):
        default = str(defaults.get(setting, ""))
        names = [
            str(m["name"]) for m in listing.get("models", []) if m["kind"] == kind and m["present"]
        ]
        chosen[kind] = [n for n in [default, *names] if n][:1] + [n for n in names if n != default]
    return chosen


def upload_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The upload form with its job queue."""
    return UploadPanel(shell_for(app)).widget
