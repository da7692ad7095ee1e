"""Jobs: lifecycle, errors, retries, recovery after a crash, resuming, user edits."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from recordroute import ConflictError, InvalidInputError, RecordRoute, Settings
from recordroute.events import Event
from recordroute.storage.rows import now_iso
from tests.conftest import write
from tests.support.ollama_replay import OllamaReplay, closed_port_url


def _wait(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_text_job_runs_with_progress_events_and_feeds_the_vocabulary(
    app: RecordRoute, tmp_path: Path
) -> None:
    seen: list[Event] = []
    app.events.subscribe(seen.append)
    rec = app.add_file(write(tmp_path / "회의.txt", "예산 회의록 예산 일정 예산 회의록"))
    job = app.process(rec.id, ["keywords"])
    assert job.state == "done" and job.percent == 100 and job.steps == ("ingest", "keywords")
    types = [e.type for e in seen if e.type.startswith("job.")]
    assert types[:2] == ["job.queued", "job.started"] and types[-1] == "job.finished"
    assert any(e.type == "job.progress" and e.data["percent"] == 100 for e in seen)
    (kw,) = app.recordings.artifacts(rec.id, "keywords")
    assert app.recordings.read_text(kw.id).startswith('{\n "예산": 3')
    assert app.insights.vocabulary(2) == ["예산", "회의록"]
    app.recordings.delete(rec.id)
    assert app.insights.vocabulary(2) == []  # deleted recordings do not feed the prompt
    assert [j.id for j in app.jobs.list(states=["done"])] == [job.id]
    assert [j.id for j in app.jobs.list(recording_id=rec.id)] == [job.id]


def test_cp949_text_and_bad_pdfs(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "old.txt", "한국어 문서".encode("cp949")))
    assert app.process(rec.id, ["keywords"]).state == "done"
    (transcript,) = app.recordings.artifacts(rec.id, "transcript")
    assert app.recordings.read_text(transcript.id) == "한국어 문서\n"
    bad = app.add_file(write(tmp_path / "broken.pdf", b"%PDF-1.4 not really"))
    job = app.process(bad.id, ["keywords"])
    assert job.state == "failed" and "The PDF 'broken.pdf' cannot be read" in job.error
    assert app.recordings.artifacts(bad.id, "transcript") == []
    binary = app.add_file(write(tmp_path / "blob.txt", bytes(range(128, 256)) * 3))
    job = app.process(binary.id, ["keywords"])
    assert job.state == "failed" and "is not text in UTF-8, CP949 or EUC-KR" in job.error


def test_a_pdf_becomes_the_transcript(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "minutes.pdf", minimal_pdf("Budget approved for Q3")))
    assert app.process(rec.id, ["keywords"]).state == "done"
    (transcript,) = app.recordings.artifacts(rec.id, "transcript")
    assert "Budget approved for Q3" in app.recordings.read_text(transcript.id)
    empty = app.add_file(write(tmp_path / "scan.pdf", minimal_pdf("")))
    job = app.process(empty.id, ["keywords"])
    assert job.state == "failed" and "has no extractable text" in job.error


def test_job_request_errors(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "a.txt", "text"))
    with pytest.raises(InvalidInputError, match="'translate' is not a pipeline step"):
        app.jobs.submit(rec.id, ["translate"])
    with pytest.raises(InvalidInputError, match="Unknown job options: colour"):
        app.jobs.submit(rec.id, ["keywords"], {"colour": "red"})
    job = app.process(rec.id, ["keywords"])
    with pytest.raises(ConflictError, match="is already done"):
        app.jobs.cancel(job.id)
    with pytest.raises(ConflictError, match="Only failed or cancelled jobs can be retried"):
        app.jobs.retry(job.id)
    queued = app.jobs.submit(rec.id, ["keywords"])
    assert app.jobs.cancel(queued.id).state == "cancelled"
    assert app.jobs.retry(queued.id).state == "queued"
    app.recordings.delete(rec.id)
    with pytest.raises(ConflictError, match="Restore it first"):
        app.jobs.submit(rec.id, ["keywords"])


def test_a_missing_service_fails_the_job_with_its_fix_and_retry_resumes(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "db",
        min_free_mb=0,
        llm_provider="ollama",
        llm_model="gemma3:4b",
        ollama_host=closed_port_url(),
    )
    with RecordRoute(settings) as app:
        rec = app.add_file(write(tmp_path / "a.txt", "We agreed to ship on Friday."))
        job = app.process(rec.id, ["summarize"])
        assert job.state == "failed"
        assert "Ollama" in job.error and "RECORDROUTE_OLLAMA_HOST" in job.error
        assert app.jobs.steps_done(job.id) == ["ingest"]
    with OllamaReplay() as replay, RecordRoute(settings.replace(ollama_host=replay.url)) as app:
        app.jobs.retry(job.id)
        done = app.jobs.run(job.id)
        assert done.state == "done", done.error
        assert app.jobs.steps_done(job.id) == ["ingest", "summarize"]  # ingest not repeated
        (summary,) = app.recordings.artifacts(rec.id, "summary")
        assert "ship the release on Friday" in app.recordings.read_text(summary.id)


def test_transient_errors_are_retried_with_backoff(tmp_path: Path) -> None:
    with OllamaReplay() as replay:
        settings = Settings(
            data_dir=tmp_path / "db",
            min_free_mb=0,
            llm_provider="ollama",
            llm_model="broken:latest",
            ollama_host=replay.url,
            retry_base_s=0.1,
            job_attempts=3,
        )
        with RecordRoute(settings) as app:
            rec = app.add_file(write(tmp_path / "a.txt", "text to summarise"))
            stages: list[str] = []
            app.events.subscribe(lambda e: stages.append(str(e.data.get("stage", ""))))
            job = app.process(rec.id, ["summarize"])
            assert job.state == "failed" and "llama runner process has terminated" in job.error
            assert len(replay.bodies("/api/chat") + replay.bodies("/api/generate")) == 3
            assert sum("retrying in" in s for s in stages) == 2


def test_interrupted_jobs_resume_or_fail_with_a_reason(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "a.txt", "alpha beta gamma"))
    resumable = app.jobs.submit(rec.id, ["keywords"])
    exhausted = app.jobs.submit(rec.id, ["keywords"])
    with app._library.db.write() as conn:  # as a worker killed mid-job leaves them
        dead = f"{socket.gethostname()}:999999999:w0"
        conn.execute(
            "UPDATE jobs SET state = 'running', worker = ?, attempts = 1 WHERE id = ?",
            (dead, resumable.id),
        )
        conn.execute(
            "UPDATE jobs SET state = 'running', worker = ?, attempts = 3, updated_at = ? "
            "WHERE id = ?",
            (dead, now_iso(), exhausted.id),
        )
    app.jobs.start_workers(1)
    _wait(lambda: app.jobs.get(resumable.id).state == "done")
    failed = app.jobs.get(exhausted.id)
    assert failed.state == "failed" and "interrupted 3 times" in failed.error
    app.jobs.stop_workers()


def test_worker_pool_runs_queued_jobs(app: RecordRoute, tmp_path: Path) -> None:
    pool = app.jobs.start_workers(2)
    assert app.jobs.start_workers() is pool
    jobs = [
        app.jobs.submit(app.add_file(write(tmp_path / f"{n}.txt", f"doc {n}")).id, ["keywords"])
        for n in range(4)
    ]
    _wait(lambda: all(app.jobs.get(j.id).state == "done" for j in jobs))
    app.jobs.stop_workers()


def test_user_edits_survive_reruns(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "notes.md", "machine text"))
    app.process(rec.id, ["keywords"])
    edited = app.transcripts.edit(rec.id, "사람이 고친 회의록 회의록")
    job = app.process(rec.id, ["keywords"])
    assert job.state == "done"
    assert app.recordings.read_text(edited.id) == "사람이 고친 회의록 회의록"
    assert "the edit was kept" in app.jobs.note(job.id)
    assert app.insights.vocabulary(1) == ["회의록"]  # keywords come from the edit


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica (enough for pypdf to extract)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_job_of_a_deleted_recording_waits_and_can_be_cancelled(
    app: RecordRoute, tmp_path: Path
) -> None:
    rec = app.add_file(write(tmp_path / "later.txt", "회의록 나중에"))
    job = app.jobs.submit(rec.id, ["keywords"])
    app.recordings.delete(rec.id)
    assert app.jobs.run(job.id).state == "queued"  # not taken while its recording is deleted
    assert app.jobs.cancel(job.id).state == "cancelled"
    app.recordings.restore(rec.id)
    assert app.jobs.retry(job.id).state == "queued"
    assert app.jobs.run(job.id).state == "done"
