"""Job throughput: many small jobs through the queue against the same work done inline.

    python benchmarks/jobs.py [--notes 200] [--workers 1 2]

Each run starts from a fresh data folder holding ``--notes`` short text notes, and does
the same work on every note: the ``ingest`` step (read the text, write its transcript)
and the ``embed`` step (chunk, embed with the bundled multilingual sentence encoder,
publish to the search index).

- **inline**: the two step functions called one note after another in this process,
  with no job at all (no queue, no job rows, no progress, no events): the floor.
- **jobs here**: ``app.jobs.process`` per note in this process (job rows, progress and
  events, but no hand-over to another process).
- **queue, N workers**: all jobs submitted at once from this process, run by N
  ``recordroute worker`` processes (what ``recordroute serve`` does), timed from the
  first submit until every job is done.
- **one by one**: the original client's pattern: submit a job, wait for it to finish,
  then submit the next (worker in another process, finish seen by polling the store
  the way a client would, every 10 ms).

The embedding model is loaded before any timing, in every process.  The table prints
seconds, jobs per second and the ratio to inline.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recordroute import RecordRoute, Settings  # noqa: E402
from recordroute.app.pipeline_adapters import IndexSink, RecordingStoreAdapter  # noqa: E402
from recordroute.pipeline.steps import STEPS, StepContext  # noqa: E402
from recordroute.storage.keywords import KeywordRepository  # noqa: E402

WORDS = (
    "budget meeting travel hiring design release customer invoice garden spring "
    "예산 회의 출장 채용 디자인 출시 고객 정원 봄 계획"
).split()


def notes(folder: Path, count: int, seed: int = 11) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"note-{n:04d}.txt"
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        path.write_text(f"{words} 메모 {seed}-{n}.")
        paths.append(path)
    return paths


def archive(root: Path, count: int) -> tuple[RecordRoute, list[str]]:
    app = RecordRoute(Settings(data_dir=root / "db", min_free_mb=0))
    ids = [app.recordings.add_file(p).id for p in notes(root / "notes", count)]
    app.engines.embed(["warm up the model"])
    return app, ids


def inline(app: RecordRoute, ids: list[str]) -> None:
    library = app._library
    store = RecordingStoreAdapter(library, KeywordRepository(library.db))
    sink = IndexSink(lambda: app.search.index, app.engines.embedding_model_key)
    embedder = app.engines.embedder()
    for rid in ids:
        ctx = StepContext(
            recording=library.get(rid),
            store=store,
            options={},
            report=lambda fraction, stage: None,
            should_cancel=lambda: False,
            transcriber=lambda: None,  # type: ignore[arg-type,return-value]
            language_model=lambda: None,  # type: ignore[arg-type,return-value]
            embedder=lambda: embedder,
            search=sink,
            probe_duration=None,
        )
        STEPS["ingest"](ctx)
        STEPS["embed"](ctx)


def jobs_here(app: RecordRoute, ids: list[str]) -> None:
    for rid in ids:
        assert app.jobs.process(rid, ["embed"]).state == "done"


def start_workers(data_dir: Path, count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "RECORDROUTE_MIN_FREE_MB": "0"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "recordroute", "--data-dir", str(data_dir), "worker"],
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(count)
    ]
    for proc in procs:  # ready once it has said so (its model loads on its first job)
        assert proc.stderr is not None
        proc.stderr.readline()
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(60)


def warm_worker(app: RecordRoute, root: Path) -> None:
    """One untimed job, so each worker's one-off model load is not in the numbers."""
    warm = notes(root / "warm", 4, seed=99)
    jobs = [app.jobs.submit(app.recordings.add_file(p).id, ["embed"]) for p in warm]
    wait_all(app, [j.id for j in jobs])


def wait_all(app: RecordRoute, job_ids: list[str], poll_s: float = 0.01) -> None:
    pending = set(job_ids)
    while pending:
        done = {j for j in pending if app.jobs.get(j).state in ("done", "failed", "cancelled")}
        for job_id in done:
            assert app.jobs.get(job_id).state == "done", app.jobs.get(job_id).error
        pending -= done
        if pending:
            time.sleep(poll_s)


def queued(app: RecordRoute, ids: list[str], workers: int, root: Path) -> float:
    procs = start_workers(app.data_dir, workers)
    try:
        warm_worker(app, root)
        started = time.perf_counter()
        job_ids = [app.jobs.submit(rid, ["embed"]).id for rid in ids]
        wait_all(app, job_ids)
        return time.perf_counter() - started
    finally:
        stop_workers(procs)


def one_by_one(app: RecordRoute, ids: list[str], root: Path) -> float:
    procs = start_workers(app.data_dir, 1)
    try:
        warm_worker(app, root)
        started = time.perf_counter()
        for rid in ids:
            wait_all(app, [app.jobs.submit(rid, ["embed"]).id])
        return time.perf_counter() - started
    finally:
        stop_workers(procs)


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        runs: list[tuple[str, object]] = [
            ("inline (steps, no job)", lambda app, ids, root: timed(lambda: inline(app, ids))),
            (
                "jobs here (app.jobs.process)",
                lambda app, ids, root: timed(lambda: jobs_here(app, ids)),
            ),
            *[
                (
                    f"queue, {n} worker process{'es' if n > 1 else ''}",
                    lambda app, ids, root, n=n: queued(app, ids, n, root),
                )
                for n in args.workers
            ],
            ("one by one, 1 worker process", one_by_one),
        ]
        for n, (label, run) in enumerate(runs):
            root = base / f"run{n}"
            app, ids = archive(root, args.notes)
            try:
                seconds = run(app, ids, root)  # type: ignore[operator]
            finally:
                app.close()
            rows.append((label, seconds))
            print(f"  {label}: {seconds:.2f} s", file=sys.stderr, flush=True)
    floor = rows[0][1]
    print(f"\n{args.notes} text notes, steps ingest + embed, {os.cpu_count()} CPUs\n")
    print("| run | seconds | jobs/s | x inline |")
    print("|---|---:|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {args.notes / seconds:.1f} | {seconds / floor:.2f} |")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
