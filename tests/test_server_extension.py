"""The same handlers inside a real jupyter_server, enabled by the shipped config file;
every handler refuses requests without Jupyter's authentication."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from recordroute.server.app import NATIVE_ROUTES
from recordroute.server.openapi import document
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
SAMPLE = "00000000-0000-4000-8000-000000000000"


def test_the_extension_serves_the_api_to_authenticated_users_only(tmp_path: Path) -> None:
    port, token = free_port(), "jupyter-test-token-123456"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--allow-root",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
            "--ServerApp.port_retries=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=child_env(
            JUPYTER_CONFIG_PATH=str(REPO / "jupyter-config"),
            RECORDROUTE_DATA_DIR=str(tmp_path / "db"),
            RECORDROUTE_MIN_FREE_MB="0",
            JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        ),
    )
    auth = {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if request(port, "GET", "/api/status", headers=auth, timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "jupyter did not start"
            time.sleep(0.3)
        assert request(port, "GET", f"{API}/health", headers=auth).status == 200

        # every route, every documented method: refused without authentication
        paths = document()["paths"]
        for template, _handler in NATIVE_ROUTES:
            path = re.sub(r"\{\w+\}", SAMPLE, template)
            for method in paths[template]:
                if template.endswith("/events"):
                    continue
                body = b"{}" if method in ("post", "put", "patch") else None
                reply = request(
                    port,
                    method.upper(),
                    path,
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                assert reply.status == 403, (method, path, reply.status)
                assert b"error" in reply.body or method == "head"
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{port}{API}/events", open_timeout=10)
        assert refused.value.response.status_code == 403

        # with the token: upload, run a job (its worker starts on demand), events
        body, kind = multipart([("files", "lab.txt", b"Notes from the lab.")])
        created = request(
            port, "POST", f"{API}/uploads", body=body, headers={**auth, "Content-Type": kind}
        )
        assert created.status == 201, created.text
        rid = created.json()["items"][0]["recording"]["id"]
        # the workbench's resumable upload and the player's media, under Jupyter's login
        begun = request(
            port,
            "POST",
            f"{API}/uploads/sessions",
            headers=auth,
            json_body={"file_name": "lab.wav", "size": 6},
        )
        assert begun.status == 201, begun.text
        uid = begun.json()["id"]
        for offset, piece in ((0, b"RIFF"), (4, b"!!")):
            sent = request(
                port,
                "POST",
                f"{API}/uploads/sessions/{uid}/chunks?offset={offset}",
                body=piece,
                headers={**auth, "Content-Type": "application/octet-stream"},
            )
            assert sent.status == 200 and sent.json()["received_bytes"] == offset + len(piece)
        stored = request(port, "POST", f"{API}/uploads/sessions/{uid}/finish", headers=auth)
        assert stored.status == 201, stored.text
        art = request(
            port, "GET", f"{API}/recordings/{stored.json()['recording']['id']}", headers=auth
        ).json()["artifacts"][0]["id"]
        media = request(port, "GET", f"{API}/media/{art}", headers={**auth, "Range": "bytes=2-"})
        assert media.status == 206 and media.body == b"FF!!"
        assert request(port, "GET", f"{API}/media/{art}").status == 403  # no login, no media
        with connect(f"ws://127.0.0.1:{port}{API}/events?token={token}", open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
            job = request(
                port,
                "POST",
                f"{API}/jobs",
                headers=auth,
                json_body={"recording_id": rid, "steps": ["keywords"]},
            ).json()
            while True:
                event = json.loads(ws.recv(timeout=60))
                if event.get("job_id") == job["id"] and event["type"] == "job.finished":
                    break
        export = request(port, "GET", f"{API}/recordings/{rid}/export?format=txt", headers=auth)
        assert export.status == 200 and "Notes from the lab." in export.text
        assert export.headers["content-type"].startswith("text/plain")
        family = [proc.pid, *descendants(proc.pid)]
        assert len(family) >= 2  # the worker process
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert wait_gone(family, 30) == []
