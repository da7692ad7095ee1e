"""Load test of the API on loopback: many clients read history and search while an
upload and a job run.  Bounded: it stops by itself after ``--seconds``.

    python benchmarks/load.py [--clients 50] [--seconds 20] [--upload-mb 100]
    python benchmarks/load.py --history [--sizes 200 10000] [--seconds 10]

``--history`` runs the original client's hot path instead: ``GET /history`` from 4 client
threads against a baseline written from the original's method and against
``recordroute serve``, side by side on the same records (see history_baseline.py).

It starts its own API process (with one worker process) on a fresh data folder, adds
``--docs`` text recordings and indexes them, then runs the clients.  It prints one row
per route with the request count, errors, and p50/p95/p99/max latency in ms, and exits
non-zero if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

REPO = Path(__file__).resolve().parents[1]
API = "/recordroute/api/v1"
WORDS = [
    "budget",
    "marketing",
    "garden",
    "meeting",
    "spring",
    "travel",
    "design",
    "report",
    "customer",
    "release",
    "planning",
    "tomato",
    "invoice",
    "holiday",
    "server",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []

    def add(self, name: str, seconds: float, ok: bool, detail: str = "") -> None:
        self.latency.setdefault(name, []).append(seconds * 1000)
        if not ok:
            self.errors[name] = self.errors.get(name, 0) + 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{name}: {detail}")

    def table(self) -> str:
        rows = [
            "| route | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        every: list[float] = []
        for name, values in sorted(self.latency.items()):
            every += values
            rows.append(self._row(name, values, self.errors.get(name, 0)))
        rows.append(self._row("**all**", every, sum(self.errors.values())))
        return "\n".join(rows)

    @staticmethod
    def _row(name: str, values: list[float], errors: int) -> str:
        return (
            f"| {name} | {len(values)} | {errors} | {percentile(values, 50):.1f} | "
            f"{percentile(values, 95):.1f} | {percentile(values, 99):.1f} | "
            f"{max(values, default=float('nan')):.1f} |"
        )


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
        env.update(
            RECORDROUTE_TOKEN=self.token,
            RECORDROUTE_MIN_FREE_MB="0",
            HF_HUB_OFFLINE="1",
            PYTHONPATH=str(REPO),
            PYTHONWARNINGS="ignore",
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "recordroute.server",
                "--port",
                str(self.port),
                "--ws-port",
                "-1",
                "--data-dir",
                str(data_dir),
                "--worker-processes",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        json.loads(self.proc.stdout.readline())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url(path),
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=300) as reply:
            return json.loads(reply.read())

    def upload_text(self, name: str, text: str) -> str:
        boundary = "loadtest"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{name}"\r\n\r\n{text}\r\n--{boundary}--\r\n'
        ).encode()
        req = urllib.request.Request(
            self.url(f"{API}/uploads"),
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        with urllib.request.urlopen(req, timeout=60) as reply:
            return str(json.loads(reply.read())["items"][0]["recording"]["id"])

    def wait_job(self, job_id: str, timeout: float = 600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.call("GET", f"{API}/jobs/{job_id}")
            if job["state"] in ("done", "failed", "cancelled"):
                return job
            time.sleep(0.2)
        raise TimeoutError(job_id)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def seed(server: Server, docs: int) -> None:
    rng = random.Random(7)
    jobs = []
    for n in range(docs):
        text = " ".join(rng.choice(WORDS) for _ in range(300)) + f" document {n}."
        rid = server.upload_text(f"doc-{n:03d}.txt", text)
        jobs.append(
            server.call("POST", f"{API}/jobs", {"recording_id": rid, "steps": ["embed"]})["id"]
        )
    for job_id in jobs:
        assert server.wait_job(job_id)["state"] == "done", job_id


async def client(
    server: Server, http: AsyncHTTPClient, stats: Stats, stop_at: float, rng: random.Random
) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}
    routes = [
        ("GET /history", "/history", {}),
        ("GET /search (original)", "/search?q={w}", {}),
        ("GET /api/v1/search", f"{API}/search?q={{w}}&k=10", headers),
        ("GET /api/v1/recordings", f"{API}/recordings?limit=50", headers),
    ]
    while time.monotonic() < stop_at:
        name, path, sent = rng.choice(routes)
        url = server.url(path.format(w=rng.choice(WORDS)))
        started = time.monotonic()
        try:
            reply = await http.fetch(HTTPRequest(url, headers=sent, request_timeout=60))
            stats.add(name, time.monotonic() - started, reply.code == 200, str(reply.code))
        except (HTTPClientError, OSError) as exc:
            stats.add(name, time.monotonic() - started, False, repr(exc))


async def slow_upload(server: Server, megabytes: int, seconds: float) -> tuple[int, float]:
    """Stream a large upload over about ``seconds`` (so it overlaps the whole test)."""
    boundary = "big"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.wav"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = 1024 * 1024
    pause = max(0.0, seconds / megabytes * 0.8)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    started = time.monotonic()
    length = len(head) + megabytes * chunk + len(tail)
    writer.write(
        (
            f"POST {API}/uploads HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {server.token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode()
        + head
    )
    block = bytearray(os.urandom(chunk))
    for n in range(megabytes):
        block[:8] = n.to_bytes(8, "big")
        writer.write(bytes(block))
        await writer.drain()
        await asyncio.sleep(pause)
    writer.write(tail)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status, time.monotonic() - started


async def run(
    server: Server,
    clients: int,
    seconds: float,
    upload_mb: int,
    job_recording: str,
    job_steps: list[str],
    job_options: dict[str, Any],
) -> int:
    AsyncHTTPClient.configure(None, max_clients=clients)
    http = AsyncHTTPClient()
    stats = Stats()
    loop = asyncio.get_running_loop()
    job = await loop.run_in_executor(
        None,
        lambda: server.call(
            "POST",
            f"{API}/jobs",
            {"recording_id": job_recording, "steps": job_steps, "options": job_options},
        ),
    )
    # warm-up, not timed: the API process loads the embedding model on its first search
    await http.fetch(
        server.url(f"{API}/search?q=warmup"),
        headers={"Authorization": f"Bearer {server.token}"},
        request_timeout=120,
    )
    upload = asyncio.create_task(slow_upload(server, upload_mb, seconds))
    stop_at = time.monotonic() + seconds
    await asyncio.gather(
        *(client(server, http, stats, stop_at, random.Random(i)) for i in range(clients))
    )
    upload_status, upload_s = await upload
    finished = await loop.run_in_executor(None, server.wait_job, job["id"])
    total = sum(len(v) for v in stats.latency.values())
    print(
        f"\n{clients} clients for {seconds:.0f} s: {total} requests "
        f"({total / seconds:.0f}/s), {sum(stats.errors.values())} errors"
    )
    print(f"background upload: {upload_mb} MB -> HTTP {upload_status} in {upload_s:.1f} s")
    print(f"background job ({'+'.join(job_steps)}): {finished['state']}")
    print()
    print(stats.table())
    for sample in stats.error_samples:
        print("error:", sample)
    ok = not stats.errors and upload_status == 201 and finished["state"] == "done"
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--upload-mb", type=int, default=100)
    parser.add_argument("--history", action="store_true", help="GET /history vs the original")
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 10_000])
    args = parser.parse_args()
    if args.history:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from history_baseline import compare

        with tempfile.TemporaryDirectory(prefix="rr-history-") as tmp:
            say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
            return compare(args.sizes, args.seconds, Path(tmp), say)
    with tempfile.TemporaryDirectory(prefix="rr-load-") as tmp:
        server = Server(Path(tmp) / "db")
        try:
            started = time.monotonic()
            seed(server, args.docs)
            print(f"seeded {args.docs} indexed documents in {time.monotonic() - started:.1f} s")
            audio = REPO.parent / "shared" / "data" / "audio" / "jfk.flac"
            if audio.is_file():  # a real transcription runs in the worker meanwhile
                rid = upload_audio(server, audio)
                steps, options = ["transcribe", "embed"], {"whisper_model": "bundled-tiny.en"}
            else:
                rid = server.upload_text("job.txt", " ".join(WORDS * 2000))
                steps, options = ["embed"], {}
            return asyncio.run(
                run(server, args.clients, args.seconds, args.upload_mb, rid, steps, options)
            )
        finally:
            server.stop()


def upload_audio(server: Server, path: Path) -> str:
    boundary = "audio"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{path.name}"\r\n\r\n'
    ).encode() + path.read_bytes()
    body += f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        server.url(f"{API}/uploads"),
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {server.token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(req, timeout=60) as reply:
        return str(json.loads(reply.read())["items"][0]["recording"]["id"])


if __name__ == "__main__":
    sys.exit(main())
