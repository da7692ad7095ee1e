"""Upload and queue panels: files in, jobs queued, progress shown, cancel and retry."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recordroute import Job, RecordRoute
from recordroute.ui import QueuePanel, UploadPanel, find, find_all, upload_panel
from recordroute.ui.i18n import Translator
from recordroute.ui.shell import Shell
from tests.test_ui_helpers import browser_upload, capture_sends, english_shell, wait_for


def _panel(app: RecordRoute) -> UploadPanel:
    panel = UploadPanel(english_shell(app))
    capture_sends(panel.files)
    return panel


def _pick(panel: UploadPanel, count: int) -> None:
    """The browser tells the kernel how many files are picked (never their bytes)."""
    panel.files.pending = count


def test_upload_queues_one_job_per_file_and_progress_reaches_the_rows(app: RecordRoute) -> None:
    panel = _panel(app)
    _pick(panel, 2)
    panel.steps["transcribe"].value = False
    panel.steps["summarize"].value = False
    find(panel.widget, "rr-upload-start").click()
    assert panel.notice.kind == "info" and panel.notice.text.startswith("Uploading 2 file(s)")
    options = {
        "whisper_model": "bundled-base",
        "language": "auto",
        "summary_model": "bundled-smollm2",
    }
    assert panel.files.sent == [
        {
            "action": "start",
            "steps": ["diarize", "keywords", "embed"],
            "options": {**options, "template": ""},  # no template chosen: the jobs get none
            "tags": [],
        }
    ]
    # the browser sends each file to the API; when one has arrived its job is shown at once
    browser_upload(panel.files, "notes.txt", b"budget plan budget")
    assert panel.notice.text == "'notes.txt' arrived and its job is queued."
    assert len(panel.queue.rows) == 1
    browser_upload(panel.files, "more.md", "예산 회의 예산".encode())
    jobs = app.jobs.list()
    assert [j.steps for j in jobs] == [("ingest", "keywords", "embed")] * 2
    assert jobs[0].options == options
    rows = find_all(panel.widget, "rr-job")
    assert len(rows) == 2 and all("rr-job-queued" in r._dom_classes for r in rows)
    assert [r.progress.value for r in panel.queue.rows.values()] == [0.0, 0.0]
    assert panel.files.recordings == [j.recording_id for j in reversed(jobs)]
    for job in jobs:
        app.jobs.run(job.id)
    assert len(panel.shell.watcher.poll()) == 2
    for row in panel.queue.rows.values():
        assert row.job.state == "done" and row.progress.value == 100.0
        assert row.progress.bar_style == "success" and row.percent.value == "100%"
        assert row.stage.value == "embed: done" and "rr-job-done" in row.widget._dom_classes
        assert row.cancel.disabled and row.retry.disabled
    assert panel.shell.watcher.poll() == []  # nothing changed since


def test_a_summary_template_can_be_chosen_for_the_upload(app: RecordRoute) -> None:
    panel = _panel(app)
    picker = find(panel.widget, "rr-opt-template")
    assert picker.description == "Summary template" and picker.value == ""
    picker.value = "lecture"
    _pick(panel, 1)
    panel.steps["transcribe"].value = False
    find(panel.widget, "rr-upload-start").click()
    assert panel.files.sent[0]["options"]["template"] == "lecture"
    browser_upload(panel.files, "class.txt", b"Condensation is defined as cooling.")
    (job,) = app.jobs.list()
    assert job.options["template"] == "lecture"


def test_a_running_job_shows_stage_percent_and_time_left(app: RecordRoute) -> None:
    queue = QueuePanel(english_shell(app))
    now = datetime.now(UTC)
    rec = app.recordings.add_upload("talk.txt", __import__("io").BytesIO(b"words"))
    job = Job(
        id="3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192",
        recording_id=rec.id,
        steps=("ingest", "transcribe"),
        options={},
        state="running",
        stage="transcribe: 00:04:00 of 00:10:00",
        percent=41.5,
        created_at=now,
        updated_at=now,
        eta_s=75.0,
    )
    queue.show([job])
    row = queue.rows[job.id]
    assert row.progress.value == 41.5 and row.percent.value == "42%"
    assert row.stage.value == "transcribe: 00:04:00 of 00:10:00"
    assert row.eta.value == "about 1 min 15 s left"
    assert "running" in row.state.value and not row.cancel.disabled and row.retry.disabled
    queue.show([dataclasses.replace(job, state="failed", error="The model <x> is missing.")])
    assert row.eta.value == "" and "The model &lt;x&gt; is missing." in row.error.value
    assert row.progress.bar_style == "danger" and not row.retry.disabled


@pytest.mark.slow
def test_real_recording_progress_is_shown_while_the_kernel_stays_free(
    tmp_path: Path, shared_audio: Path
) -> None:
    from recordroute import Settings

    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:
        panel = _panel(app)
        _pick(panel, 1)
        panel.steps["summarize"].value = False
        panel.steps["index"].value = False
        app.jobs.start_workers()
        panel.shell.watcher.interval_s = 0.1
        panel.shell.watcher.start()  # a background thread moves the bars, as in the dashboard
        try:
            panel.submit()
            message = browser_upload(
                panel.files, "jfk.flac", (shared_audio / "jfk.flac").read_bytes()
            )
            job = app.jobs.get(message["job_id"])  # queued; it runs in a worker thread
            row = panel.queue.rows[job.id]
            seen: list[tuple[str, float, str]] = []

            def progressed() -> bool:
                seen.append((row.job.state, row.progress.value, row.stage.value))
                return row.job.state == "done"

            wait_for(progressed, timeout=300)
        finally:
            panel.shell.watcher.stop()
        assert any(state == "running" and 0 < value < 100 and stage for state, value, stage in seen)
        assert row.progress.value == 100 and app.transcript_segments(job.recording_id)


def test_cancel_and_retry_from_the_queue(app: RecordRoute) -> None:
    panel = _panel(app)
    _pick(panel, 1)
    panel.steps["summarize"].value = False
    panel.submit()
    job = app.jobs.get(browser_upload(panel.files, "a.txt", b"text")["job_id"])
    row = panel.queue.rows[job.id]
    row.cancel.click()
    assert row.job.state == "cancelled" and not row.retry.disabled and row.cancel.disabled
    assert app.jobs.get(job.id).state == "cancelled"
    row.retry.click()
    assert row.job.state == "queued" and app.jobs.get(job.id).state == "queued"
    app.jobs.run(job.id)
    panel.shell.watcher.poll()
    assert row.job.state == "done"
    row.cancel.click()  # a stale button in another browser tab
    assert "Job" in panel.queue.notice.text and "is already done" in panel.queue.notice.text
    assert "Only queued or running jobs can be cancelled." in panel.queue.notice.text
    panel.queue.notice.clear()
    row.retry.disabled = False
    row.retry.click()
    assert "Only failed or cancelled jobs can be retried." in panel.queue.notice.text
    find(panel.widget, "rr-queue-hide").click()
    assert panel.queue.rows == {} and "No jobs yet." in panel.queue.empty.value


def test_upload_errors_are_shown_in_plain_words(app: RecordRoute) -> None:
    panel = _panel(app)
    panel.start.click()
    assert panel.notice.kind == "error"
    assert panel.notice.text == (
        "Choose at least one file first. Press 'Choose files' and pick a recording or document."
    )
    _pick(panel, 3)
    for box in panel.steps.values():
        box.value = False
    panel.start.click()
    assert panel.notice.text.startswith("Choose at least one step.")
    assert panel.files.sent == []
    panel.steps["index"].value = True
    panel.start.click()
    browser_upload(panel.files, "a.txt", b"text")
    browser_upload(panel.files, "a-again.txt", b"text")
    message = panel.notice.text
    assert "Could not add 'a-again.txt'." in message and "same content" in message
    assert "Open that recording instead" in message and panel.notice.kind == "error"
    browser_upload(panel.files, "movie.exe", b"MZ")
    assert "Could not add 'movie.exe'." in panel.notice.text
    assert "cannot process (.exe)" in panel.notice.text
    assert "Traceback" not in panel.notice.widget.value
    assert len(app.jobs.list()) == 1  # the good file was still queued
    assert [m["name"] for m in panel.files.failed] == ["a-again.txt", "movie.exe"]


def test_the_panel_speaks_korean_by_default_and_switches(app: RecordRoute) -> None:
    shell = Shell(app)
    widget = upload_panel(shell)
    start = find(widget, "rr-upload-start")
    assert start.description == "올리고 처리하기"
    assert find(widget, "rr-opt-language").options[0] == ("자동 감지", "auto")
    shell.tr.set_language("en")
    assert start.description == "Upload and process"
    assert find(widget, "rr-opt-language").options[0] == ("Detect automatically", "auto")
    assert find(widget, "rr-opt-whisper").value == app.settings.whisper_model
    uploader = find(widget, "rr-upload-files")
    assert uploader.labels["pick"] == "Choose files" and "4096 MB" in uploader.labels["drop"]
    shell.tr.set_language("ko")
    assert uploader.labels["pick"] == "파일 선택" and "끌어다 놓거나" in uploader.labels["drop"]
    assert Translator().language == "ko"
