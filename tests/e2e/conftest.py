"""Browser-test fixtures: a seeded archive, the dashboard server, and headless Chromium.

The server is ``recordroute serve`` when that command exists, else Voila started directly on
``dashboards/workbench.ipynb`` (what the launcher runs).  Chromium is Debian's package
(``apt-get install -y chromium``); Playwright is pointed at it and downloads nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from tests.e2e.relay import Relay

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SHARED_AUDIO = REPO.parent / "shared" / "data" / "audio"
#: the original RecordRoute's clients, read from there (never copied into the repository)
CLIENTS = REPO.parent / "shared" / "clients"
FIXED_PORTS_LOCK = Path("/tmp/recordroute-fixed-ports.lock")
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("RECORDROUTE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: documents seeded before the server starts, so that search, insights and the graph have data
SEED_DOCUMENTS = {
    "budget-meeting.txt": "The budget meeting approved the hiring plan and the travel budget "
    "for next year. The finance team will review the budget every quarter.",
    "hiring-plan.txt": "Hiring plan: two engineers and one designer join next quarter; the "
    "budget for hiring was approved at the meeting.",
    "예산-회의.txt": "예산 회의에서 내년 예산과 채용 계획을 논의했습니다. "
    "예산 검토는 분기마다 합니다.",
    "weather.txt": "Weather notes: rain in Seoul on Monday, sunny and warm on the weekend.",
}


@dataclass(frozen=True)
class Dashboard:
    url: str
    data_dir: Path
    how: str  # "recordroute serve" or "voila"
    #: the browser reaches the API through this relay (it can watch and cut connections)
    relay: Relay | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_available() -> bool:
    exe = VENV_BIN / "recordroute"
    if not exe.exists():
        return False
    done = subprocess.run([str(exe), "serve", "--help"], capture_output=True, timeout=60)
    return done.returncode == 0


def _seed(data_dir: Path, scratch: Path) -> None:
    settings = Settings(data_dir=data_dir, min_free_mb=0)
    with RecordRoute(settings) as app:
        for name, text in SEED_DOCUMENTS.items():
            path = scratch / name
            path.write_text(text, encoding="utf-8")
            rec = app.add_file(path, tags=["seed"])
            app.process(rec.id, ["keywords", "embed"])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _read_serve_urls(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The dashboard URL from the launcher's stdout (a listening line, then one JSON line)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode("utf-8", "replace").strip()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"recordroute serve exited with {proc.returncode}")
            continue
        if line.startswith("{"):
            info = json.loads(line)
            for key in ("dashboards", "dashboard", "dashboard_url", "voila"):
                if key in info:
                    return str(info[key])
            urls = info.get("urls", {})
            if isinstance(urls, dict):
                for key in ("dashboard", "voila"):
                    if key in urls:
                        return str(urls[key])
            raise RuntimeError(f"no dashboard URL in the launcher's JSON line: {line}")
    raise TimeoutError("recordroute serve printed no URLs")


@pytest.fixture(scope="session")
def jfk() -> Path:
    path = SHARED_AUDIO / "jfk.flac"
    if not path.is_file():
        pytest.skip(f"real recording not available: {path} is absent (../shared/data/audio)")
    return path


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    root = tmp_path_factory.mktemp("dashboard")
    data_dir = root / "db"
    _seed(data_dir, root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
    env.update(
        RECORDROUTE_DATA_DIR=str(data_dir),
        RECORDROUTE_WHISPER_MODEL="bundled-tiny.en",  # English test audio: the fast model
        RECORDROUTE_MIN_FREE_MB="0",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    log = (root / "server.log").open("wb")
    port = _free_port()
    relay = Relay(port).start()
    env["RECORDROUTE_API_URL"] = f"http://127.0.0.1:{relay.port}/recordroute/api/v1"
    if _serve_available():
        how = "recordroute serve"
        # no original-client progress socket: its fixed port 8765 may be taken by another run
        cmd = [str(VENV_BIN / "recordroute"), "serve", "--port", str(port), "--ws-port", "-1"]
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log)
    else:
        how = "voila"
        cmd = [
            str(VENV_BIN / "voila"),
            str(REPO / "dashboards" / "workbench.ipynb"),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--MappingKernelManager.cull_idle_timeout=600",
            "--MappingKernelManager.cull_interval=60",
        ]
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}/" if how == "voila" else _read_serve_urls(proc, 120)
        _wait_http(url, proc, 120)
        yield Dashboard(url=url, data_dir=data_dir, how=how, relay=relay)
    finally:
        relay.stop()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if proc.stdout is not None:
            proc.stdout.close()
        shutil.copy(root / "server.log", _artifacts_dir() / "server.log")


def _artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def clients() -> Path:
    for page in ("web-main/upload.html", "electron-rust/frontend/upload.html"):
        if not (CLIENTS / page).is_file():
            pytest.skip(
                f"the original clients are not available: {CLIENTS / page} is absent "
                "(../shared/clients)"
            )
    return CLIENTS


@pytest.fixture
def fixed_ports() -> Iterator[None]:
    """Hold the lock on ports 8080 and 8765 (the original clients' own) for one test, so
    that parallel runs and other users of the machine take turns."""
    with FIXED_PORTS_LOCK.open("a") as handle:
        deadline = time.monotonic() + 1800
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{FIXED_PORTS_LOCK} stayed locked for 30 minutes")
                time.sleep(1)
        try:
            _wait_ports_free((8080, 8765), deadline=time.monotonic() + 600)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(handle, fcntl.LOCK_UN)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _wait_ports_free(ports: tuple[int, ...], deadline: float) -> None:
    """A server of an earlier test may still be stopping; someone without the lock may
    hold a port: wait, then say who holds it."""
    while not all(_port_free(port) for port in ports):
        if time.monotonic() > deadline:
            import psutil

            holders = [
                f"{c.laddr.port}: pid {c.pid}"
                for c in psutil.net_connections("tcp")
                if c.laddr and c.laddr.port in ports and c.status == psutil.CONN_LISTEN
            ]
            pytest.fail(f"ports {ports} stayed busy (without the lock?): {holders}")
        time.sleep(1)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    return _artifacts_dir()
