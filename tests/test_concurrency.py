"""Several processes writing one data folder: nothing lost, nothing locked, crashes survived."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from tests.conftest import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _spawn(data_dir: Path, count: int, label: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workers", str(data_dir), str(count), label],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_four_processes_add_two_hundred_each(tmp_path: Path) -> None:
    data_dir = tmp_path / "db"
    with RecordRoute(Settings(data_dir=data_dir)):  # create the schema once, up front
        pass
    workers = [_spawn(data_dir, 200, f"p{n}") for n in range(4)]
    outputs = [w.communicate(timeout=600) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
        assert len(out.split()) == 200
    with RecordRoute(Settings(data_dir=data_dir)) as app:
        recs = app.list_recordings()
        assert len(recs) == 800
        assert {r.id for r in recs} == {i for out, _ in outputs for i in out.split()}
        assert sorted(len(app.list_recordings(tag=f"p{n}")) for n in range(4)) == [200] * 4
        assert len(list((data_dir / "uploads").iterdir())) == 800


def test_threads_share_one_facade(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:

        def work(n: int) -> None:
            try:
                for i in range(25):
                    src = tmp_path / f"t{n}-{i}.txt"
                    src.write_text(f"{n}/{i}")
                    app.add_file(src)
                    app.list_recordings(limit=5)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert app.recordings.count() == 100


@pytest.mark.slow
def test_sigkill_mid_write_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data_dir = tmp_path / "db"
    with RecordRoute(Settings(data_dir=data_dir)):
        pass
    worker = _spawn(data_dir, 100_000, "crash")
    acknowledged: list[str] = []
    assert worker.stdout is not None
    deadline = time.monotonic() + 120
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = worker.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    worker.stdout.close()
    assert worker.stderr is not None
    worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 150
    with RecordRoute(Settings(data_dir=data_dir, min_free_mb=0)) as app:
        stored = {r.id for r in app.list_recordings()}
        assert set(acknowledged) <= stored
        for rid in acknowledged:
            art = app.recordings.artifacts(rid)[0]
            assert app.recordings.artifact_path(art.id).read_bytes().startswith(b"crash ")
        # and the store keeps working after the crash
        app.add_file(_file(tmp_path, "after.txt"))
        integrity = app._library.db.query("PRAGMA integrity_check")[0][0]
        assert integrity == "ok"


def _file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text("after the crash")
    return path
