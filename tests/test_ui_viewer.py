"""Viewer panel: transcript beside the player, seeking, edit and save, summary, downloads."""

from __future__ import annotations

import base64
import re
import urllib.parse
from pathlib import Path

from recordroute import RecordRoute, Segment, Settings
from recordroute.pipeline import formats
from recordroute.ui import ViewerPanel, find, find_all, player, uploader, viewer_panel
from recordroute.ui import viewer as viewer_module
from recordroute.ui.common import walk
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


def _texts(panel: ViewerPanel) -> list[str]:
    return [line[2] for line in panel.player.segments]


def test_timed_transcript_lines_seek_the_player_in_the_page(
    app: RecordRoute, tmp_path: Path
) -> None:
    rid = _timed_recording(app, tmp_path)
    panel = _viewer(app)
    panel.open(rid, start_s=3.0)
    assert panel.pick.value == rid and "talk.wav" in panel.header.value
    player = panel.player
    source = app.recordings.latest_artifact(rid, "source")
    assert source is not None
    # the browser reads the media from the API (Range requests), never from widget state
    assert player.media["url"] == f"media/{source.id}"
    assert player.media["kind"] == "audio" and player.media["type"] == "audio/wav"
    assert player.endpoint == {"api": "", "token": ""}  # no server known: JupyterLab's
    assert player.segments == [[0, 2, "Hello <everyone>.", ""], [2, 5, "Budget & plans.", ""]]
    assert player.timed and player.cue["t"] == 3.0
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
    first_cue, first_media = player.cue, player.media
    panel.open(rid, start_s=3.0)  # again: a new cue, so the browser seeks again
    assert player.cue != first_cue and player.media == first_media
    panel.render()  # a redraw (a job ended, the language changed) leaves the player alone
    assert player.media == first_media and player.cue["n"] == panel.player.cue["n"]


def test_under_the_server_the_player_gets_a_short_lived_link(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "db",
        min_free_mb=0,
        api_url="http://127.0.0.1:8080/recordroute/api/v1/",
        token="the-server-token-1234",
    )
    with RecordRoute(settings) as app:
        rid = _timed_recording(app, tmp_path)
        panel = _viewer(app)
        panel.open(rid)
        player = panel.player
        assert player.endpoint == {
            "api": "http://127.0.0.1:8080/recordroute/api/v1",
            "token": "the-server-token-1234",
        }
        url = player.media["url"]
        artifact, _, query = url.partition("?")
        fields = dict(urllib.parse.parse_qsl(query))
        assert artifact.startswith("media/") and "token" not in url
        assert app.links.verify_media(artifact[len("media/") :], fields["exp"], fields["sig"])
        # the player asks for a fresh link when one ran out during playback
        first = player.media
        player._handle_custom_msg({"event": "renew", "t": 95.5}, [])
        assert player.media["n"] != first["n"] and player.media["at"] == 95.5
        assert player.media["url"].startswith(artifact + "?exp=")


def test_a_long_transcript_goes_to_the_browser_as_data_not_widgets(
    app: RecordRoute, tmp_path: Path
) -> None:
    rec = app.add_file(tiny_wav(tmp_path / "two-hours.wav", seconds=1.0))
    lines = [
        Segment(i * 3.6, i * 3.6 + 3.0, f"line {i} of a two-hour meeting") for i in range(2000)
    ]
    app.transcripts.edit(rec.id, formats.to_markdown(lines))
    shell = english_shell(app)
    panel = ViewerPanel(shell)
    before = len(list(walk(panel.widget)))
    shell.open_recording(rec.id, 1800.0)  # a search hit half way through
    assert len(panel.player.segments) == 2000 and panel.player.cue["t"] == 1800.0
    assert panel.player.segments[500] == [1800, 1803, "line 500 of a two-hour meeting", ""]
    assert len(list(walk(panel.widget))) <= before + 3  # similar-recording buttons at most


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
    assert panel.edit_box.layout.display == "" and not panel.player.show_lines
    assert panel.editor.value == TIMED
    panel.editor.value = TIMED.replace("Budget & plans.", "Budget and hiring plans.")
    find(panel.widget, "rr-viewer-save").click()
    assert panel.notice.text == "Transcript saved." and not panel.edit_button.value
    assert "Budget and hiring plans." in _texts(panel) and panel.player.show_lines
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


def test_a_finished_job_redraws_the_open_recording(app: RecordRoute, tmp_path: Path) -> None:
    doc = add_text(app, tmp_path, "notes.txt", "Late text.")
    panel = _viewer(app)
    panel.open(doc.id)
    assert panel.player.segments == []
    app.process(doc.id, ["ingest"])
    panel.shell.watcher.poll()
    assert _texts(panel) == ["Late text."]


def test_notebook_uploader_and_player(app: RecordRoute, tmp_path: Path) -> None:
    box = uploader(app, process=["transcribe"], tags=["lab"], language="en")
    assert box.auto_start and box.component == "uploader"
    assert box.auto_job == {"steps": ["transcribe"], "options": {}, "tags": ["lab"]}
    assert uploader(app, process=False).auto_job["steps"] is None  # stored only
    assert uploader(app).auto_job["steps"] == []  # every step
    assert box.labels["pick"] == "Choose files" and box.recordings == []
    box._handle_custom_msg({"event": "something else"}, [])
    box._handle_custom_msg({"event": "finished", "name": "a.wav", "recording_id": "r1"}, [])
    assert box.recordings == ["r1"]
    rid = _timed_recording(app, tmp_path)
    shown = player(app, rid, at=2.0, language="en")
    assert shown.component == "player" and shown.cue["t"] == 2.0
    assert shown.media["url"].startswith("media/") and len(shown.segments) == 2
    assert shown.labels["click_hint"].startswith("Click a line to play from there")
    doc = add_text(app, tmp_path, "plain.txt", "Just text.")
    assert player(app, doc.id).media is None
