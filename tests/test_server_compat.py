"""The original client's routes: same field names, shapes and status codes; the original's
defects fixed (working /process links, /tasks, /cancel; /shutdown needs the token)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.legacy_fixture import HISTORY_KEYS
from tests.server_support import ApiServer, multipart

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    root = tmp_path_factory.mktemp("compat")
    web = root / "web"
    web.mkdir()
    (web / "upload.html").write_text("<html>original client</html>", encoding="utf-8")
    (web / "upload.css").write_text("body{}", encoding="utf-8")
    (web / "upload.js").write_text("console.log(1)", encoding="utf-8")
    with ApiServer(root / "db", extra_args=["--frontend", str(web)]) as srv:
        yield srv


def upload(server: ApiServer, files: list[tuple[str, bytes]], field: str = "files") -> Any:
    body, kind = multipart([(field, name, data) for name, data in files])
    reply = server.compat("POST", "/upload", body=body, headers={"Content-Type": kind})
    assert reply.status == 200, reply.text
    return reply.json()


def process(server: ApiServer, body: dict[str, Any]) -> Any:
    reply = server.compat("POST", "/process", json_body=body)
    assert reply.status == 200, reply.text
    return reply.json()


def new_text(server: ApiServer, name: str, text: str) -> dict[str, Any]:
    [item] = upload(server, [(name, f"{text} {time.time()}".encode())])
    return dict(item)


def test_static_client_and_root(server: ApiServer, tmp_path: Path) -> None:
    assert "original client" in server.compat("GET", "/").text
    assert server.compat("GET", "/upload.css").text == "body{}"
    assert server.compat("GET", "/upload.js").status == 200
    assert server.compat("GET", "/../../etc/passwd").status in (400, 403, 404)
    with ApiServer(
        tmp_path / "db", workers=0, extra_args=["--dashboard-url", "http://127.0.0.1:9/"]
    ) as plain:
        reply = plain.compat("GET", "/")
        assert reply.status == 302 and reply.headers["location"] == "http://127.0.0.1:9/"
        assert plain.compat("GET", "/upload.js").status == 404
        assert plain.compat("GET", "/no/such/route").body == b""


def test_upload_returns_an_array_and_history_has_the_original_shape(server: ApiServer) -> None:
    stamp = str(time.time()).encode()
    items = upload(server, [("a.txt", b"alpha " + stamp), ("b.md", b"beta " + stamp)])
    assert [set(i) for i in items] == [{"file_path", "file_type", "record_id"}] * 2
    assert items[0]["file_type"] == "text"
    assert items[0]["file_path"] == f"DB/uploads/{items[0]['record_id']}/a.txt"
    dup = upload(server, [("again.txt", b"alpha " + stamp)])
    assert dup == [
        {"duplicate": True, "original_record_id": items[0]["record_id"], "filename": "again.txt"}
    ]
    history = server.compat("GET", "/history").json()
    assert isinstance(history, list) and set(history[0]) >= HISTORY_KEYS
    assert history[0]["id"] == items[1]["record_id"]  # newest first
    assert history[0]["completed_tasks"] == {"stt": False, "embedding": False, "summary": False}
    assert (
        server.compat("POST", "/upload", body=b"x", headers={"Content-Type": "text/plain"}).text
        == "Invalid content type"
    )
    assert (
        server.compat(
            "POST", "/upload", body=b"x", headers={"Content-Type": "multipart/form-data"}
        ).text
        == "No boundary found"
    )
    body, kind = multipart([("note", None, b"just a field")])
    empty = server.compat("POST", "/upload", body=body, headers={"Content-Type": kind})
    assert empty.status == 400 and empty.text == "No file uploaded"


def test_process_waits_for_its_job_and_returns_links_that_download(server: ApiServer) -> None:
    item = new_text(server, "meeting.txt", "We discussed the budget.\nThen lunch.")
    result = process(
        server,
        {
            "file_path": item["file_path"],
            "steps": ["stt"],
            "record_id": item["record_id"],
            "task_id": "task_1_abc",
            "model_settings": {
                "whisper": "large-v3-turbo",
                "language": "ko",
                "device": "mps",
                "summarize": "gemma3:4b",
            },
        },
    )
    assert set(result) == {"stt"} and result["stt"].startswith("/download/")
    text = server.compat("GET", result["stt"])
    assert text.status == 200 and "We discussed the budget." in text.text
    assert text.headers["content-type"] == "application/octet-stream"
    assert text.headers["content-disposition"].startswith("attachment")
    record = next(
        r for r in server.compat("GET", "/history").json() if r["id"] == item["record_id"]
    )
    assert record["completed_tasks"]["stt"] is True
    assert record["download_links"]["stt"] == result["stt"]
    # the job was a real, listed job with the client's task id
    jobs = server.api("GET", f"/jobs?recording_id={item['record_id']}").json()["items"]
    assert jobs[0]["client_task_id"] == "task_1_abc" and jobs[0]["state"] == "done"
    assert jobs[0]["options"] == {"language": "ko", "device": "auto"}  # unknown models dropped
    # no file path but a record id; an embedding-only run adds no key (as the original)
    assert process(server, {"file_path": "x", "record_id": item["record_id"], "steps": []}) == {}
    assert process(server, {"file_path": "DB/uploads/nothing/x.txt"}) == {"error": "FILE_NOT_FOUND"}
    assert server.compat("POST", "/process", json_body={"steps": []}).text == "Missing file_path"
    bad = server.compat("POST", "/process", body=b"{", headers={"Content-Type": "application/json"})
    assert bad.status == 400 and bad.text == "Invalid JSON payload"


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A server without worker processes: its jobs stay queued until cancelled."""
    with ApiServer(tmp_path_factory.mktemp("idle") / "db", workers=0) as srv:
        yield srv


