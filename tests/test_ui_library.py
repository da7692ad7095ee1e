"""Library panel: listing, filters, paging, and every action with its errors."""

from __future__ import annotations

from pathlib import Path

from recordroute import RecordRoute
from recordroute.ui import LibraryPanel, find, find_all
from tests.test_ui_helpers import add_text, english_shell, tiny_wav


def _library(app: RecordRoute, page_size: int = 20) -> LibraryPanel:
    return LibraryPanel(english_shell(app), page_size=page_size)


def _names(panel: LibraryPanel) -> list[str]:
    return [r.display_name for r in panel.visible()]


def test_rows_show_date_type_duration_title_tags_and_step_status(
    app: RecordRoute, tmp_path: Path
) -> None:
    doc = add_text(app, tmp_path, "minutes.txt", "budget plan", tags=["work"])
    app.recordings.rename(doc.id, "minutes <draft>")
    app.process(doc.id, ["keywords"])
    audio = app.add_file(tiny_wav(tmp_path / "talk.wav", seconds=2.0))
    app.process(audio.id, ["ingest"])
    panel = _library(app)
    rows = find_all(panel.widget, "rr-lib-row")
    assert len(rows) == 2
    audio_cells = find(rows[0], "rr-lib-cells").value
    assert "talk.wav" in audio_cells and "Audio" in audio_cells and "0:02" in audio_cells
    assert audio_cells.count("rr-badge-missing") == 6 and "rr-badge-done" in audio_cells
    doc_cells = find(rows[1], "rr-lib-cells").value
    assert "minutes &lt;draft&gt;" in doc_cells and "#work" in doc_cells
    assert 'rr-badge-done" title="done">keywords' in doc_cells
    assert "Page 1" not in panel.count.value and panel.count.value == "page 1 of 1 · 2 of 2"


def test_filter_sort_search_and_pages(app: RecordRoute, tmp_path: Path) -> None:
    for name, tags in (("alpha.txt", ["red"]), ("beta.txt", ["blue"]), ("gamma.txt", ["red"])):
        add_text(app, tmp_path, name, f"text of {name}", tags=tags)
    app.add_file(tiny_wav(tmp_path / "delta.wav"))
    panel = _library(app, page_size=2)
    assert _names(panel) == ["delta.wav", "gamma.txt"] and panel.prev.disabled
    find(panel.widget, "rr-lib-next").click()
    assert _names(panel) == ["beta.txt", "alpha.txt"] and panel.next.disabled
    panel.sort.value = "name"  # back to the first page
    panel.descending.value = False
    assert _names(panel) == ["alpha.txt", "beta.txt"]
    panel.query.value = "red"  # a tag
    assert [r.display_name for r in panel.recordings] == ["alpha.txt", "gamma.txt"]
    panel.query.value = "gam"  # a name
    assert [r.display_name for r in panel.recordings] == ["gamma.txt"]
    panel.query.value = ""
    panel.kind.value = "audio"
    assert [r.display_name for r in panel.recordings] == ["delta.wav"]
    panel.kind.value = "pdf"
    assert "No recordings match." in find(panel.widget, "rr-lib-empty").value


def test_rename_tag_delete_undo_restore(app: RecordRoute, tmp_path: Path) -> None:
    a = add_text(app, tmp_path, "a.txt", "first")
    b = add_text(app, tmp_path, "b.txt", "second")
    panel = _library(app)
    panel.select(a.id)
    panel.rename_text.value = "Kickoff <meeting>"
    find(panel.widget, "rr-lib-rename").click()
    assert app.get_recording(a.id).display_name == "Kickoff <meeting>"
    assert panel.notice.text == "Renamed." and panel.rename_text.value == ""
    panel.select(b.id)
    panel.tags_text.value = "project x, 2026"
    find(panel.widget, "rr-lib-tag").click()
    assert app.get_recording(b.id).tags == ("2026", "project x") == app.get_recording(a.id).tags
    find(panel.widget, "rr-lib-delete").click()
    assert panel.notice.text == "Deleted 2." and app.list_recordings() == []
    assert panel.undo_button.layout.display == ""
    find(panel.widget, "rr-lib-undo").click()
    assert panel.notice.text == "Restored 2." and len(app.list_recordings()) == 2
    assert panel.undo_button.layout.display == "none"
    app.recordings.delete(a.id)
    panel.show_deleted.value = True
    assert [r.id for r in panel.recordings] == [a.id] and panel.delete_button.disabled
    assert panel.restore_button.layout.display == ""
    find(panel.widget, "rr-lib-select-all").value = True
    find(panel.widget, "rr-lib-restore").click()
    assert panel.notice.text == "Restored 1." and not app.get_recording(a.id).deleted


