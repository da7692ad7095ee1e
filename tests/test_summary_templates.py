"""Summary templates through the facade, the command line and the database.

Custom templates are stored in a real SQLite file; templates are chosen per job, per
recording, per tag and by setting; re-summarising the archive keeps the user's edits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.summary_texts import load
from recordroute import RecordRoute, Settings
from recordroute.cli import main
from recordroute.errors import ConfigError, CorruptDataError, InvalidInputError, NotFoundError
from tests.conftest import write

STANDUP = {
    "name": "standup",
    "instructions": "What blocks the work.",
    "sections": [
        {"title": "Money", "cues": ["euros", "budget"]},
        {"title": "Furniture", "instruction": "desks and chairs", "source": "query"},
    ],
}


def _office(app: RecordRoute, tmp_path: Path, name: str = "office.txt") -> str:
    text = "\n".join(s.text for s in load("meeting-office-en").segments)
    return app.recordings.add_file(write(tmp_path / name, text), tags=["facilities"]).id


def _headings(app: RecordRoute, rid: str) -> list[str]:
    summary = app.recordings.latest_artifact(rid, "summary", "md")
    assert summary is not None
    text = app.recordings.read_text(summary.id)
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


def test_custom_templates_are_stored_listed_and_deleted(app: RecordRoute) -> None:
    saved = app.summaries.save(STANDUP)
    assert [t.name for t in app.summaries.list()] == ["meeting", "lecture", "interview", "standup"]
    assert app.summaries.get("standup") == saved
    with pytest.raises(InvalidInputError, match="'meeting' is a built-in template and cannot be"):
        app.summaries.delete("meeting")
    app.summaries.set_tag_template("standups", "standup")
    app.summaries.delete("standup")
    assert app.summaries.tag_templates() == {}  # the tag falls back to the defaults
    with pytest.raises(NotFoundError, match="There is no custom template 'standup'"):
        app.summaries.delete("standup")
    with pytest.raises(NotFoundError, match="There is no summary template 'standup'"):
        app.summaries.set_tag_template("standups", "standup")
    with pytest.raises(InvalidInputError, match="The tag is empty"):
        app.summaries.set_tag_template(" ", "lecture")


def test_a_template_is_chosen_by_job_recording_tag_then_setting(
    app: RecordRoute, tmp_path: Path
) -> None:
    rid = _office(app, tmp_path)
    rec = app.recordings.get(rid)
    assert app.summaries.default_template(rec) == "meeting"
    app.summaries.set_tag_template("facilities", "lecture")
    assert app.summaries.recording_template(rid) == "lecture"
    app.summaries.save(STANDUP)
    app.summaries.set_recording_template(rid, "standup")
    assert app.summaries.recording_template(rid) == "standup"
    assert app.process(rid, ["summarize"]).state == "done"
    assert _headings(app, rid) == ["Money", "Furniture"]
    job = app.process(rid, ["summarize"], {"template": "interview"})
    assert job.state == "done" and _headings(app, rid)[1:3] == ["Key points", "Notable statements"]
    app.summaries.set_recording_template(rid, None)
    assert app.process(rid, ["summarize"]).state == "done"
    assert _headings(app, rid)[:2] == ["Topics", "Key concepts"]  # the tag's lecture
    summary = app.recordings.latest_artifact(rid, "summary", "md")
    assert summary is not None and summary.meta["template"] == "lecture"


def test_jobs_with_unknown_templates_or_modes_are_refused(app: RecordRoute, tmp_path: Path) -> None:
    rid = _office(app, tmp_path)
    with pytest.raises(NotFoundError, match="There is no summary template 'minutes'"):
        app.jobs.submit(rid, ["summarize"], {"template": "minutes"})
    with pytest.raises(InvalidInputError, match="'creative' is not a summary mode"):
        app.jobs.submit(rid, ["summarize"], {"summary_mode": "creative"})
    assert app.jobs.list() == []
    job = app.process(rid, ["summarize"], {"summary_mode": "extractive"})
    summary = app.recordings.latest_artifact(rid, "summary", "md")
    assert job.state == "done" and summary is not None
    assert summary.meta["mode_reason"] == "asked"


def test_settings_choose_the_default_template_and_mode(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "db",
        min_free_mb=0,
        summary_template="lecture",
        summary_mode="extractive",
    )
    with RecordRoute(settings) as app:
        rid = _office(app, tmp_path)
        assert app.process(rid, ["summarize"]).state == "done"
        summary = app.recordings.latest_artifact(rid, "summary", "md")
        assert summary is not None
        assert (summary.meta["template"], summary.meta["mode_reason"]) == ("lecture", "asked")
    with pytest.raises(ConfigError, match="RECORDROUTE_SUMMARY_MODE='free' is not allowed"):
        Settings(summary_mode="free")
    with pytest.raises(ConfigError, match="RECORDROUTE_SUMMARY_TEMPLATE='My Notes' is not a"):
        Settings(summary_template="My Notes")


def test_a_damaged_stored_template_is_reported_not_read_as_empty(app: RecordRoute) -> None:
    app.summaries.save(STANDUP)
    with app._library.db.write() as conn:  # as a damaged file or a foreign writer leaves it
        conn.execute("UPDATE summary_templates SET body = '[1, 2]' WHERE name = 'standup'")
    with pytest.raises(CorruptDataError, match="'standup' is not a JSON object"):
        app.summaries.get("standup")


def test_resummarising_the_archive_keeps_edited_transcripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db"
    with RecordRoute(Settings(data_dir=db, min_free_mb=0)) as app:
        first = _office(app, tmp_path)
        second = app.recordings.add_file(write(tmp_path / "b.txt", "We decided to ship.")).id
        app.transcripts.edit(
            second, "We decided to ship the new app on Friday.\nMina will write the notes.\n"
        )
    assert main(["process", "--all", "--steps", "summarize", "title", "--data-dir", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"{first}  office.txt  done" in out and f"{second}  b.txt  done" in out
    with RecordRoute(Settings(data_dir=db, min_free_mb=0)) as app:
        transcript = app.recordings.latest_artifact(second, "transcript", "md")
        assert transcript is not None and transcript.edited
        assert "Friday" in app.recordings.read_text(transcript.id)
        summary = app.recordings.latest_artifact(second, "summary", "md")
        assert summary is not None
        assert "We decided to ship the new app on Friday." in app.recordings.read_text(summary.id)
        assert app.recordings.get(second).title == "We decided to ship the new app on Friday"
        for job in app.jobs.list():
            assert job.steps == ("ingest", "summarize", "title")
    assert main(["process", "--data-dir", str(db)]) == 1
    assert "Say what to process: some FILEs, or --all" in capsys.readouterr().err


def test_templates_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db")
    spec = write(tmp_path / "standup.json", json.dumps(STANDUP))
    assert main(["templates", "add", str(spec), "--data-dir", db]) == 0
    assert "saved standup" in capsys.readouterr().out
    assert main(["templates", "use", "lecture", "--tag", "강의", "--data-dir", db]) == 0
    assert "#강의 uses lecture" in capsys.readouterr().out
    assert main(["templates", "--data-dir", db]) == 0
    listing = capsys.readouterr().out
    assert "standup      custom    Money | Furniture" in listing and "#강의 uses lecture" in listing
    assert main(["templates", "show", "lecture", "--json", "--data-dir", db]) == 0
    assert json.loads(capsys.readouterr().out)["sections"][2]["title"] == "Definitions"
    assert main(["templates", "use", "none", "--tag", "강의", "--data-dir", db]) == 0
    assert "#강의 uses the default" in capsys.readouterr().out
    assert main(["templates", "delete", "standup", "--data-dir", db]) == 0
    assert main(["templates", "use", "lecture", "--data-dir", db]) == 1
    assert "--tag TAG or --recording ID" in capsys.readouterr().err
    assert main(["templates", "show", "--data-dir", db]) == 1
    assert "needs a NAME" in capsys.readouterr().err
    bad = write(tmp_path / "bad.json", "[1]")
    assert main(["templates", "add", str(bad), "--data-dir", db]) == 1
    assert "holds list, not an object" in capsys.readouterr().err
    assert main(["templates", "add", str(tmp_path / "missing.json"), "--data-dir", db]) == 1
    assert "Cannot read the template file" in capsys.readouterr().err