def test_tasks_progress_and_cancel_work(idle: ApiServer) -> None:
    item = new_text(idle, "queued.txt", "waits for a worker")
    job = idle.api(
        "POST",
        "/jobs",
        json_body={
            "recording_id": item["record_id"],
            "steps": ["keywords"],
            "client_task_id": "task_q_1",
        },
    ).json()
    tasks = idle.compat("GET", "/tasks").json()
    assert set(tasks["task_q_1"]) >= {"pid", "start_time", "cancelled", "duration"}
    progress = idle.compat("GET", "/progress/task_q_1").json()
    assert set(progress) == {"message", "timestamp"} and "0%" in progress["message"]
    assert idle.compat("POST", "/cancel", json_body={"task_id": "task_q_1"}).json() == {
        "success": True
    }
    assert idle.api("GET", f"/jobs/{job['id']}").json()["state"] == "cancelled"
    assert "task_q_1" not in idle.compat("GET", "/tasks").json()
    assert idle.compat("GET", "/progress/task_q_1").json() == {}
    assert idle.compat("POST", "/cancel", json_body={"task_id": "task_q_1"}).json() == {
        "success": False
    }
    assert idle.compat("POST", "/cancel", json_body={}).text == "Missing task_id"


def test_process_answers_when_its_job_is_cancelled(idle: ApiServer) -> None:
    item = new_text(idle, "cancel-me.txt", "cancel")
    answers: list[Any] = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            process(
                idle, {"file_path": item["file_path"], "steps": ["stt"], "task_id": "task_cancel"}
            )
        )
    )
    waiting.start()
    deadline = time.monotonic() + 30
    while "task_cancel" not in idle.compat("GET", "/tasks").json():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert (
        idle.compat("POST", "/cancel", json_body={"task_id": "task_cancel"}).json()["success"]
        is True
    )
    waiting.join(30)
    assert answers == [{"error": "Task was cancelled"}]
    idle.api("DELETE", f"/recordings/{item['record_id']}")
    refused = process(idle, {"file_path": item["file_path"], "steps": ["stt"]})
    assert "deleted" in refused["error"]