def test_reset_and_run_missing_steps_queue_jobs(app: RecordRoute, tmp_path: Path) -> None:
    doc = add_text(app, tmp_path, "notes.txt", "budget budget plan")
    app.process(doc.id, ["keywords"])
    panel = _library(app)
    panel.select(doc.id)
    panel.reset_steps.value = ("keywords",)
    find(panel.widget, "rr-lib-reset").click()
    assert panel.notice.text == "Queued 1 job(s)."
    assert app.recordings.artifacts(doc.id, "keywords") == []  # the reset removed the old output
    (job, _done) = app.jobs.list(recording_id=doc.id)
    assert job.state == "queued" and job.steps == ("ingest", "keywords")
    app.jobs.run(job.id)
    find(panel.widget, "rr-lib-run-missing").click()
    (missing, *_rest) = app.jobs.list(recording_id=doc.id)
    assert missing.steps == ("ingest", "summarize", "title", "embed")
    app.jobs.cancel(missing.id)
    app.process(doc.id, ["embed"])
    app.recordings.save_artifact(doc.id, "summary", "md", "## Summary\n- budget\n")
    app.recordings.save_artifact(doc.id, "title", "txt", "Budget\n")
    before = len(app.jobs.list())
    panel.missing_button.click()
    assert panel.notice.text == "The selected recordings have no missing steps."
    assert len(app.jobs.list()) == before


def test_library_errors_are_shown_in_plain_words(app: RecordRoute, tmp_path: Path) -> None:
    a = add_text(app, tmp_path, "a.txt", "first")
    b = add_text(app, tmp_path, "b.txt", "second")
    panel = _library(app)
    for name in (
        "rr-lib-rename",
        "rr-lib-tag",
        "rr-lib-delete",
        "rr-lib-reset",
        "rr-lib-run-missing",
    ):
        panel.notice.clear()
        find(panel.widget, name).click()
        assert panel.notice.text == (
            "Select at least one recording first. Tick the box at the start of a row."
        ), name
    panel.select(a.id, b.id)
    panel.rename_button.click()
    assert panel.notice.text == "Rename one recording at a time. Select exactly one recording."
    panel.reset_button.click()
    assert panel.notice.text.startswith("Choose the steps to run again.")
    panel.selected = {a.id}
    panel.rename_text.value = "   "
    panel.rename_button.click()
    assert "is empty or longer than 300 characters" in panel.notice.text
    assert "Give a name of 1 to 300 characters." in panel.notice.text
    panel.delete_button.click()
    again = add_text(app, tmp_path, "a-copy.txt", "first")  # same content, now active
    panel.undo_button.click()
    assert "has the same content as active recording" in panel.notice.text
    assert again.id in panel.notice.text


def test_finished_jobs_refresh_the_list(app: RecordRoute, tmp_path: Path) -> None:
    panel = _library(app)
    assert panel.recordings == []
    doc = add_text(app, tmp_path, "late.txt", "budget")  # added elsewhere (another process)
    app.process(doc.id, ["keywords"])
    panel.shell.watcher.poll()
    assert [r.id for r in panel.recordings] == [doc.id]
    find(panel.widget, "rr-lib-open").click()  # no viewer in this shell: nothing breaks
    assert panel.notice.kind == ""


def test_summarise_again_with_a_template_keeps_the_edited_transcript(
    app: RecordRoute, tmp_path: Path
) -> None:
    doc = add_text(app, tmp_path, "talk.txt", "We decided to ship on Friday.")
    app.transcripts.edit(doc.id, "We decided to ship the app on Friday.\nMina will test it.\n")
    panel = _library(app)
    picker = find(panel.widget, "rr-lib-template")
    assert [label for label, _ in picker.options] == ["Default", "Meeting", "Lecture", "Interview"]
    panel.select(doc.id)
    picker.value = "interview"
    find(panel.widget, "rr-lib-resummarise").click()
    assert panel.notice.text == "Queued 1 job(s)."
    (job,) = app.jobs.list()
    assert job.steps == ("ingest", "summarize", "title") and job.options == {}
    assert app.summaries.recording_template(doc.id) == "interview"
    assert app.jobs.run(job.id).state == "done"
    summary = app.recordings.latest_artifact(doc.id, "summary", "md")
    assert summary is not None and summary.meta["template"] == "interview"
    transcript = app.recordings.latest_artifact(doc.id, "transcript", "md")
    assert transcript is not None and transcript.edited
    assert "ship the app on Friday" in app.recordings.read_text(summary.id)
    picker.value = ""
    find(panel.widget, "rr-lib-resummarise").click()
    assert app.summaries.recording_template(doc.id) == "meeting"  # back to the default
    panel.selected.clear()
    find(panel.widget, "rr-lib-resummarise").click()
    assert panel.notice.kind == "error"
