"""The facade methods added for the dashboards: segments, step status, keywords, the graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordroute import InvalidInputError, NotFoundError, RecordRoute, Segment
from tests.conftest import write
from tests.test_ui_helpers import DOCS, add_text, indexed, tiny_wav


def test_transcript_segments_prefer_the_users_edit(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(tiny_wav(tmp_path / "talk.wav"))
    assert app.transcript_segments(rec.id) == []
    app.save_artifact(
        rec.id, "segments", "json", '{"segments": [{"start": 0.0, "end": 2.5, "text": "hello"}]}'
    )
    app.save_artifact(rec.id, "transcript", "md", "[00:00:00 - 00:00:02] hello\n")
    assert app.transcript_segments(rec.id) == [Segment(0.0, 2.5, "hello")]  # the precise times
    app.edit_transcript(rec.id, "[00:00:00 - 00:00:02] hello there\n[00:00:02 - 00:00:04] bye\n")
    assert app.transcript_segments(rec.id) == [
        Segment(0.0, 2.0, "hello there"),
        Segment(2.0, 4.0, "bye"),
    ]
    doc = add_text(app, tmp_path, "notes.txt", "First paragraph.\n\nSecond one.")
    app.process(doc.id, ["ingest"])
    assert app.transcript_segments(doc.id) == [
        Segment(0.0, 0.0, "First paragraph."),
        Segment(0.0, 0.0, "Second one."),
    ]
    with pytest.raises(NotFoundError):
        app.transcript_segments("3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192")


def test_step_status_follows_jobs_and_outputs(app: RecordRoute, tmp_path: Path) -> None:
    doc = add_text(app, tmp_path, "notes.txt", "budget budget plan")
    assert app.step_status(doc.id) == {
        "ingest": "missing",
        "summarize": "missing",
        "title": "missing",
        "keywords": "missing",
        "embed": "missing",
    }
    assert app.missing_steps(doc.id) == ["ingest", "summarize", "title", "keywords", "embed"]
    queued = app.submit_job(doc.id, ["keywords"])
    assert app.step_status(doc.id)["keywords"] == "queued"
    assert "keywords" not in app.missing_steps(doc.id)
    app.run_job(queued.id)
    status = app.step_status(doc.id)
    assert (status["ingest"], status["keywords"], status["embed"]) == ("done", "done", "missing")
    app.remove_outputs(doc.id, ["stt"])  # a reset removes the outputs: missing again
    assert app.step_status(doc.id)["keywords"] == "missing"
    app.process(doc.id, ["keywords"])
    app.cancel_job(app.submit_job(doc.id, ["keywords"]).id)
    assert app.step_status(doc.id)["keywords"] == "done"  # the earlier output still stands
    audio = app.add_file(tiny_wav(tmp_path / "a.wav"))
    assert list(app.step_status(audio.id)) == [
        "ingest",
        "transcribe",
        "summarize",
        "title",
        "keywords",
        "embed",
    ]
    bad = app.add_file(write(tmp_path / "broken.pdf", b"%PDF-1.4 broken"))
    app.process(bad.id, ["keywords"])
    assert app.step_status(bad.id)["ingest"] == "failed"
    assert app.step_status(bad.id)["keywords"] == "failed"
    cancelled = app.submit_job(audio.id, ["transcribe"])
    app.cancel_job(cancelled.id)
    assert app.step_status(audio.id)["transcribe"] == "cancelled"
    assert "transcribe" in app.missing_steps(audio.id)


def test_keyword_counts_per_period_skip_deleted_recordings(
    app: RecordRoute, tmp_path: Path
) -> None:
    a = add_text(app, tmp_path, "a.txt", "예산은 예산을 검토했다 budget")
    b = add_text(app, tmp_path, "b.txt", "budget budget plan")
    for rec in (a, b):
        app.process(rec.id, ["keywords"])
    overall = app.keyword_counts()
    assert list(overall) == ["all"] and overall["all"]["budget"] == 3
    assert overall["all"]["예산"] == 2  # particles stripped
    month = a.created_at.astimezone().strftime("%Y-%m")
    assert app.keyword_counts(period="month", top=1) == {month: {"budget": 3}}
    year, week, _ = a.created_at.astimezone().isocalendar()
    assert list(app.keyword_counts(period="week")) == [f"{year}-W{week:02d}"]
    app.delete(b.id)
    assert app.keyword_counts()["all"]["budget"] == 1
    with pytest.raises(InvalidInputError, match="'day' is not a period"):
        app.keyword_counts(period="day")


def test_similarity_graph(app: RecordRoute, tmp_path: Path) -> None:
    assert app.similarity_graph() == ([], [])
    docs = indexed(app, tmp_path, DOCS)
    add_text(app, tmp_path, "unindexed.txt", "never embedded")
    nodes, edges = app.similarity_graph(threshold=-1.0)
    ids = {r.id for r in docs.values()}
    assert set(nodes) == ids
    assert len(edges) == 3 and all(a < b and -1 <= s <= 1 for a, b, s in edges)
    budget, hiring = docs["budget.txt"].id, docs["hiring.txt"].id
    strongest = max(edges, key=lambda e: e[2])
    assert {strongest[0], strongest[1]} == {budget, hiring}
    assert app.similarity_graph(threshold=1.01)[1] == []
    app.delete(hiring)
    nodes, edges = app.similarity_graph(threshold=-1.0)
    assert hiring not in nodes and all(hiring not in (a, b) for a, b, _ in edges)
