"""Summary templates in the workbench: a template picker, and "summarise again"."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..models import Job
from .common import css, set_choices
from .shell import Shell

#: what summarising again runs: the transcript is read as it is (edits kept)
STEPS = ("summarize", "title")


def template_choices(shell: Shell) -> list[tuple[str, str]]:
    """(label, name) for the default, the built-in templates, then the custom ones."""
    tr = shell.tr
    choices = [(tr.t("summary.template.default"), "")]
    for template in shell.app.summaries.list():
        key = f"summary.template.{template.name}"
        choices.append((tr.t(key) if template.builtin else template.name, template.name))
    return choices


class TemplatePicker:
    """A dropdown of summary templates (empty value: the recording's or tag's default)."""

    def __init__(self, shell: Shell, css_class: str) -> None:
        self.shell = shell
        self.widget = css(widgets.Dropdown(), css_class)
        self.widget.style = {"description_width": "initial"}
        shell.tr.bind(self.widget, "description", "summary.template")
        shell.tr.on_change(self.reload)
        self.reload()

    def reload(self) -> None:
        set_choices(self.widget, template_choices(self.shell), self.widget.value or "")

    @property
    def value(self) -> str:
        return str(self.widget.value or "")


class SummariseAgain:
    """Summarise chosen recordings again with a template (remembered for each of them)."""

    def __init__(
        self,
        shell: Shell,
        chosen: Callable[[], list[str]],
        queued: Callable[[list[Job]], None],
    ) -> None:
        self.shell = shell
        self.chosen = chosen
        self.queued = queued
        self.picker = TemplatePicker(shell, "rr-lib-template")
        self.button = css(widgets.Button(icon="refresh"), "rr-lib-resummarise")
        shell.tr.bind(self.button, "description", "summary.again")
        self.widget = widgets.HBox([self.picker.widget, self.button])

    def run(self) -> list[Job]:
        """Queue a summary and title for each chosen recording; its transcript stays as it is."""
        app = self.shell.app
        jobs = []
        for rid in self.chosen():
            app.summaries.set_recording_template(rid, self.picker.value or None)
            jobs.append(app.jobs.submit(rid, STEPS))
        self.queued(jobs)
        return jobs
