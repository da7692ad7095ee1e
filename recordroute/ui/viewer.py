"""Viewer: the transcript beside a player (click a line to seek), edits, summary, downloads.

The player and the transcript are one browser widget
(:class:`~recordroute.ui.browser.TranscriptPlayer`): media streams from the API with
Range requests, a click on a line seeks without a round trip to the kernel, and long
transcripts are drawn in blocks as they scroll into view.
"""

from __future__ import annotations

import base64
import html
import threading

import ipywidgets as widgets

from ..app import RecordRoute
from ..errors import NotFoundError
from ..models import Artifact, Job, Recording, Segment
from .browser import TranscriptPlayer
from .common import (
    Mute,
    Notice,
    clock,
    css,
    file_size,
    guarded,
    local_date,
    markdown_html,
    user_error,
)
from .shell import Shell, shell_for
from .speakers_box import SpeakersBox

DOWNLOADS = ("txt", "md", "srt", "vtt", "json")
REFRESH_STEPS = ("summarize", "title", "keywords", "embed")
#: a time in the summary plays the recording from that moment (no round trip to the kernel)
SEEK_JS = (
    "var m=document.querySelector('.rr-viewer .rr-media');"
    "if(m){m.currentTime=parseFloat(this.dataset.start);m.play();}"
)


