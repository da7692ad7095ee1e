"""``GET /history`` side by side: the original RecordRoute's method against ``recordroute serve``.

Run through ``python benchmarks/load.py --history`` (see there).  This module holds:

- the baseline, written from the original's method (section 1 of the original's spec): a
  ``ThreadingHTTPServer`` whose ``/history`` reads ``upload_history.json`` from disk on
  every request, back-fills missing keys, drops deleted records and sends the rest as JSON.
  The original also cut the history to 100 records; that cap is removed here so that both
  servers send every record;
- a seeded archive: ``N`` recordings (with transcript and summary files recorded, tags, a
  title) in a RecordRoute data folder, and the same records written as the original's
  ``upload_history.json`` (RecordRoute's own export of that folder);
- a client: 4 threads, each sending ``GET /history`` on a new connection in a loop, as a
  polling web page does.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

#: keys the original back-filled on load (its ``ensure_history_schema``)
DEFAULTS: dict[str, Any] = {
    "title_summary": "",
    "tags": [],
    "file_hash": None,
    "deleted": False,
    "deleted_at": None,
    "deleted_assets": {},
    "completed_tasks": {},
    "download_links": {},
}


# -- the baseline ------------------------------------------------------------------------
class OriginalHistoryHandler(BaseHTTPRequestHandler):
    """The original's ``/history``: read the file, back-fill, filter, answer."""

    history_file: Path

    def do_GET(self) -> None:
        if self.path != "/history":
            self.send_response(404)
            self.end_headers()
            return
        with self.history_file.open(encoding="utf-8") as handle:
            records = json.load(handle)
        for record in records:
            for key, value in DEFAULTS.items():
                record.setdefault(key, value)
        active = [r for r in records if not r.get("deleted")]
        body = json.dumps(active, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the original suppressed its 200 lines; nothing else happens here


def serve_original(history_file: Path, port: int) -> None:
    """Run the baseline until killed (called in its own process)."""
    OriginalHistoryHandler.history_file = history_file
    server = ThreadingHTTPServer(("127.0.0.1", port), OriginalHistoryHandler)
    print("ready", flush=True)
    server.serve_forever()


# -- the archive -------------------------------------------------------------------------
def seed(data_dir: Path, count: int) -> Path:
    """``count`` recordings in a RecordRoute data folder; returns the original-format file."""
    sys.path.insert(0, str(REPO))
    from recordroute import RecordRoute, Settings
    from recordroute.models import Artifact, Recording

    app = RecordRoute(Settings(data_dir=data_dir, min_free_mb=0))
    library = app._library  # a benchmark may seed through the store directly: it is fast
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with library.db.write() as conn:
        for n in range(count):
            moment = start + timedelta(minutes=n)
            rec = Recording(
                id=str(uuid.uuid4()),
                display_name=f"회의록 {n:05d}.m4a",
                original_name=f"meeting-{n:05d}.m4a",
                kind="audio",
                sha256=secrets.token_hex(32),
                size_bytes=1_000_000 + n,
                created_at=moment,
                updated_at=moment,
                duration_s=600.0 + n % 300,
                title=f"주간 회의 {n}: 예산과 일정",
                tags=("회의", "2026"),
            )
            library.repo.insert(conn, rec, None)
            for kind, fmt in (("source", "m4a"), ("transcript", "md"), ("summary", "md")):
                name = f"meeting-{n:05d}.{kind}.{fmt}"
                library.repo.insert_artifact(
                    conn,
                    Artifact(
                        id=str(uuid.uuid4()),
                        recording_id=rec.id,
                        kind=kind,
                        format=fmt,
                        file_name=name,
                        rel_path=f"outputs/{rec.id}/{name}",
                        size_bytes=1000,
                        sha256=secrets.token_hex(32),
                        created_at=moment,
                        updated_at=moment,
                    ),
                )
    target = app.legacy.export_file(data_dir.parent / "original", overwrite=True)
    app.close()
    return target


# -- the servers and the client ------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_original(history_file: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
        "from history_baseline import serve_original; "
        "serve_original(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(history_file), str(port), str(REPO / "benchmarks")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc, port


def start_recordroute(data_dir: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
    env.update(RECORDROUTE_MIN_FREE_MB="0", PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recordroute.server",
            "--port",
            str(port),
            "--ws-port",
            "-1",
            "--data-dir",
            str(data_dir),
            "--worker-processes",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    json.loads(proc.stdout.readline())
    return proc, port


def get_history(port: int, etag: str | None = None) -> tuple[int, float, str | None, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"If-None-Match": etag} if etag else {}
    conn.request("GET", "/history", headers=headers)
    reply = conn.getresponse()
    body = reply.read()
    conn.close()
    return reply.status, time.perf_counter() - started, reply.getheader("ETag"), len(body)


def hammer(
    port: int, seconds: float, threads: int = 4, revalidate: bool = False
) -> dict[str, float]:
    """``threads`` clients in a loop for ``seconds``: requests/s and latency percentiles."""
    status, _, etag, size = get_history(port)  # warm-up, and the body size
    assert status == 200
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        while time.monotonic() < stop_at:
            code, took, _, _ = get_history(port, etag if revalidate else None)
            mine.append(took)
            if code not in (200, 304):
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.sort()

    def pct(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "rps": len(latencies) / seconds,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "errors": errors[0],
        "bytes": size,
    }


def compare(sizes: list[int], seconds: float, tmp: Path, say: Callable[[str], None]) -> int:
    rows = []
    for count in sizes:
        folder = tmp / f"n{count}"
        started = time.monotonic()
        history_file = seed(folder / "db", count)
        say(f"seeded {count} records in {time.monotonic() - started:.1f} s")
        runs: list[tuple[str, Callable[[], tuple[subprocess.Popen[str], int]]], bool] = [
            ("original method", lambda f=history_file: start_original(f), False),
            ("recordroute serve", lambda d=folder / "db": start_recordroute(d), False),
            (
                "recordroute serve, If-None-Match",
                lambda d=folder / "db": start_recordroute(d),
                True,
            ),
        ]  # type: ignore[assignment]
        results = {}
        for label, start, revalidate in runs:  # type: ignore[misc]
            proc, port = start()
            try:
                results[label] = hammer(port, seconds, revalidate=revalidate)
            finally:
                proc.terminate()
                proc.wait(30)
            say(f"  {count} records, {label}: {results[label]['rps']:.0f} req/s")
        base = results["original method"]["rps"]
        for label, r in results.items():
            rows.append((count, label, r, r["rps"] / base))
    print("\n| records | server | req/s | p50 ms | p95 ms | body KB | errors | x original |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for count, label, r, ratio in rows:
        print(
            f"| {count} | {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['bytes'] / 1024:.0f} | {r['errors']:.0f} | {ratio:.2f} |"
        )
    return 0 if all(r["errors"] == 0 for _, _, r, _ in rows) else 1
