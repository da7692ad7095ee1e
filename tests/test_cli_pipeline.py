"""The pipeline from the shell: process, search, similar, jobs, worker, reindex."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from recordroute.cli import main
from tests.conftest import REPO, write


def test_process_reports_each_file_and_fails_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db")
    good = write(tmp_path / "notes.txt", "예산 회의 예산")
    bad = write(tmp_path / "bad.pdf", b"%PDF-1.4 broken")
    assert main(["process", str(good), "--steps", "keywords", "--data-dir", db]) == 0
    assert "notes.txt  done" in capsys.readouterr().out
    # the same file again reuses its recording instead of failing as a duplicate
    assert main(["process", str(good), "--steps", "keywords", "--data-dir", db, "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)
    assert jobs[0]["state"] == "done" and jobs[0]["steps"] == ["ingest", "keywords"]
    assert main(["process", str(bad), "--steps", "keywords", "--data-dir", db]) == 1
    assert "failed: The PDF 'bad.pdf' cannot be read" in capsys.readouterr().out
    assert main(["jobs", "--data-dir", db]) == 0
    listing = capsys.readouterr().out
    assert listing.count("done") == 2 and "failed" in listing
    failed_id = next(line.split()[0] for line in listing.splitlines() if "failed" in line)
    assert main(["jobs", "--retry", failed_id, "--data-dir", db]) == 0
    assert f"{failed_id}  queued" in capsys.readouterr().out
    assert main(["jobs", "--cancel", failed_id, "--data-dir", db]) == 0
    assert f"{failed_id}  cancelled" in capsys.readouterr().out
    assert main(["process", str(good), "--steps", "fly", "--data-dir", db]) == 1
    assert "'fly' is not a pipeline step" in capsys.readouterr().err


@pytest.mark.slow
def test_search_similar_and_reindex_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db")
    a = write(tmp_path / "budget.txt", "The budget for the new office was approved.")
    b = write(tmp_path / "예산.txt", "새 사무실 예산이 승인되었습니다.")
    c = write(tmp_path / "cake.txt", "Bake the cake for forty minutes.")
    for path in (a, b, c):
        assert main(["process", str(path), "--steps", "embed", "--data-dir", db]) == 0
    capsys.readouterr()
    assert main(["search", "office budget", "--data-dir", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split("  ", 1)[1].startswith("budget.txt")
    assert "«budget»" in out or "«office»" in out
    with RecordRoute(Settings(data_dir=db)) as app:
        rid = next(r.id for r in app.list_recordings() if r.display_name == "예산.txt")
    assert main(["similar", rid, "--data-dir", db]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("budget.txt")
    assert main(["reindex", "--data-dir", db]) == 0
    assert "re-embedded 3 chunks with use:bundled-use-multilingual" in capsys.readouterr().out
    assert main(["search", "zzzz qqqq", "--data-dir", db, "--kind", "pdf"]) == 0
    assert "nothing found for 'zzzz qqqq'" in capsys.readouterr().out


@pytest.mark.slow
def test_search_says_nothing_found_with_suggestions_and_lists_weaker_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db")
    for name, text in (
        ("budget.txt", "The budget for the new office was approved."),
        ("cake.txt", "Bake the cake for forty minutes."),
    ):
        assert (
            main(
                ["process", str(write(tmp_path / name, text)), "--steps", "embed", "--data-dir", db]
            )
            == 0
        )
    capsys.readouterr()
    assert main(["search", "officce quantum", "--data-dir", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("nothing found for 'officce quantum'")
    assert "try: office quantum | office" in out
    assert "2 weaker matches: add --weaker to list them" in out
    assert main(["search", "officce quantum", "--weaker", "--json", "--data-dir", db]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["nothing_found"] is True and found["hits"] == []
    assert found["suggestions"] == ["office quantum", "office"]
    assert len(found["weaker"]) == 2
    assert all(hit["evidence"]["relevant"] is False for hit in found["weaker"])
    assert main(["search", "cake", "--json", "--data-dir", db]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [hit["snippet"] for hit in found["hits"]] == ["Bake the «cake» for forty minutes."]


def test_worker_process_runs_jobs_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "db"
    with RecordRoute(Settings(data_dir=db, min_free_mb=0)) as app:
        rec = app.add_file(write(tmp_path / "a.txt", "alpha beta"))
        job = app.jobs.submit(rec.id, ["keywords"])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "recordroute", "worker", "--data-dir", str(db)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with RecordRoute(Settings(data_dir=db, min_free_mb=0)) as app:
            deadline = time.monotonic() + 60
            while app.jobs.get(job.id).state != "done" and time.monotonic() < deadline:
                time.sleep(0.1)
            assert app.jobs.get(job.id).state == "done"
            assert [j.id for j in app.jobs.changed_since("2000-01-01")] == [job.id]
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "running jobs from" in err
