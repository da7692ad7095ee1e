"""Upload throughput and server memory: the workbench's resumable path against a plain upload.

    python benchmarks/uploads.py [--mb 1024] [--rounds 3] [--piece-mb 16]

It writes a file of ``--mb`` MB in a temporary folder (deleted at the end), starts its own
API process on a fresh data folder, and uploads the same file, alternating, ``--rounds``
times each way:

- **plain**: one ``multipart/form-data`` POST to ``/uploads`` (the streaming route the
  original client and ``curl -F`` use);
- **workbench**: what the dashboard's upload widget sends: ``POST uploads/sessions``,
  pieces of ``--piece-mb`` MB to ``uploads/sessions/{id}/chunks?offset=N`` on one
  keep-alive connection, then ``POST uploads/sessions/{id}/finish``.

Both count from the first byte sent until the recording exists (hashed, stored, listed).
After each upload the recording is deleted and purged so the next is not a duplicate.
The API process's resident memory (RSS) is sampled every 20 ms; growth is the peak during
an upload minus the RSS just before it.  Prints a table and the ratios; exits non-zero if
the targets are missed (workbench >= 0.8x plain, RSS growth < 50 MB).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
API = "/recordroute/api/v1"
BLOCK = 1 << 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_file(path: Path, megabytes: int) -> None:
    """``megabytes`` MB in which every MB differs (nothing compresses or dedupes)."""
    block = bytearray(os.urandom(BLOCK))
    with path.open("wb") as handle:
        for n in range(megabytes):
            block[:8] = n.to_bytes(8, "big")
            handle.write(block)


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
        env.update(
            RECORDROUTE_TOKEN=self.token,
            RECORDROUTE_MIN_FREE_MB="0",
            RECORDROUTE_MAX_UPLOAD_MB="65536",
            PYTHONPATH=str(REPO),
            HF_HUB_OFFLINE="1",
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
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self.proc.stdout is not None
        json.loads(self.proc.stdout.readline())  # the "listening" line
        self.process = psutil.Process(self.proc.pid)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = self.connect()
        headers = dict(self.auth)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, f"{API}{path}", body=data, headers=headers)
        reply = conn.getresponse()
        raw = reply.read()
        conn.close()
        return reply.status, json.loads(raw) if raw else None

    def remove(self, recording_id: str) -> None:
        for method, path in (("DELETE", ""), ("POST", "/purge")):
            status, body = self.call(method, f"/recordings/{recording_id}{path}")
            assert status < 300, body

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def send_file(conn: http.client.HTTPConnection, path: Path, start: int, length: int) -> None:
    with path.open("rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(BLOCK, left))
            conn.send(data)
            left -= len(data)


def plain_upload(server: Server, path: Path) -> str:
    size = path.stat().st_size
    mark = f"----rrbench{uuid.uuid4().hex}"
    head = (
        f'--{mark}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    tail = f"\r\n--{mark}--\r\n".encode()
    conn = server.connect()
    conn.putrequest("POST", f"{API}/uploads")
    for name, value in server.auth.items():
        conn.putheader(name, value)
    conn.putheader("Content-Type", f"multipart/form-data; boundary={mark}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.endheaders()
    conn.send(head)
    send_file(conn, path, 0, size)
    conn.send(tail)
    reply = conn.getresponse()
    body = json.loads(reply.read())
    conn.close()
    assert reply.status == 201, body
    return str(body["items"][0]["recording"]["id"])


def workbench_upload(server: Server, path: Path, piece: int) -> str:
    size = path.stat().st_size
    status, session = server.call(
        "POST", "/uploads/sessions", {"file_name": path.name, "size": size, "steps": None}
    )
    assert status == 201, session
    conn = server.connect()  # one keep-alive connection, as a browser keeps
    offset = 0
    while offset < size:
        length = min(piece, size - offset)
        conn.putrequest("POST", f"{API}/uploads/sessions/{session['id']}/chunks?offset={offset}")
        for name, value in server.auth.items():
            conn.putheader(name, value)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        send_file(conn, path, offset, length)
        reply = conn.getresponse()
        body = json.loads(reply.read())
        assert reply.status == 200, body
        offset = int(body["received_bytes"])
    conn.close()
    status, done = server.call("POST", f"/uploads/sessions/{session['id']}/finish")
    assert status == 201, done
    return str(done["recording"]["id"])


class RssPeak:
    """Samples a process's RSS in a thread; ``peak`` is the highest seen since start."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> RssPeak:
        self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(server: Server, upload: Callable[[], str]) -> tuple[float, int]:
    """(seconds, RSS growth in bytes) of one upload; the recording is removed after."""
    time.sleep(0.5)  # let the previous purge settle
    baseline = server.process.memory_info().rss
    with RssPeak(server.process) as rss:
        start = time.perf_counter()
        recording_id = upload()
        seconds = time.perf_counter() - start
    server.remove(recording_id)
    return seconds, rss.peak - baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=1024, help="file size in MB (default 1024)")
    parser.add_argument("--rounds", type=int, default=3, help="uploads each way (default 3)")
    parser.add_argument("--piece-mb", type=int, default=16, help="workbench piece size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rr-bench-uploads-") as scratch:
        folder = Path(scratch)
        path = folder / "big-recording.wav"
        began = time.perf_counter()
        make_file(path, args.mb)
        print(f"wrote a {args.mb} MB file in {time.perf_counter() - began:.1f} s")
        server = Server(folder / "db")
        try:
            server.call("GET", "/recordings")  # warm up the first request's code paths
            runs: dict[str, list[tuple[float, int]]] = {"plain": [], "workbench": []}
            ways: dict[str, Callable[[], str]] = {
                "plain": lambda: plain_upload(server, path),
                "workbench": lambda: workbench_upload(server, path, args.piece_mb << 20),
            }
            for n in range(args.rounds):
                order = ("plain", "workbench") if n % 2 == 0 else ("workbench", "plain")
                for way in order:
                    runs[way].append(measure(server, ways[way]))
                    seconds, growth = runs[way][-1]
                    print(
                        f"round {n + 1} {way:9s}: {args.mb / seconds:7.1f} MB/s "
                        f"({seconds:.2f} s), RSS +{growth / 2**20:.1f} MB"
                    )
        finally:
            server.stop()
    rows = {
        way: (
            statistics.median(args.mb / s for s, _ in results),
            max(g for _, g in results) / 2**20,
        )
        for way, results in runs.items()
    }
    ratio = rows["workbench"][0] / rows["plain"][0]
    print()
    print(f"{args.mb} MB file, {args.rounds} rounds each, median throughput, largest RSS growth")
    print()
    print("| path | MB/s (median) | RSS growth (max) |")
    print("|---|---:|---:|")
    for way, (rate, growth) in rows.items():
        print(f"| {way} | {rate:.1f} | {growth:.1f} MB |")
    print()
    print(f"workbench / plain throughput: {ratio:.2f}x (target >= 0.80x)")
    print(f"largest RSS growth, workbench path: {rows['workbench'][1]:.1f} MB (target < 50 MB)")
    return 0 if ratio >= 0.8 and rows["workbench"][1] < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