class ViewerPanel:
    """One recording at a time; :meth:`open` is how other panels show one."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.recording: Recording | None = None
        self.segments: list[Segment] = []
        self.start_s: float | None = None
        self._cue = False  # the next drawing goes to start_s (an open, not a redraw)
        self._lock = threading.RLock()
        self.mute = Mute()
        tr = shell.tr
        self.notice = Notice(tr, "rr-viewer-status")
        guard = guarded(self.notice)
        self.pick = css(widgets.Dropdown(layout=widgets.Layout(width="480px")), "rr-viewer-pick")
        tr.bind(self.pick, "description", "viewer.pick")
        self.pick.observe(guard(self._picked), "value")
        self.header = css(widgets.HTML(), "rr-viewer-header")
        self.player = css(TranscriptPlayer(shell.app, tr), "rr-viewer-player")
        self.transcript_title = css(widgets.HTML(), "rr-viewer-transcript-title")
        self.edit_button = css(widgets.ToggleButton(icon="pencil"), "rr-viewer-edit")
        tr.bind(self.edit_button, "description", "viewer.edit")
        self.edit_button.observe(guard(self._toggle_edit), "value")
        self.editor = css(
            widgets.Textarea(layout=widgets.Layout(width="100%", height="320px")),
            "rr-viewer-editor",
        )
        self.save_button = css(
            widgets.Button(icon="save", button_style="primary"), "rr-viewer-save"
        )
        self.cancel_button = css(widgets.Button(icon="times"), "rr-viewer-cancel")
        self.refresh_button = css(
            widgets.Button(icon="refresh", button_style="info"), "rr-viewer-refresh"
        )
        tr.bind(self.save_button, "description", "viewer.save")
        tr.bind(self.cancel_button, "description", "viewer.cancel_edit")
        tr.bind(self.refresh_button, "description", "viewer.refresh")
        self.save_button.on_click(guard(lambda _b: self.save()))
        self.cancel_button.on_click(guard(lambda _b: setattr(self.edit_button, "value", False)))
        self.refresh_button.on_click(guard(lambda _b: self.refresh_outputs()))
        self.edit_box = css(
            widgets.VBox([self.editor, widgets.HBox([self.save_button, self.cancel_button])]),
            "rr-viewer-edit-box",
        )
        self.edit_box.layout.display = "none"
        self.refresh_button.layout.display = "none"
        self.summary = css(widgets.HTML(), "rr-viewer-summary")
        self.downloads = css(widgets.HTML(), "rr-viewer-downloads")
        self.speakers = SpeakersBox(shell, self.notice, self.render)
        self.similar_title = css(widgets.HTML(), "rr-viewer-similar-title")
        self.similar = css(widgets.VBox(), "rr-viewer-similar")
        left = widgets.VBox(
            [self.transcript_title, self.edit_button, self.player, self.edit_box],
            layout=widgets.Layout(width="58%"),
        )
        right = widgets.VBox(
            [self.speakers.widget, self.summary, self.downloads, self.similar_title, self.similar],
            layout=widgets.Layout(width="40%", margin="0 0 0 2%"),
        )
        self.widget = css(
            widgets.VBox(
                [
                    self.pick,
                    self.header,
                    self.notice.widget,
                    self.refresh_button,
                    widgets.HBox([left, right]),
                ]
            ),
            "rr-viewer",
        )
        shell.on_open(self.open)
        shell.on_library_changed(self.reload_choices)
        shell.watcher.subscribe(self._jobs_changed)
        tr.on_change(self.render)
        self.reload_choices()
        self.render()

    # -- choosing ----------------------------------------------------------------------------
    def reload_choices(self) -> None:
        recordings = self.shell.app.recordings.list(limit=500)
        current = self.recording.id if self.recording else None
        options = [(f"{r.display_name} · {local_date(r.created_at)}", r.id) for r in recordings]
        if current and current not in {rid for _, rid in options}:
            options.append((self.recording.display_name if self.recording else current, current))
        with self.mute():
            self.pick.options = options
            self.pick.value = current
        if self.recording is not None:
            try:
                self.recording = self.shell.app.recordings.get(self.recording.id)
            except NotFoundError:
                self.recording = None
            self.render()

    def _picked(self, change: dict[str, object]) -> None:
        new = change["new"]
        if self.mute.on:
            return
        if isinstance(new, str) and (self.recording is None or new != self.recording.id):
            self.open(new)

    def open(self, recording_id: str, start_s: float | None = None) -> None:
        """Show a recording, its player cued at ``start_s`` seconds."""
        with self._lock:
            self.notice.clear()
            self.recording = self.shell.app.recordings.get(recording_id)
            self.start_s = start_s
            self._cue = True
            self.edit_button.value = False
            self.refresh_button.layout.display = "none"
            if recording_id not in {rid for _, rid in self.pick.options}:
                self.reload_choices()
            with self.mute():
                self.pick.value = recording_id
            self.render()

    def _jobs_changed(self, jobs: list[Job]) -> None:
        rec = self.recording
        if rec is None or self.edit_button.value:
            return
        if any(j.recording_id == rec.id and j.state == "done" for j in jobs):
            self.recording = self.shell.app.recordings.get(rec.id)
            self.render()

    # -- drawing -------------------------------------------------------------------------------
    def render(self) -> None:
        tr = self.shell.tr
        with self._lock:
            rec = self.recording
            self.transcript_title.value = f"<h4>{html.escape(tr.t('viewer.transcript'))}</h4>"
            self.similar_title.value = f"<h4>{html.escape(tr.t('viewer.similar'))}</h4>"
            if rec is None:
                self.header.value = f"<i>{html.escape(tr.t('viewer.none'))}</i>"
                for widget in (self.summary, self.downloads):
                    widget.value = ""
                self.speakers.show(None, [])
                self.player.show(None, "", [])
                self.similar.children = ()
                self.edit_button.disabled = True
                return
            self.edit_button.disabled = rec.deleted
            self.header.value = self._header(rec)
            self.segments = self.shell.app.transcripts.segments(rec.id)
            self.speakers.show(rec.id, self.segments)
            self.player.show(self._media(rec), rec.kind, self.segments, self.start_s, cue=self._cue)
            self._cue = False
            self.summary.value = self._summary(rec)
            self.downloads.value = self._downloads(rec)
            self._similar(rec)

    def _header(self, rec: Recording) -> str:
        tr = self.shell.tr
        facts = [
            local_date(rec.created_at),
            tr.t(f"kind.{rec.kind}"),
            clock(rec.duration_s),
            file_size(rec.size_bytes),
        ]
        tags = "".join(f'<span class="rr-tag">#{html.escape(t)}</span>' for t in rec.tags)
        title = html.escape(rec.title or rec.display_name)
        return (
            f'<h3 class="rr-viewer-title">{title}</h3>'
            f'<div class="rr-viewer-facts">{html.escape(rec.display_name)} · '
            f"{html.escape(' · '.join(f for f in facts if f))} {tags}</div>"
        )

    def _media(self, rec: Recording) -> Artifact | None:
        """The file the player streams: the extracted audio, else the uploaded file."""
        if rec.kind not in ("audio", "video"):
            return None
        recordings = self.shell.app.recordings
        return recordings.latest_artifact(rec.id, "audio") or recordings.latest_artifact(
            rec.id, "source"
        )

    def _summary(self, rec: Recording) -> str:
        tr = self.shell.tr
        summary = self.shell.app.recordings.latest_artifact(rec.id, "summary", "md")
        timed = any(s.end for s in self.segments)
        body = (
            markdown_html(self.shell.app.recordings.read_text(summary.id), SEEK_JS if timed else "")
            if summary
            else f"<i>{html.escape(tr.t('viewer.no_summary'))}</i>"
        )
        return f'<h4>{html.escape(tr.t("viewer.summary"))}</h4><div class="rr-summary">{body}</div>'

    def _downloads(self, rec: Recording) -> str:
        if not self.segments:
            return ""
        timed = any(s.end for s in self.segments)
        links = []
        for fmt in DOWNLOADS:
            if fmt in ("srt", "vtt") and not timed:
                continue
            name, text = self.shell.app.transcripts.export(rec.id, fmt)
            data = base64.b64encode(text.encode("utf-8")).decode("ascii")
            links.append(
                f'<a class="rr-download rr-download-{fmt}" download="{html.escape(name)}" '
                f'href="data:text/plain;charset=utf-8;base64,{data}">{fmt.upper()}</a>'
            )
        title = html.escape(self.shell.tr.t("viewer.downloads"))
        return f'<h4>{title}</h4><div class="rr-downloads">{" ".join(links)}</div>'

    def _similar(self, rec: Recording) -> None:
        try:
            similar = self.shell.app.search.similar(rec.id, k=5)
        except NotFoundError:
            similar = []
        items: list[widgets.Widget] = []
        for hit in similar:
            if hit.score <= 0:  # not alike at all: listing it would only mislead
                continue
            try:
                other = self.shell.app.recordings.get(hit.recording_id)
            except NotFoundError:
                continue
            button = css(
                widgets.Button(
                    description=f"{other.display_name} ({hit.score:.2f})",
                    tooltip=other.title,
                    icon="link",
                    layout=widgets.Layout(width="auto"),
                ),
                "rr-similar-item",
            )
            button.on_click(
                guarded(self.notice)(lambda _b, rid=other.id: self.shell.open_recording(rid))
            )
            items.append(button)
        if not items:
            items = [
                css(
                    widgets.HTML(f"<i>{html.escape(self.shell.tr.t('viewer.no_similar'))}</i>"),
                    "rr-similar-none",
                )
            ]
        self.similar.children = tuple(items)

    # -- editing --------------------------------------------------------------------------------
    def _toggle_edit(self, change: dict[str, object]) -> None:
        editing = bool(change["new"])
        if editing:
            if self.recording is None:
                self.edit_button.value = False
                raise user_error(self.shell.tr, "viewer.no_recording")
            self.editor.value = self._editable_text(self.recording)
        self.edit_box.layout.display = "" if editing else "none"
        self.player.show_lines = not editing

    def _editable_text(self, rec: Recording) -> str:
        if not self.segments:
            return ""
        return self.shell.app.transcripts.export(rec.id, "md")[1]

    def save(self) -> None:
        """Save the edited transcript; then offer to refresh the summary and the index."""
        self.notice.clear()
        if self.recording is None:
            raise user_error(self.shell.tr, "viewer.no_recording")
        text = self.editor.value
        if not text.strip():
            raise user_error(self.shell.tr, "viewer.empty_edit")
        self.shell.app.transcripts.edit(
            self.recording.id, text if text.endswith("\n") else text + "\n"
        )
        self.edit_button.value = False
        self.render()
        self.refresh_button.layout.display = ""
        self.notice.info(self.shell.tr.t("viewer.saved"))

    def refresh_outputs(self) -> Job:
        """Queue the summary, title, keywords and index again from the edited transcript."""
        self.notice.clear()
        if self.recording is None:
            raise user_error(self.shell.tr, "viewer.no_recording")
        job = self.shell.app.jobs.submit(self.recording.id, list(REFRESH_STEPS))
        self.refresh_button.layout.display = "none"
        self.shell.watcher.poll()
        self.notice.info(self.shell.tr.t("viewer.refresh_queued"))
        return job


def viewer_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The recording viewer."""
    return ViewerPanel(shell_for(app)).widget