def test_record_routes(server: ApiServer) -> None:
    item = new_text(server, "routes.txt", "Alpha beta gamma.")
    rid, path = item["record_id"], item["file_path"]
    assert server.compat("POST", "/check_existing_stt", json_body={"file_path": path}).json() == {
        "has_stt": False,
        "stt_file": None,
    }
    links = process(server, {"file_path": path, "steps": ["stt"], "record_id": rid})
    stt = server.compat("POST", "/check_existing_stt", json_body={"file_path": path}).json()
    assert stt["has_stt"] is True and stt["stt_file"].startswith("DB/outputs/")
    assert server.compat("POST", "/check_existing_stt", json_body={}).text == "Missing file_path"
    # rename (the original answered success even for unknown records; ours says so)
    assert server.compat(
        "POST", "/update_filename", json_body={"record_id": rid, "filename": "New name"}
    ).json() == {"success": True}
    unknown = server.compat(
        "POST", "/update_filename", json_body={"record_id": MISSING, "filename": "x"}
    ).json()
    assert unknown["success"] is False
    assert server.compat("POST", "/update_filename", json_body={"record_id": rid}).status == 400
    # edit the transcript through its file id (and its /download link form)
    edited = server.compat(
        "POST",
        "/update_stt_text",
        json_body={"file_identifier": links["stt"], "content": "Edited!"},
    )
    assert edited.json() == {"success": True, "record_id": rid}
    assert server.compat("GET", links["stt"]).text == "Edited!"
    refused = server.compat(
        "POST",
        "/update_stt_text",
        json_body={"file_identifier": "DB/../../etc/passwd", "content": "x"},
    )
    assert refused.status == 400 and refused.json()["success"] is False
    assert server.compat("POST", "/update_stt_text", json_body={}).status == 400
    # file search by name
    found = server.compat("GET", "/file_search?q=new%20NAME").json()
    assert found == [{"id": rid, "filename": "New name", "tags": []}]
    assert server.compat("GET", "/file_search?q=").json() == []
    # resets
    summary = server.compat("POST", "/reset_summary_embedding", json_body={"record_id": rid})
    assert summary.status == 200 and set(summary.json()) == {"success", "message"}
    assert (
        server.compat("POST", "/reset_summary_embedding", json_body={"record_id": MISSING}).status
        == 400
    )
    assert server.compat("POST", "/reset", json_body={"record_id": rid}).json() == {"success": True}
    assert (
        server.compat("POST", "/check_existing_stt", json_body={"file_path": path}).json()[
            "has_stt"
        ]
        is False
    )
    assert server.compat("GET", links["stt"]).status == 404  # the file went with the reset
    assert server.compat("POST", "/reset", json_body={"record_id": MISSING}).json() == {
        "success": False
    }
    assert server.compat("POST", "/reset", json_body={}).text == "Missing record_id"
    process(server, {"file_path": path, "steps": ["stt"], "record_id": rid})
    counts = server.compat("POST", "/reset_all_tasks", json_body={"tasks": ["stt", "bogus"]})
    assert counts.status == 200 and counts.json()["counts"]["stt"] >= 1
    assert set(counts.json()) == {"success", "message", "counts"}
    none = server.compat("POST", "/reset_all_tasks", json_body={"tasks": ["bogus"]})
    assert none.status == 400 and none.json()["counts"] == {"stt": 0, "embedding": 0, "summary": 0}
    assert server.compat("POST", "/reset_all_tasks", json_body={"tasks": "stt"}).status == 400


def test_delete_routes(server: ApiServer) -> None:
    item = new_text(server, "del.txt", "Delete me.")
    links = process(
        server, {"file_path": item["file_path"], "steps": ["stt"], "record_id": item["record_id"]}
    )
    wrong = server.compat(
        "POST", "/delete", json_body={"file_identifier": links["stt"], "file_type": "summary"}
    )
    assert wrong.status == 400 and "error" in wrong.json()
    ok = server.compat(
        "POST",
        "/delete",
        json_body={"file_identifier": links["stt"].split("/")[-1], "file_type": "stt"},
    )
    assert ok.json() == {"success": True}
    assert server.compat("GET", links["stt"]).status == 404
    assert server.compat("POST", "/delete", json_body={"file_type": "stt"}).status == 400
    other = new_text(server, "del2.txt", "Delete me too.")
    all_ok = server.compat("POST", "/delete_records", json_body={"record_ids": [item["record_id"]]})
    assert all_ok.status == 200 and all_ok.json() == {
        "success": True,
        "results": {item["record_id"]: {"success": True}},
    }
    partial = server.compat(
        "POST", "/delete_records", json_body={"record_ids": [other["record_id"], item["record_id"]]}
    )
    assert partial.status == 207
    body = partial.json()
    assert body["success"] is False and body["results"][other["record_id"]] == {"success": True}
    assert body["results"][item["record_id"]]["success"] is False  # already deleted
    assert server.compat("POST", "/delete_records", json_body={"record_ids": "x"}).status == 400
    ids_shape = server.compat("POST", "/delete", json_body={"ids": [MISSING]})
    assert ids_shape.status == 207
    history_ids = {r["id"] for r in server.compat("GET", "/history").json()}
    assert item["record_id"] not in history_ids and other["record_id"] not in history_ids


def test_download_identifiers(server: ApiServer) -> None:
    item = new_text(server, "dl.txt", "0123456789")
    links = process(
        server, {"file_path": item["file_path"], "steps": ["stt"], "record_id": item["record_id"]}
    )
    ranged = server.compat("GET", links["stt"], headers={"Range": "bytes=0-3"})
    assert ranged.status == 206 and ranged.body == b"0123"
    assert server.compat("HEAD", links["stt"]).status == 200
    for bad in (
        f"/download/{MISSING}",
        "/download/DB/uploads/x/a.txt",
        "/download/..%2F..%2F..%2Fetc%2Fpasswd",
        "/download/%2Fetc%2Fpasswd",
    ):
        reply = server.compat("GET", bad)
        assert reply.status == 404 and reply.body == b"", bad


