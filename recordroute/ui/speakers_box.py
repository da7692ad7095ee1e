"""The viewer's speakers: names, rename, merge two speakers, give a line to another speaker."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ..errors import NotFoundError
from ..models import Segment
from .common import Notice, clock, css, guarded
from .shell import Shell

#: a colour per speaker, in order of first appearance
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


class SpeakersBox:
    """Speaker rows of the open recording; calls ``changed`` after every change."""

    def __init__(self, shell: Shell, notice: Notice, changed: Callable[[], None]) -> None:
        self.shell = shell
        self.changed = changed
        self.recording_id: str | None = None
        self.segments: list[Segment] = []
        tr = shell.tr
        guard = guarded(notice)
        self.title = css(widgets.HTML(), "rr-speakers-title")
        self.table = css(widgets.HTML(), "rr-speakers-table")
        self.who = css(widgets.Dropdown(layout=widgets.Layout(width="220px")), "rr-speaker-pick")
        self.name = css(widgets.Text(layout=widgets.Layout(width="200px")), "rr-speaker-name")
        self.rename_button = css(widgets.Button(icon="user"), "rr-speaker-rename")
        self.other = css(widgets.Dropdown(layout=widgets.Layout(width="220px")), "rr-speaker-other")
        self.merge_button = css(widgets.Button(icon="compress"), "rr-speaker-merge")
        self.line = css(widgets.Dropdown(layout=widgets.Layout(width="340px")), "rr-speaker-line")
        self.move_button = css(widgets.Button(icon="exchange"), "rr-speaker-move")
        tr.bind(self.who, "description", "speakers.speaker")
        tr.bind(self.name, "placeholder", "speakers.name")
        tr.bind(self.rename_button, "description", "speakers.rename")
        tr.bind(self.other, "description", "speakers.with")
        tr.bind(self.merge_button, "description", "speakers.merge")
        tr.bind(self.line, "description", "speakers.line")
        tr.bind(self.move_button, "description", "speakers.move")
        self.rename_button.on_click(guard(lambda _b: self.rename()))
        self.merge_button.on_click(guard(lambda _b: self.merge()))
        self.move_button.on_click(guard(lambda _b: self.move()))
        self.widget = css(
            widgets.VBox(
                [
                    self.title,
                    self.table,
                    widgets.HBox([self.who, self.name, self.rename_button]),
                    widgets.HBox([self.other, self.merge_button]),
                    widgets.HBox([self.line, self.move_button]),
                ]
            ),
            "rr-speakers",
        )
        self.widget.layout.display = "none"

    def show(self, recording_id: str | None, segments: list[Segment]) -> None:
        self.recording_id, self.segments = recording_id, segments
        found = None
        if recording_id is not None:
            try:
                found = self.shell.app.speakers.of(recording_id)
            except NotFoundError:
                found = None
        if found is None:
            self.widget.layout.display = "none"
            return
        tr = self.shell.tr
        self.widget.layout.display = ""
        self.title.value = f"<h4>{html.escape(tr.t('speakers.title'))}</h4>"
        rows = []
        for n, s in enumerate(found.speakers):
            colour = COLOURS[n % len(COLOURS)]
            hint = ""
            if s.suggestion:
                hint = html.escape(tr.t("speakers.suggestion", name=s.suggestion, score=s.score))
            elif s.name and s.score:
                hint = html.escape(tr.t("speakers.recognised", score=s.score))
            shown_label = s.label if s.name else ""
            rows.append(
                f'<tr class="rr-speaker-row"><td><span class="rr-speaker-dot" '
                f'style="color:{colour}">●</span> <b class="rr-speaker-display">'
                f"{html.escape(s.display)}</b></td><td>{html.escape(shown_label)}</td>"
                f'<td>{clock(s.seconds)}</td><td class="rr-speaker-hint">{hint}</td></tr>'
            )
        self.table.value = f'<table class="rr-speakers-list">{"".join(rows)}</table>'
        names = [s.display for s in found.speakers]
        self.who.options = names
        self.other.options = names
        self.who.value = names[0] if names else None
        self.other.value = names[1] if len(names) > 1 else self.who.value
        suggested = next((s.suggestion for s in found.speakers if s.suggestion), "")
        self.name.value = suggested
        timed = [s for s in segments if s.end > s.start]
        self.line.options = [
            (f"{clock(s.start)} {s.speaker}: {s.text[:50]}", (s.start, s.end)) for s in timed
        ]
        self.line.value = (timed[0].start, timed[0].end) if timed else None

    def rename(self) -> None:
        if self.recording_id is None:
            return
        self.shell.app.speakers.rename(self.recording_id, str(self.who.value), self.name.value)
        self.name.value = ""
        self.changed()

    def merge(self) -> None:
        if self.recording_id is None:
            return
        self.shell.app.speakers.merge(self.recording_id, str(self.who.value), str(self.other.value))
        self.changed()

    def move(self) -> None:
        if self.recording_id is None or self.line.value is None:
            return
        start, end = self.line.value
        self.shell.app.speakers.move(self.recording_id, start, end, str(self.who.value))
        self.changed()


def speaker_colour(speakers: list[str], name: str) -> str:
    return COLOURS[speakers.index(name) % len(COLOURS)] if name in speakers else "#555"
