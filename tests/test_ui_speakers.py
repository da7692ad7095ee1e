"""Speakers in the workbench: viewer labels, rename, merge, move a line; insights charts;
the search box's "spoken by" filter (speakers written as the diarize step writes them)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from recordroute import RecordRoute, Segment
from recordroute.engine_protocols import Diarization
from recordroute.models import SpeakerTurn
from recordroute.pipeline import formats, speakers
from recordroute.ui import ViewerPanel
from recordroute.ui.insights import InsightsPanel
from tests.test_ui_helpers import english_shell, tiny_wav

LINES = [
    Segment(0.0, 4.0, "We ship on Friday."),
    Segment(4.5, 8.0, "I will write the notice by Thursday."),
    Segment(8.5, 10.0, "Good, thanks."),
]


def diarized(app: RecordRoute, tmp_path: Path) -> str:
    """A recording with timed segments and two speakers, as the diarize step leaves it."""
    rec = app.add_file(tiny_wav(tmp_path / "meeting.wav", seconds=10.0))
    store = app.speakers._store
    store.save_artifact(rec.id, "segments", "json", formats.to_json(LINES).encode(), meta={})
    result = Diarization(
        turns=(
            SpeakerTurn(0.0, 4.2, "Speaker 1"),
            SpeakerTurn(4.4, 8.1, "Speaker 2"),
            SpeakerTurn(8.4, 10.0, "Speaker 1"),
        ),
        speakers=("Speaker 1", "Speaker 2"),
        voices={"Speaker 1": (1.0, 0.0, 0.0), "Speaker 2": (0.0, 1.0, 0.0)},
        duration_s=10.0,
        engine="bundled",
        model="bundled-resemblyzer",
        voice_model="bundled-resemblyzer",
    )
    speakers.save(store, store.get_recording(rec.id), speakers.from_diarization(result))
    return rec.id


def _srt(panel: ViewerPanel) -> str:
    found = re.search(
        r'rr-download-srt" download="[^"]+" href="[^,]+,([^"]+)"', panel.downloads.value
    )
    assert found
    return base64.b64decode(found.group(1)).decode("utf-8")


def test_viewer_labels_lines_and_renames_merges_and_moves(app: RecordRoute, tmp_path: Path) -> None:
    rid = diarized(app, tmp_path)
    panel = ViewerPanel(english_shell(app))
    panel.open(rid)
    box = panel.speakers
    assert box.widget.layout.display == ""
    names = [line[3] for line in panel.player.segments]  # the browser draws them, coloured
    assert names == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert set(panel.player.speakers) == {"Speaker 1", "Speaker 2"}
    assert list(box.who.options) == ["Speaker 1", "Speaker 2"]
    box.who.value, box.name.value = "Speaker 2", "Bo"
    box.rename_button.click()
    assert panel.notice.widget.value == "" or "error" not in panel.notice.widget.value
    assert "[Bo] I will write the notice by Thursday." in _srt(panel)
    assert "Bo" in {line[3] for line in panel.player.segments} and "Bo" in panel.player.speakers
    assert [p.name for p in app.speakers.list_profiles()] == ["Bo"]
    # give the last line to Bo, then merge Speaker 1 into Bo
    box.who.value = "Bo"
    box.line.value = (8.5, 10.0)
    box.move_button.click()
    assert [s.speaker for s in app.transcript_segments(rid)] == ["Speaker 1", "Bo", "Bo"]
    box.who.value, box.other.value = "Bo", "Speaker 1"
    box.merge_button.click()
    assert [s.speaker for s in app.transcript_segments(rid)] == ["Bo", "Bo", "Bo"]
    assert list(box.who.options) == ["Bo"]


def test_a_bad_name_is_shown_not_raised(app: RecordRoute, tmp_path: Path) -> None:
    rid = diarized(app, tmp_path)
    panel = ViewerPanel(english_shell(app))
    panel.open(rid)
    panel.speakers.name.value = "Dr: Who"
    panel.speakers.rename_button.click()
    assert "cannot be a speaker" in panel.notice.widget.value


def test_a_recording_without_speakers_hides_the_box(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(tiny_wav(tmp_path / "quiet.wav"))
    panel = ViewerPanel(english_shell(app))
    panel.open(rec.id)
    assert panel.speakers.widget.layout.display == "none"


def test_insights_chart_speaking_time_and_turns(app: RecordRoute, tmp_path: Path) -> None:
    rid = diarized(app, tmp_path)
    app.speakers.rename(rid, "Speaker 1", "Anna")
    stats = app.speakers.speaking_time()
    assert [(s.speaker, s.turns) for s in stats] == [("Speaker 2", 1), ("Anna", 2)] or [
        (s.speaker, s.turns) for s in stats
    ] == [("Anna", 2), ("Speaker 2", 1)]
    anna = next(s for s in stats if s.speaker == "Anna")
    assert anna.seconds == 5.8 and anna.words == 6  # 4.2 s + 1.6 s; "We ship on Friday." + 2
    assert anna.words_per_minute == round(6 / (5.8 / 60), 1)
    panel = InsightsPanel(english_shell(app))
    panel.refresh()
    counts = panel.trace_counts()
    assert counts["speaking"] == 1 and counts["turns"] == 2
    assert "Speaking time per person" in str(panel.figures["speaking"].layout.title.text)


def test_search_box_passes_spoken_by(app: RecordRoute, tmp_path: Path) -> None:
    from recordroute.ui.search import SearchPanel

    rid = diarized(app, tmp_path)
    # the user's transcript (kept when embed runs the speech step of this silent file again)
    app.transcripts.edit(rid, app.transcripts.export(rid, "md")[1])
    assert app.process(rid, ["embed"]).state == "done"
    panel = SearchPanel(english_shell(app))
    panel.query.value = "notice Thursday"
    assert [h.recording_id for h in panel.hits] == [rid]
    panel.spoken_by.value = "Speaker 2"
    assert [h.recording_id for h in panel.run()] == [rid]
    panel.spoken_by.value = "Speaker 1"
    assert panel.run() == []