def test_models_cache_and_read_routes(server: ApiServer) -> None:
    models = server.compat("GET", "/models").json()
    assert set(models) == {"models", "default"}
    assert set(models["default"]) == {"whisper", "summarize", "embedding"}
    assert "bundled-smollm2" in models["models"]
    assert set(server.compat("GET", "/cache/stats").json()) == {
        "total_entries",
        "expired_entries",
        "valid_entries",
    }
    cleanup = server.compat("GET", "/cache/cleanup").json()
    assert cleanup["success"] is True and cleanup["cleaned_entries"] == 0
    assert server.compat("GET", "/search?q=").json() == {
        "keywordMatches": [],
        "similarDocuments": [],
    }
    assert server.compat("GET", "/search?q=x&start=nonsense").status == 400
    assert server.compat("GET", f"/similar/{MISSING}").status == 404
    assert server.compat("POST", "/similar", json_body={"file_identifier": MISSING}).status == 404
    assert server.compat("POST", "/similar", json_body={}).text == "Missing file_identifier"
    incremental = server.compat("POST", "/incremental_embedding").json()
    assert incremental["success"] is True and isinstance(incremental["processed_count"], int)


@pytest.mark.slow
def test_search_and_similar_documents(server: ApiServer) -> None:
    a = new_text(server, "seeds.txt", "Planting tomato seeds in the spring garden. " * 4)
    b = new_text(server, "soil.txt", "Garden soil for tomato plants in spring. " * 4)
    links = {}
    for item in (a, b):
        links[item["record_id"]] = process(
            server,
            {
                "file_path": item["file_path"],
                "steps": ["stt", "embedding"],
                "record_id": item["record_id"],
            },
        )["stt"]
    found = server.compat("GET", "/search?q=tomato").json()
    assert set(found) == {"keywordMatches", "similarDocuments"}
    keyword = found["keywordMatches"]
    assert {k["link"] for k in keyword} >= set(links.values())
    assert set(keyword[0]) == {
        "file_uuid",
        "file",
        "display_name",
        "count",
        "uploaded_at",
        "source_filename",
        "link",
    }
    assert server.compat("GET", keyword[0]["link"]).status == 200
    # nothing relevant: both lists stay empty instead of padding with unrelated documents
    unrelated = server.compat("GET", "/search?q=quantum%20chromodynamics%20lattice").json()
    assert unrelated == {"keywordMatches": [], "similarDocuments": []}
    similar = server.compat(
        "POST", "/similar", json_body={"file_identifier": links[a["record_id"]], "refresh": True}
    ).json()
    assert similar and set(similar[0]) == {"file", "score", "link", "display_name", "title_summary"}
    assert similar[0]["link"] == links[b["record_id"]]
    older = server.compat("GET", f"/similar/{links[a['record_id']].split('/')[-1]}").json()
    assert older and set(older[0]) == {"file", "score", "link"}


def test_shutdown_needs_the_token_and_stops_the_server(tmp_path: Path) -> None:
    srv = ApiServer(tmp_path / "db", workers=0).start()
    try:
        refused = srv.compat("POST", "/shutdown")
        assert refused.status == 401 and refused.json()["code"] == "unauthorized"
        # both clients show "error" as text
        assert "needs the server's token" in refused.json()["error"]
        assert (
            srv.compat("POST", "/shutdown", headers={"Authorization": "Bearer wrong"}).status == 401
        )
        assert srv.compat("GET", "/history").status == 200  # still running
        ok = srv.call("POST", "/shutdown")
        assert ok.status == 200 and ok.json()["success"] is True
        assert srv.proc is not None and srv.proc.wait(30) == 0
    finally:
        srv.stop()


def test_an_imported_original_data_folder_is_served(tmp_path: Path) -> None:
    from recordroute import RecordRoute, Settings
    from tests.legacy_fixture import build_legacy_folder

    legacy = build_legacy_folder(tmp_path / "DB")
    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:
        app.legacy.import_folder(legacy.root)
    with ApiServer(tmp_path / "db", workers=0) as srv:
        history = srv.compat("GET", "/history").json()
        active = [r for r in legacy.history if not r["deleted"]]
        assert {r["id"] for r in history} == {r["id"] for r in active}
        for record in history:
            assert set(record) >= HISTORY_KEYS
            assert srv.compat("GET", record["download_links"]["stt"]).status == 200
        # the original's own file UUIDs (from file_registry.json) still download
        stt = [
            fid
            for fid, entry in legacy.registry.items()
            if entry["task_type"] == "stt" and not str(entry["file_path"]).startswith("DB/deleted")
        ]
        for fid in stt:
            reply = srv.compat("GET", f"/download/{fid}")
            assert reply.status == 200 and "안녕하세요".encode() in reply.body
