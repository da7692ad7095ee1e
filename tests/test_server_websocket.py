"""WebSockets: typed events to several clients, per-job subscriptions, the state on
(re)connect, the original client's frames, and who may connect."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.server_support import API, CHROME_UA, ELECTRON_UA, ApiServer, receive_until


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("ws") / "db") as srv:
        yield srv


def finished(job_id: str) -> Any:
    return lambda m: (
        m.get("job_id") == job_id and m["type"] in ("job.finished", "job.failed", "job.cancelled")
    )


def collect(ws: ClientConnection, job_id: str, into: list[dict[str, Any]]) -> threading.Thread:
    def run() -> None:
        into.extend(receive_until(ws, finished(job_id)))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def job_events(messages: list[dict[str, Any]], job_id: str) -> list[tuple[Any, ...]]:
    return [
        (m["type"], m["state"], m["percent"], m["stage"])
        for m in messages
        if m.get("job_id") == job_id
    ]


def test_two_clients_get_the_same_events(server: ApiServer) -> None:
    rid = server.add_text("ws.txt", f"websocket text {time.time()}")
    with server.events() as first, server.events() as second:
        for ws in (first, second):
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        job = server.api(
            "POST", "/jobs", json_body={"recording_id": rid, "steps": ["keywords"]}
        ).json()
        got: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
        threads = [collect(first, job["id"], got[0]), collect(second, job["id"], got[1])]
        for thread in threads:
            thread.join(60)
    assert job_events(got[0], job["id"]) == job_events(got[1], job["id"])
    kinds = [k for k, *_ in job_events(got[0], job["id"])]
    assert kinds[0] == "job.queued" and kinds[-1] == "job.finished"
    assert "job.started" in kinds and kinds.index("job.started") < kinds.index("job.finished")
    last = [m for m in got[0] if m.get("job_id") == job["id"]][-1]
    assert last["percent"] == 100 and last["recording_id"] == rid
    assert {"eta_s", "stage", "client_task_id", "time"} <= set(last)


def test_per_job_subscription(server: ApiServer) -> None:
    a = server.add_text("sub-a.txt", f"a {time.time()}")
    b = server.add_text("sub-b.txt", f"b {time.time()}")
    with server.events() as everything:
        assert json.loads(everything.recv(timeout=10))["type"] == "snapshot"
        job_a = server.api(
            "POST", "/jobs", json_body={"recording_id": a, "steps": ["keywords"]}
        ).json()
        with server.events(f"job_id={job_a['id']}") as only_a:
            assert json.loads(only_a.recv(timeout=10))["type"] == "snapshot"
            job_b = server.api(
                "POST", "/jobs", json_body={"recording_id": b, "steps": ["keywords"]}
            ).json()
            seen = receive_until(only_a, finished(job_a["id"]))
            server.wait_job(job_b["id"])
            assert {m.get("job_id") for m in seen} == {job_a["id"]}
            only_a.send(json.dumps({"action": "subscribe", "job_ids": [job_b["id"]]}))
            assert json.loads(only_a.recv(timeout=10))["job_ids"] == sorted(
                [job_a["id"], job_b["id"]]
            )
            only_a.send("not json")
            assert json.loads(only_a.recv(timeout=10))["type"] == "error"
        everything_seen = receive_until(everything, finished(job_b["id"]))
        assert {job_a["id"], job_b["id"]} <= {m.get("job_id") for m in everything_seen}


def test_recording_events(server: ApiServer) -> None:
    with server.events() as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        rid = server.add_text("events.txt", f"recording events {time.time()}")
        server.api("PATCH", f"/recordings/{rid}", json_body={"display_name": "Events"})
        server.api("DELETE", f"/recordings/{rid}")
        got = receive_until(ws, lambda m: m["type"] == "recording.deleted")
    kinds = [(m["type"], m.get("recording_id")) for m in got]
    assert kinds == [
        ("recording.created", rid),
        ("recording.changed", rid),
        ("recording.deleted", rid),
    ]


def test_a_reconnecting_client_gets_the_queued_jobs(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as idle:  # jobs stay queued
        rid = idle.add_text("later.txt", "later")
        with idle.events() as ws:
            assert json.loads(ws.recv(timeout=10)) == {"type": "snapshot", "jobs": []}
            job = idle.api(
                "POST",
                "/jobs",
                json_body={"recording_id": rid, "steps": ["keywords"], "client_task_id": "t-1"},
            ).json()
            assert receive_until(ws, lambda m: m["type"] == "job.queued")[-1]["job_id"] == job["id"]
        with idle.events() as again:
            snapshot = json.loads(again.recv(timeout=10))
            assert [(j["id"], j["state"], j["client_task_id"]) for j in snapshot["jobs"]] == [
                (job["id"], "queued", "t-1")
            ]
            idle.api("POST", f"/jobs/{job['id']}/cancel")
            assert receive_until(again, finished(job["id"]))[-1]["type"] == "job.cancelled"
            again.send(json.dumps({"action": "snapshot"}))
            assert receive_until(again, lambda m: m["type"] == "snapshot")[-1]["jobs"] == []


def test_original_client_frames(server: ApiServer) -> None:
    rid = server.add_text("frames.txt", f"frames {time.time()}")
    desktop = {"origin": "null", "user_agent_header": ELECTRON_UA}
    with server.compat_socket() as one, server.compat_socket(**desktop) as two:
        time.sleep(0.3)  # both registered before the job starts
        job = server.api(
            "POST",
            "/jobs",
            json_body={"recording_id": rid, "steps": ["keywords"], "client_task_id": "task_99_x"},
        ).json()
        frames = []
        for ws in (one, two):
            got = []
            while not got or got[-1]["message"] != "done 100%":
                got.append(json.loads(ws.recv(timeout=30)))
            frames.append(got)
    assert frames[0] == frames[1]
    assert all(set(f) == {"task_id", "message"} for f in frames[0])
    assert {f["task_id"] for f in frames[0]} == {"task_99_x"}
    assert all(re.search(r"\d+%", f["message"]) for f in frames[0])
    server.wait_job(job["id"])


def test_who_may_connect(server: ApiServer) -> None:
    base = f"ws://127.0.0.1:{server.port}{API}/events"
    with pytest.raises(InvalidStatus) as no_token:
        connect(base, open_timeout=10)
    assert no_token.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as wrong:
        connect(f"{base}?token=wrong", open_timeout=10)
    assert wrong.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as foreign:
        connect(
            f"{base}?token={server.token}",
            origin="http://evil.example",  # type: ignore[arg-type]
            open_timeout=10,
        )
    assert foreign.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as null_native:
        connect(f"{base}?token={server.token}", origin="null", open_timeout=10)  # type: ignore[arg-type]
    assert null_native.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as foreign_compat:
        server.compat_socket(origin="http://evil.example")
    assert foreign_compat.value.response.status_code == 403
    # Origin null: the desktop shell's page, never a sandboxed frame in a browser
    with pytest.raises(InvalidStatus) as sandboxed:
        server.compat_socket(origin="null", user_agent_header=CHROME_UA)
    assert sandboxed.value.response.status_code == 403
    assert b"desktop app" in sandboxed.value.response.body
    with server.compat_socket(origin="null", user_agent_header=ELECTRON_UA):
        pass
    # the pages of the API's own port, under any loopback name, on the progress port
    for host in ("127.0.0.1", "localhost", "[::1]"):
        with server.compat_socket(origin=f"http://{host}:{server.port}"):
            pass
    for other in ("http://127.0.0.1:9", f"http://evil.example:{server.port}"):
        with pytest.raises(InvalidStatus) as not_ours:
            server.compat_socket(origin=other)
        assert not_ours.value.response.status_code == 403
    same = f"http://127.0.0.1:{server.port}"
    with connect(f"{base}?token={server.token}", origin=same, open_timeout=10) as ok:  # type: ignore[arg-type]
        assert json.loads(ok.recv(timeout=10))["type"] == "snapshot"


@pytest.mark.slow
def test_a_real_transcription_reports_progress(server: ApiServer, shared_audio: Path) -> None:
    body = (shared_audio / "jfk.flac").read_bytes()
    reply = server.upload([("jfk.flac", body)])
    rid = reply.json()["items"][0]["recording"]["id"]
    with server.events() as first:
        assert json.loads(first.recv(timeout=10))["type"] == "snapshot"
        job = server.api(
            "POST",
            "/jobs",
            json_body={
                "recording_id": rid,
                "steps": ["transcribe"],
                "options": {"whisper_model": "bundled-tiny.en", "language": "en"},
            },
        ).json()
        seen = receive_until(
            first,
            lambda m: (
                m.get("job_id") == job["id"]
                and (
                    (m["type"] == "job.progress" and 0 < m["percent"] < 100)
                    or m["type"] in ("job.finished", "job.failed")
                )
            ),
            timeout=300,
        )
        if seen[-1]["type"] == "job.progress":  # joined mid-job: the snapshot has its state
            with server.events() as late:
                snapshot = json.loads(late.recv(timeout=10))
                states = {j["id"]: j for j in snapshot["jobs"]}
                if job["id"] in states:
                    assert states[job["id"]]["state"] == "running"
                    assert states[job["id"]]["percent"] > 0
        rest = receive_until(first, finished(job["id"]), timeout=300)
    events = [m for m in seen + rest if m.get("job_id") == job["id"]]
    assert events[-1]["type"] == "job.finished", events[-1]
    progress = [m for m in events if m["type"] == "job.progress"]
    assert any(m["stage"].startswith("transcribe") for m in progress)
    text = server.api("GET", f"/recordings/{rid}/export?format=txt").text.lower()
    assert "country" in text
