"""``recordroute serve``: the lines it prints, both children answering, clean stops."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from recordroute import RecordRoute, Settings
from tests.server_support import (
    API,
    REPO,
    child_env,
    descendants,
    free_port,
    multipart,
    request,
    wait_gone,
)

pytestmark = pytest.mark.slow


class Serve:
    def __init__(self, data_dir: Path, *args: str, workers: int = 1) -> None:
        self.port, self.ws_port = free_port(), free_port()
        self.stderr_path = data_dir.parent / "serve-stderr.txt"
        stderr = self.stderr_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "recordroute",
                "serve",
                "--db-path",
                str(data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ws-port",
                str(self.ws_port),
                "--dashboards",
                str(REPO / "dashboards"),
                "--workers",
                str(workers),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=child_env(RECORDROUTE_MIN_FREE_MB="0"),
            cwd=data_dir.parent,
        )
        stderr.close()
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.info: dict[str, Any] = {}

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def ready(self, timeout: float = 180) -> tuple[str, dict[str, Any]]:
        first = self.lines.get(timeout=timeout)
        self.info = json.loads(self.lines.get(timeout=10))
        return first, self.info

    def tree(self) -> tuple[str, int]:
        """Voila's folder page (answers without starting a kernel) and Voila's port."""
        parts = urllib.parse.urlsplit(self.info["dashboards"])
        assert parts.port is not None
        return f"/?{parts.query}", parts.port

    def family(self) -> list[int]:
        return [self.proc.pid, *descendants(self.proc.pid)]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[Serve] = []

    def start(*args: str, workers: int = 1) -> Serve:
        launched = Serve(tmp_path / "db", *args, workers=workers)
        started.append(launched)
        return launched

    yield start
    for launched in started:
        family = launched.family()
        launched.close()
        for pid in wait_gone(family, 10):
            psutil.Process(pid).kill()


def test_serve_prints_its_urls_both_children_answer_and_sigterm_stops_all(
    serve: Any, tmp_path: Path
) -> None:
    launched = serve()
    first, info = launched.ready()
    assert first == f"Server listening on http://127.0.0.1:{launched.port}"
    assert info["api"] == f"http://127.0.0.1:{launched.port}{API}"
    assert info["websocket"] == f"ws://127.0.0.1:{launched.port}{API}/events"
    assert info["compat_websocket"] == f"ws://127.0.0.1:{launched.ws_port}/"
    assert set(info["pids"]) == {"api", "voila", "worker-0"}
    token = info["token"]
    assert len(token) >= 32
    auth = {"Authorization": f"Bearer {token}"}
    assert request(launched.port, "GET", f"{API}/health").status == 200
    assert request(launched.port, "GET", "/history").json() == []
    root = request(launched.port, "GET", "/")
    assert root.status == 302 and "token" not in root.headers["location"]
    path, voila_port = launched.tree()
    assert request(voila_port, "GET", path).status == 200
    assert request(voila_port, "GET", "/").status in (302, 403)  # Voila wants the token
    # a job running in the worker when SIGTERM arrives is queued again (resumable)
    audio = REPO.parent / "shared" / "data" / "audio" / "jfk.flac"
    job: dict[str, Any] | None = None
    if audio.is_file():
        body, kind = multipart([("files", "jfk.flac", audio.read_bytes())])
        rec = request(
            launched.port,
            "POST",
            f"{API}/uploads",
            body=body,
            headers={**auth, "Content-Type": kind},
        ).json()["items"][0]["recording"]
        job = request(
            launched.port,
            "POST",
            f"{API}/jobs",
            headers=auth,
            json_body={
                "recording_id": rec["id"],
                "steps": ["transcribe"],
                "options": {"whisper_model": "bundled-tiny.en"},
            },
        ).json()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = request(launched.port, "GET", f"{API}/jobs/{job['id']}", headers=auth)
            if state.json()["state"] != "queued":
                break
            time.sleep(0.05)
    family = launched.family()
    assert len(family) >= 4
    launched.proc.send_signal(signal.SIGTERM)
    assert launched.proc.wait(90) == 0
    assert wait_gone(family, 30) == []
    if job is not None:
        with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:
            after = app.jobs.get(job["id"])
        assert after.state in ("queued", "done"), after
        if after.state == "queued":
            assert "interrupted" in after.error


def test_a_dead_child_stops_the_others_and_the_launcher_fails(serve: Any) -> None:
    launched = serve()
    _, info = launched.ready()
    family = launched.family()
    psutil.Process(info["pids"]["voila"]).kill()
    assert launched.proc.wait(90) != 0
    assert wait_gone(family, 30) == []


def test_shutdown_with_the_token_stops_everything_cleanly(serve: Any) -> None:
    token = "a-configured-token-0123456789"
    launched = serve("--token", token, workers=0)
    _, info = launched.ready()
    assert info["token"] is None  # a configured token is not printed
    assert "token" not in info["dashboards"]
    family = launched.family()
    # failed requests are logged with their URL by the API and by Voila: never the token
    _, voila_port = launched.tree()
    assert request(voila_port, "GET", f"/nothing-here?token={token}").status == 404
    assert request(launched.port, "GET", f"{API}/nothing-here?token={token}").status == 404
    assert request(launched.port, "POST", "/shutdown").status == 401
    reply = request(
        launched.port, "POST", "/shutdown", headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.status == 200
    assert launched.proc.wait(90) == 0
    assert wait_gone(family, 30) == []
    logged = launched.stderr_path.read_text(encoding="utf-8")
    assert "404 GET /nothing-here?token=[redacted]" in logged, logged[-3000:]  # Voila
    assert f"404 GET {API}/nothing-here?token=[redacted]" in logged, logged[-3000:]
    assert token not in logged
    assert token not in (launched.stderr_path.parent / "db" / "log" / "recordroute.log").read_text(
        encoding="utf-8"
    )


def test_a_failed_start_prints_no_listening_line_and_says_why(tmp_path: Path) -> None:
    """The Electron shell opens its window when it reads ``Server listening on``: a server
    that cannot start must never print it, and must exit non-zero with the reason."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "recordroute",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--ws-port",
                str(free_port()),
                "--db-path",
                str(tmp_path / "db"),
                "--dashboards",
                str(REPO / "dashboards"),
                "--workers",
                "0",
            ],
            capture_output=True,
            text=True,
            env=child_env(RECORDROUTE_MIN_FREE_MB="0"),
            cwd=tmp_path,
            timeout=300,
        )
    assert done.returncode != 0
    assert "Server listening on" not in done.stdout
    assert "cannot listen" in done.stderr and "--port" in done.stderr, done.stderr
