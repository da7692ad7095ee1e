"""Helpers for the browser tests of the original clients: ``recordroute serve`` on the
fixed ports the clients call, and what the tests read back from it over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.conftest import REPO, VENV_BIN

API_PORT, SOCKET_PORT = 8080, 8765
BASE = f"http://127.0.0.1:{API_PORT}"
GREEN = "rgb(40, 167, 69)"  # a done step's badge (#28a745)
GREY = "rgb(108, 117, 125)"  # a step to start (#6c757d)

#: the badges of these element ids are all green
ALL_GREEN = """ids => ids.every(id => {
    const badge = document.getElementById(id);
    return badge !== null && getComputedStyle(badge).backgroundColor === 'rgb(40, 167, 69)';
})"""
#: the client's own queue is empty and nothing runs (its globals)
QUEUE_IDLE = "() => currentTask === null && taskQueue.length === 0"


@dataclass
class Served:
    """``recordroute serve`` as the Electron shell starts it (plus ``--frontend``)."""

    root: Path
    frontend: Path | None = None
    proc: subprocess.Popen[str] | None = None
    first_line: str = ""
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    @property
    def data_dir(self) -> Path:
        return self.root / "db"

    def start(self, timeout: float = 300) -> Served:
        command = [
            str(VENV_BIN / "recordroute"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(API_PORT),
            "--db-path",
            str(self.data_dir),
        ]
        if self.frontend is not None:
            command += ["--frontend", str(self.frontend)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
        env.update(
            RECORDROUTE_WHISPER_MODEL="bundled-tiny.en",  # English test audio: the fast model
            RECORDROUTE_MIN_FREE_MB="0",
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
        )
        log = (self.root / "serve.log").open("w")
        self.proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        log.close()
        threading.Thread(target=self._pump, daemon=True).start()
        # the shell opens its window as soon as this line appears: the server must answer
        deadline = time.monotonic() + timeout
        while not self.first_line.startswith("Server listening on"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"recordroute serve did not start: see {self.root}/serve.log")
            with contextlib.suppress(queue.Empty):
                self.first_line = self.lines.get(timeout=min(left, 5))
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    # -- reading back what the clients did ---------------------------------------------
    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{BASE}{path}", timeout=60) as reply:
            body: bytes = reply.read()
            return body

    def history(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = json.loads(self.get("/history"))
        return records

    def record(self, name: str) -> dict[str, Any]:
        return next(r for r in self.history() if r["filename"] == name)

    def text(self, link: str) -> str:
        return self.get(link.removeprefix(BASE)).decode("utf-8")
