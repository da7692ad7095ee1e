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
    app.recordings.save_artifact(
        rec.id, "segments", "json", '{"segments": [{"start": 0.0, "end": 2.5, "text": "hello"}]}'
    )
    app.recordings.save_artifact(rec.id, "transcript", "md", "[00:00:00 - 00:00:02] hello\n")
    assert app.transcript_segments(rec.id) == [Segment(0.0, 2.5, "hello")]  # the precise times
    app.transcripts.edit(rec.id, "[00:00:00 - 00:00:02] hello there\n[00:00:02 - 00:00:04] bye\n")
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
    assert app.steps.status(doc.id) == {
        "ingest": "missing",
        "summarize": "missing",
        "title": "missing",
        "keywords": "missing",
        "embed": "missing",
    }
    assert app.steps.missing(doc.id) == ["ingest", "summarize", "title", "keywords", "embed"]
    queued = app.jobs.submit(doc.id, ["keywords"])
    assert app.steps.status(doc.id)["keywords"] == "queued"
    assert "keywords" not in app.steps.missing(doc.id)
    app.jobs.run(queued.id)
    status = app.steps.status(doc.id)
    assert (status["ingest"], status["keywords"], status["embed"]) == ("done", "done", "missing")
    app.steps.reset(doc.id, ["stt"])  # a reset removes the outputs: missing again
    assert app.steps.status(doc.id)["keywords"] == "missing"
    app.process(doc.id, ["keywords"])
    app.jobs.cancel(app.jobs.submit(doc.id, ["keywords"]).id)
    assert app.steps.status(doc.id)["keywords"] == "done"  # the earlier output still stands
    audio = app.add_file(tiny_wav(tmp_path / "a.wav"))
    assert list(app.steps.status(audio.id)) == [
        "ingest",
        "transcribe",
        "diarize",
        "summarize",
        "title",
        "keywords",
        "embed",
    ]
    bad = app.add_file(write(tmp_path / "broken.pdf", b"%PDF-1.4 broken"))
    app.process(bad.id, ["keywords"])
    assert app.steps.status(bad.id)["ingest"] == "failed"
    assert app.steps.status(bad.id)["keywords"] == "failed"
    cancelled = app.jobs.submit(audio.id, ["transcribe"])
    app.jobs.cancel(cancelled.id)
    assert app.steps.status(audio.id)["transcribe"] == "cancelled"
    assert "transcribe" in app.steps.missing(audio.id)


def test_keyword_counts_per_period_skip_deleted_recordings(
    app: RecordRoute, tmp_path: Path
) -> None:
    a = add_text(app, tmp_path, "a.txt", "예산은 예산을 검토했다 budget")
    b = add_text(app, tmp_path, "b.txt", "budget budget plan")
    for rec in (a, b):
        app.process(rec.id, ["keywords"])
    overall = app.insights.keyword_counts()
    assert list(overall) == ["all"] and overall["all"]["budget"] == 3
    assert overall["all"]["예산"] == 2  # particles stripped
    month = a.created_at.astimezone().strftime("%Y-%m")
    assert app.insights.keyword_counts(period="month", top=1) == {month: {"budget": 3}}
    year, week, _ = a.created_at.astimezone().isocalendar()
    assert list(app.insights.keyword_counts(period="week")) == [f"{year}-W{week:02d}"]
    app.recordings.delete(b.id)
    assert app.insights.keyword_counts()["all"]["budget"] == 1
    with pytest.raises(InvalidInputError, match="'day' is not a period"):
        app.insights.keyword_counts(period="day")


def test_similarity_graph(app: RecordRoute, tmp_path: Path) -> None:
    assert app.insights.similarity_graph() == ([], [])
    docs = indexed(app, tmp_path, DOCS)
    add_text(app, tmp_path, "unindexed.txt", "never embedded")
    nodes, edges = app.insights.similarity_graph(threshold=-1.0)
    ids = {r.id for r in docs.values()}
    assert set(nodes) == ids
    assert len(edges) == 3 and all(a < b and -1 <= s <= 1 for a, b, s in edges)
    budget, hiring = docs["budget.txt"].id, docs["hiring.txt"].id
    strongest = max(edges, key=lambda e: e[2])
    assert {strongest[0], strongest[1]} == {budget, hiring}
    assert app.insights.similarity_graph(threshold=1.01)[1] == []
    app.recordings.delete(hiring)
    nodes, edges = app.insights.similarity_graph(threshold=-1.0)
    assert hiring not in nodes and all(hiring not in (a, b) for a, b, _ in edges)
