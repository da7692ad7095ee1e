"""Helpers for the server tests: a real API process on free ports, HTTP and WebSocket
clients built on the standard library and ``websockets``, multipart bodies."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

REPO = Path(__file__).resolve().parents[1]
API = "/recordroute/api/v1"
#: what the original Electron shell sends (Electron's default names the app)
ELECTRON_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "recordroute/1.0.0 Chrome/120.0.6099.291 Electron/28.2.3 Safari/537.36"
)
CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
#: headers of a fetch() from the desktop renderer's file:// page
DESKTOP = {
    "Origin": "null",
    "User-Agent": ELECTRON_UA,
    "Sec-Fetch-Site": "cross-site",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RECORDROUTE_") and k != "DB_FOLDER_PATH"
    }
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    env.update(extra)
    return env


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | Iterable[bytes] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    timeout: float = 120,
) -> Response:
    sent = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        sent.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=sent)
        reply = conn.getresponse()
        data = reply.read()
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)
    finally:
        conn.close()


def multipart(
    files: list[tuple[str, str | None, bytes]],
    *,
    boundary: str | None = None,
    filename_star: bool = False,
) -> tuple[bytes, str]:
    """A body with ``(field, filename, data)`` parts; returns (body, content type)."""
    mark = boundary or f"----rrtest{uuid.uuid4().hex}"
    out = bytearray()
    for name, filename, data in files:
        out += f"--{mark}\r\n".encode()
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            if filename_star:
                ascii_name = filename.encode("ascii", "replace").decode()
                quoted = urllib.parse.quote(filename, safe="")
                disposition += f"; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
            else:
                disposition += f'; filename="{filename}"'
        out += f"Content-Disposition: {disposition}\r\n".encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n"
        out += data + b"\r\n"
    out += f"--{mark}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={mark}"


@dataclass
class ApiServer:
    """``python -m recordroute.server`` in a child process, on free ports."""

    data_dir: Path
    workers: int = 1
    host: str = "127.0.0.1"
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = 0
    ws_port: int = 0
    proc: subprocess.Popen[str] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    #: where the process's stderr goes (inherited when None)
    stderr_path: Path | None = None

    def start(self, timeout: float = 60) -> ApiServer:
        self.port, self.ws_port = free_port(), free_port()
        command = [
            sys.executable,
            "-m",
            "recordroute.server",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--ws-port",
            str(self.ws_port),
            "--data-dir",
            str(self.data_dir),
            "--worker-processes",
            str(self.workers),
            *self.extra_args,
        ]
        env = child_env(
            **{"RECORDROUTE_TOKEN": self.token, "RECORDROUTE_MIN_FREE_MB": "0", **self.env}
        )
        stderr = None if self.stderr_path is None else self.stderr_path.open("ab")
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            cwd=self.data_dir.parent,
        )
        if stderr is not None:
            stderr.close()  # the child has its own copy
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc, lines), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise RuntimeError("the API process did not start in time") from None
        self.info = json.loads(line)
        return self

    # -- HTTP ------------------------------------------------------------------------
    def auth(self, headers: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def call(self, method: str, path: str, *, token: bool = True, **kw: Any) -> Response:
        headers = kw.pop("headers", None) or {}
        if token:
            headers = self.auth(headers)
        return request(self.port, method, path, headers=headers, **kw)

    def api(self, method: str, path: str, **kw: Any) -> Response:
        return self.call(method, f"{API}{path}", **kw)

    def compat(self, method: str, path: str, **kw: Any) -> Response:
        return self.call(method, path, token=False, **kw)

    def upload(self, files: list[tuple[str, bytes]], **kw: Any) -> Response:
        body, kind = multipart([("files", name, data) for name, data in files])
        return self.api("POST", "/uploads", body=body, headers={"Content-Type": kind}, **kw)

    def add_text(self, name: str, text: str) -> str:
        reply = self.upload([(name, text.encode("utf-8"))])
        assert reply.status == 201, reply.text
        return str(reply.json()["items"][0]["recording"]["id"])

    def wait_job(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.api("GET", f"/jobs/{job_id}").json()
            if job["state"] in ("done", "failed", "cancelled"):
                return dict(job)
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")

    def run_job(self, recording_id: str, steps: list[str], **kw: Any) -> dict[str, Any]:
        reply = self.api(
            "POST", "/jobs", json_body={"recording_id": recording_id, "steps": steps, **kw}
        )
        assert reply.status == 201, reply.text
        return self.wait_job(reply.json()["id"])

    # -- WebSocket -------------------------------------------------------------------
    def events(self, query: str = "") -> ClientConnection:
        sep = "&" if query else ""
        return connect(
            f"ws://127.0.0.1:{self.port}{API}/events?{query}{sep}token={self.token}",
            open_timeout=10,
        )

    def compat_socket(self, **kw: Any) -> ClientConnection:
        return connect(f"ws://127.0.0.1:{self.ws_port}/", open_timeout=10, **kw)

    # -- lifecycle -------------------------------------------------------------------
    def stop(self, timeout: float = 60) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    with contextlib.suppress(ValueError, OSError):
        for line in proc.stdout:
            lines.put(line)


def receive_until(ws: ClientConnection, done: Any, timeout: float = 60) -> list[dict[str, Any]]:
    """Messages until ``done(message)`` is true (inclusive)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; got {got}")
        message = json.loads(ws.recv(timeout=left))
        got.append(message)
        if done(message):
            return got


def descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(pids: Iterable[int]) -> list[int]:
    import psutil

    living = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
    return living


def wait_gone(pids: Iterable[int], timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    remaining = list(pids)
    while remaining and time.monotonic() < deadline:
        remaining = alive(remaining)
        if remaining:
            time.sleep(0.1)
    return remaining


@contextlib.contextmanager
def api_server(data_dir: Path, **kw: Any) -> Iterator[ApiServer]:
    server = ApiServer(data_dir, **kw).start()
    try:
        yield server
    finally:
        server.stop()
