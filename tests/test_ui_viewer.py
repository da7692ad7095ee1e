"""Viewer panel: transcript beside the player, seeking, edit and save, summary, downloads."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from recordroute import RecordRoute
from recordroute.ui import ViewerPanel, find, find_all, viewer_panel
from recordroute.ui import viewer as viewer_module
from tests.test_ui_helpers import DOCS, add_text, english_shell, indexed, tiny_wav

TIMED = "[00:00:00 - 00:00:02] Hello <everyone>.\n[00:00:02 - 00:00:05] Budget & plans.\n"


def _viewer(app: RecordRoute) -> ViewerPanel:
    return ViewerPanel(english_shell(app))


def _timed_recording(app: RecordRoute, tmp_path: Path) -> str:
    rec = app.add_file(tiny_wav(tmp_path / "talk.wav", seconds=5.0))
    app.recordings.save_artifact(rec.id, "transcript", "md", TIMED)
    return rec.id


def test_nothing_open_yet(app: RecordRoute) -> None:
    widget = viewer_panel(english_shell(app))
    assert "Open a recording from the library." in find(widget, "rr-viewer-header").value
    assert find(widget, "rr-viewer-edit").disabled


def test_timed_transcript_lines_seek_the_player_in_the_page(
    app: RecordRoute, tmp_path: Path
) -> None:
    rid = _timed_recording(app, tmp_path)
    panel = _viewer(app)
    panel.open(rid, start_s=3.0)
    assert panel.pick.value == rid and "talk.wav" in panel.header.value
    media = panel.media.value
    assert media.startswith('<audio class="rr-media" controls') and 'data-seek="3.00"' in media
    assert 'src="data:audio/wav;base64,' in media
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", media)
    assert payload and base64.b64decode(payload.group(1))[:4] == b"RIFF"
    lines = panel.transcript.value
    assert len(re.findall(r'class="rr-line[ "]', lines)) == 2 and "Hello &lt;everyone&gt;." in lines
    assert 'data-start="2.00" onclick="' in lines and "m.currentTime=parseFloat" in lines
    assert 'class="rr-line rr-line-current" data-start="2.00"' in lines
    assert [m for m in re.findall(r"rr-download-(\w+)", panel.downloads.value)] == [
        "txt",
        "md",
        "srt",
        "vtt",
        "json",
    ]
    srt = re.search(
        r'rr-download-srt" download="talk.srt" href="data:text/plain;charset=utf-8;'
        r'base64,([^"]+)"',
        panel.downloads.value,
    )
    assert srt and "00:00:02,000 --> 00:00:05,000" in base64.b64decode(srt.group(1)).decode()
    first = panel.media.value
    panel.open(rid, start_s=3.0)  # again: a new element, so the browser seeks again
    assert panel.media.value != first


def test_documents_have_no_player_and_plain_paragraphs(app: RecordRoute, tmp_path: Path) -> None:
    doc = add_text(app, tmp_path, "notes.txt", "First <b>paragraph</b>.\n\nSecond.")
    app.process(doc.id, ["ingest"])
    panel = _viewer(app)
    panel.open(doc.id)
    assert panel.media.value == ""
    assert panel.transcript.value.count("rr-line-plain") == 2 and "onclick" not in (
        panel.transcript.value
    )
    assert "&lt;b&gt;paragraph&lt;/b&gt;" in panel.transcript.value
    assert re.findall(r"rr-download-(\w+)", panel.downloads.value) == ["txt", "md", "json"]
    assert "No summary yet." in panel.summary.value


def test_summary_is_rendered_safely(app: RecordRoute, tmp_path: Path) -> None:
    rid = _timed_recording(app, tmp_path)
    app.recordings.save_artifact(
        rid, "summary", "md", "## Key points\n- **Budget** <script>x()</script>\n"
    )
    panel = _viewer(app)
    panel.open(rid)
    assert "<h4>Key points</h4><ul><li><b>Budget</b> &lt;script&gt;x()&lt;/script&gt;</li>" in (
        panel.summary.value
    )


def test_summary_times_are_links_that_play_from_that_moment(
    app: RecordRoute, tmp_path: Path
) -> None:
    rid = _timed_recording(app, tmp_path)
    note = "Extractive summary: sentences taken word for word from the recording."
    app.recordings.save_artifact(
        rid,
        "summary",
        "md",
        f"> {note}\n\n## Key points\n- [00:00:02] The budget was approved.\n- None noted\n",
    )
    panel = _viewer(app)
    panel.open(rid)
    value = panel.summary.value
    assert f'<div class="rr-note"><p>{note}</p></div>' in value
    assert (
        '<li><a class="rr-time rr-summary-time" href="#" data-start="2.00" '
        f'onclick="{viewer_module.SEEK_JS}return false;">00:00:02</a> The budget was approved.</li>'
    ) in value
    assert "<li>None noted</li>" in value


def test_edit_save_then_refresh_summary_and_index(app: RecordRoute, tmp_path: Path) -> None:
    rid = _timed_recording(app, tmp_path)
    panel = _viewer(app)
    panel.open(rid)
    find(panel.widget, "rr-viewer-edit").value = True
    assert panel.edit_box.layout.display == "" and panel.transcript.layout.display == "none"
    assert panel.editor.value == TIMED
    panel.editor.value = TIMED.replace("Budget & plans.", "Budget and hiring plans.")
    find(panel.widget, "rr-viewer-save").click()
    assert panel.notice.text == "Transcript saved." and not panel.edit_button.value
    assert "Budget and hiring plans." in panel.transcript.value
    assert app.recordings.artifacts(rid, "transcript")[-1].edited
    assert panel.refresh_button.layout.display == ""
    find(panel.widget, "rr-viewer-refresh").click()
    (job,) = app.jobs.list(recording_id=rid)
    # the recording has a transcript (the user's): it is not transcribed again
    assert job.steps == ("ingest", "summarize", "title", "keywords", "embed")
    assert panel.notice.text == "Queued a job to refresh the summary and index."
    assert panel.refresh_button.layout.display == "none"
    find(panel.widget, "rr-viewer-edit").value = True
    find(panel.widget, "rr-viewer-cancel").click()
    assert panel.edit_box.layout.display == "none"


def test_viewer_errors_are_shown_in_plain_words(app: RecordRoute, tmp_path: Path) -> None:
    panel = _viewer(app)
    panel.save_button.click()
    assert panel.notice.text == "No recording is open. Pick a recording in the list above."
    panel.notice.clear()
    panel.refresh_button.click()
    assert panel.notice.text.startswith("No recording is open.")
    panel.notice.clear()
    panel.edit_button.value = True
    assert panel.notice.text.startswith("No recording is open.") and not panel.edit_button.value
    rid = _timed_recording(app, tmp_path)
    panel.open(rid)
    panel.edit_button.value = True
    panel.editor.value = "  \n"
    panel.save_button.click()
    assert panel.notice.text == (
        "An empty transcript cannot be saved. Type the text, or press 'Cancel editing'."
    )
    app.recordings.delete(rid)
    panel.edit_button.value = True
    panel.editor.value = "[00:00:00 - 00:00:01] late edit\n"
    panel.save_button.click()
    assert "is deleted" in panel.notice.text and "Restore it first" in panel.notice.text


def test_similar_recordings_open_each_other(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    shell = english_shell(app)
    panel = ViewerPanel(shell)
    opened: list[str] = []
    shell.on_tab_switch(opened.append)
    panel.open(docs["budget.txt"].id)
    items = find_all(panel.widget, "rr-similar-item")
    assert len(items) == 2 and items[0].description.startswith("hiring.txt (")
    items[0].click()
    assert panel.recording is not None and panel.recording.id == docs["hiring.txt"].id
    assert opened == ["viewer"] and panel.pick.value == docs["hiring.txt"].id
    other = add_text(app, tmp_path, "lonely.txt", "not indexed")
    shell.library_changed()
    assert other.id in [rid for _, rid in panel.pick.options]
    panel.pick.value = other.id  # choosing in the list opens it
    assert panel.recording is not None and panel.recording.id == other.id
    assert "No similar recordings" in find(panel.widget, "rr-similar-none").value


def test_large_media_is_not_sent_to_the_browser(
    app: RecordRoute, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = _timed_recording(app, tmp_path)
    monkeypatch.setattr(viewer_module, "MAX_INLINE_MEDIA", 100)
    panel = _viewer(app)
    panel.open(rid)
    assert "rr-media" not in panel.media.value
    assert "too large (78.2 KB) to play here; download it instead" in panel.media.value


def test_a_finished_job_redraws_the_open_recording(app: RecordRoute, tmp_path: Path) -> None:
    doc = add_text(app, tmp_path, "notes.txt", "Late text.")
    panel = _viewer(app)
    panel.open(doc.id)
    assert "No transcript yet." in panel.transcript.value
    app.process(doc.id, ["ingest"])
    panel.shell.watcher.poll()
    assert "Late text." in panel.transcript.value
