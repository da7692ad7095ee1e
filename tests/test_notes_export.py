"""Notes for Obsidian: the note's shape, idempotent updates that keep the user's text,
renames, atomic writes, and a failure that never fails the job."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from recordroute.cli import main as cli_main
from recordroute.errors import ConfigError
from recordroute.notes import MARKER, recording_id_of
from tests.ask_support import build_archive


@pytest.fixture
def archive(tmp_path: Path) -> tuple[RecordRoute, dict[str, str], Path]:
    vault = tmp_path / "vault" / "RecordRoute"
    app = RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0))
    ids = build_archive(app, tmp_path / "files", ("budget.md", "garden.md", "bread.txt"))
    yield app, ids, vault
    app.close()


def test_note_has_front_matter_summary_and_transcript(
    archive: tuple[RecordRoute, dict[str, str], Path],
) -> None:
    app, ids, vault = archive
    app.recordings.add_tags(ids["budget.md"], ["회의", "2024 plans"])
    path = app.notes.export(ids["budget.md"], vault)
    text = path.read_text(encoding="utf-8")
    assert path.name == "budget.md"
    head, body = text.split("\n---\n", 1)
    assert head.startswith('---\ntitle: "budget.md"\n')
    assert f'recordroute_id: "{ids["budget.md"]}"' in head
    assert 'tags: ["2024-plans", "test", "회의"]' in head
    assert 'similar:\n  - "[[' in head  # the other recordings, as wikilinks
    assert '"[[garden]]"' in head or '"[[bread]]"' in head
    assert "## Summary" in body and "## Transcript" in body
    assert "**00:00:14** After a long discussion we decided to cut the travel budget" in body
    assert text.rstrip().endswith(MARKER)
    assert recording_id_of(text) == ids["budget.md"]
    document = app.notes.export(ids["bread.txt"], vault).read_text(encoding="utf-8")
    assert "Mix five hundred grams of flour" in document and "**00:00:00**" not in document


def test_rerun_is_idempotent_and_keeps_the_users_text(
    archive: tuple[RecordRoute, dict[str, str], Path],
) -> None:
    app, ids, vault = archive
    rid = ids["garden.md"]
    path = app.notes.export(rid, vault)
    first = path.read_text(encoding="utf-8")
    assert app.notes.export(rid, vault).read_text(encoding="utf-8") == first
    mine = "\n## My notes\n- ask 지훈 about the compost [[Gardening]]\n"
    path.write_text(first + mine, encoding="utf-8")
    app.recordings.rename(rid, "school garden.md")
    moved = app.notes.export(rid, vault)
    assert moved.name == "school garden.md" and not path.exists()  # renamed, not duplicated
    text = moved.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "school garden.md"')
    assert text.endswith(mine.lstrip("\n")) and text.count("## My notes") == 1
    again = app.notes.export(rid, vault).read_text(encoding="utf-8")
    assert again == text


def test_a_file_recordroute_did_not_write_is_kept_below_the_marker(
    archive: tuple[RecordRoute, dict[str, str], Path],
) -> None:
    app, ids, vault = archive
    vault.mkdir(parents=True)
    (vault / "budget.md").write_text("my own page about budgets\n", encoding="utf-8")
    text = app.notes.export(ids["budget.md"], vault).read_text(encoding="utf-8")
    assert text.split(MARKER, 1)[1].strip() == "my own page about budgets"
    leftovers = [p.name for p in vault.iterdir() if p.name != "budget.md"]
    assert leftovers == []  # no temp file is left behind


def test_notes_are_written_when_steps_finish_and_failures_only_reach_the_log(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "vault"
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, export_dir=str(vault))
    with RecordRoute(settings) as app:
        ids = build_archive(app, tmp_path / "files", ("rocket.md",))
        note = vault / "rocket.md"
        assert "seven point eight kilometres" in note.read_text(encoding="utf-8")
        job = app.jobs.list(recording_id=ids["rocket.md"])[0]
        assert "notes: rocket.md updated" in app.jobs.note(job.id)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "db2", min_free_mb=0, export_dir=str(blocked))
    with RecordRoute(settings) as app:
        ids = build_archive(app, tmp_path / "files2", ("rocket.md",))  # asserts the job is done
        job = app.jobs.list(recording_id=ids["rocket.md"])[0]
        assert job.state == "done"
        log = app.jobs.note(job.id)
        assert "notes: the note was not written" in log and "is a file, not a folder" in log


def test_unwritable_folder_is_a_clear_error(
    archive: tuple[RecordRoute, dict[str, str], Path], tmp_path: Path
) -> None:
    app, ids, _ = archive
    if os.geteuid() == 0:
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("x", encoding="utf-8")
        with pytest.raises(ConfigError, match="is a file, not a folder"):
            app.notes.export(ids["budget.md"], blocked)
    with pytest.raises(ConfigError, match="No folder for notes is set"):
        app.notes.export(ids["budget.md"])


def test_cli_export_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "db"
    with RecordRoute(Settings(data_dir=data, min_free_mb=0)) as app:
        build_archive(app, tmp_path / "files", ("budget.md", "rocket.md"))
    vault = tmp_path / "vault"
    assert cli_main(["export-notes", "--data-dir", str(data), "--to", str(vault), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert sorted(Path(p).name for p in written) == ["budget.md", "rocket.md"]
    assert cli_main(["export-notes", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert "No folder for notes is set" in err and "RECORDROUTE_EXPORT_DIR" in err
