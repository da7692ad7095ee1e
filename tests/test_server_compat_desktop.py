"""The desktop renderer's shapes (the original Electron client, its Rust branch) on the
routes it shares with the web page, sent as its ``file://`` page sends them: ``Origin:
null``, Electron's User-Agent and the browser's fetch metadata (``DESKTOP``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.server_support import DESKTOP, ELECTRON_UA, ApiServer, Response, multipart


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("desktop") / "db") as srv:
        yield srv


def desktop(server: ApiServer, method: str, path: str, **kw: Any) -> Response:
    headers = {**DESKTOP, **(kw.pop("headers", None) or {})}
    return server.compat(method, path, headers=headers, **kw)


def base(server: ApiServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def upload_one(server: ApiServer, name: str, text: str) -> dict[str, Any]:
    body, kind = multipart([("file", name, f"{text} {time.time()}".encode())])
    reply = desktop(server, "POST", "/upload", body=body, headers={"Content-Type": kind})
    assert reply.status == 200, reply.text
    return dict(reply.json())


def queue(server: ApiServer, rid: str, **flags: Any) -> dict[str, Any]:
    body = {"file_uuid": rid, "run_stt": False, "run_summarize": False, "run_embed": False}
    reply = desktop(server, "POST", "/process", json_body={**body, **flags})
    assert reply.status == 200, reply.text
    return dict(reply.json())


def wait_for_task(server: ApiServer, rid: str, task_id: str) -> dict[str, Any]:
    jobs = server.api("GET", f"/jobs?recording_id={rid}").json()["items"]
    [job] = [j for j in jobs if j["client_task_id"] == task_id]
    return server.wait_job(job["id"])


def record(server: ApiServer, rid: str, **kw: Any) -> dict[str, Any]:
    history = desktop(server, "GET", "/history", **kw).json()
    return dict(next(r for r in history if r["id"] == rid))


def test_renderer_upload_gets_one_object_with_a_download_link(server: ApiServer) -> None:
    text = f"renderer upload {time.time()}"
    body, kind = multipart([("file", "메모.txt", text.encode())])
    reply = desktop(server, "POST", "/upload", body=body, headers={"Content-Type": kind})
    assert reply.status == 200 and reply.headers["access-control-allow-origin"] == "null"
    item = reply.json()
    assert set(item) == {"file_uuid", "filename", "path"} and item["filename"] == "메모.txt"
    # a download link (absolute: the page is a file:// page), never a file-system path
    assert item["path"].startswith(f"{base(server)}/download/")
    assert server.compat("GET", item["path"].removeprefix(base(server))).text == text
    assert record(server, item["file_uuid"])["filename"] == "메모.txt"
    again = desktop(server, "POST", "/upload", body=body, headers={"Content-Type": kind}).json()
    assert again == {**item, "duplicate": True, "original_record_id": item["file_uuid"]}
    # without Origin null the link is relative; several "file" parts get the array
    fresh, kind = multipart([("file", "plain.txt", f"plain {time.time()}".encode())])
    plain = server.compat("POST", "/upload", body=fresh, headers={"Content-Type": kind}).json()
    assert plain["path"].startswith("/download/")
    two, kind = multipart([("file", f"{n}.txt", f"{n} {time.time()}".encode()) for n in "ab"])
    both = server.compat("POST", "/upload", body=two, headers={"Content-Type": kind}).json()
    assert [set(i) for i in both] == [{"file_path", "file_type", "record_id"}] * 2


def test_renderer_process_queues_answers_a_task_id_and_tasks_lists_it_once(
    server: ApiServer,
) -> None:
    rid = upload_one(server, "queued.txt", "The renderer queues this.")["file_uuid"]
    bad_bodies: list[tuple[dict[str, Any], str]] = [
        ({"file_uuid": rid}, "No task specified"),
        ({"file_uuid": rid, "run_stt": False}, "No task specified"),
        ({"file_uuid": 7, "run_stt": True}, "'file_uuid' must be the record id"),
        ({"file_uuid": rid, "run_stt": "yes"}, "'run_stt' must be true or false"),
        ({"file_uuid": rid, "run_stt": True, "stt_model": 3}, "'stt_model' must be a model"),
    ]
    for bad, text in bad_bodies:
        refused = desktop(server, "POST", "/process", json_body=bad)
        assert refused.status == 400 and text in refused.text, refused.text
    assert queue(server, "00000000-0000-4000-8000-000000000000", run_stt=True) == {
        "error": "FILE_NOT_FOUND"
    }
    unknown = queue(server, rid, run_stt=True, stt_model="no-such-whisper")
    assert "'no-such-whisper'" in unknown["error"] and "bundled-tiny.en" in unknown["error"]
    assert server.api("GET", f"/jobs?recording_id={rid}").json()["items"] == []  # nothing queued
    with server.compat_socket(origin="null", user_agent_header=ELECTRON_UA) as socket:
        answer = queue(
            server,
            rid,
            run_stt=True,
            run_summarize=False,
            stt_model="bundled-tiny.en",
            summary_model="bundled-smollm2",
        )
        assert set(answer) == {"task_id", "message"} and "stt" in answer["message"]
        frames = []
        while not frames or frames[-1]["message"] != "done 100%":
            frame = json.loads(socket.recv(timeout=120))
            assert set(frame) == {"task_id", "message"}
            if frame["task_id"] == answer["task_id"]:
                frames.append(frame)
    job = wait_for_task(server, rid, answer["task_id"])
    assert job["state"] == "done"
    assert job["options"] == {"whisper_model": "bundled-tiny.en", "llm_model": "bundled-smollm2"}
    # the task ended before the renderer asked: it is listed once, so the renderer sees it go
    listed = desktop(server, "GET", "/tasks").json()
    assert listed[answer["task_id"]]["state"] == "done"
    assert answer["task_id"] not in desktop(server, "GET", "/tasks").json()
    assert record(server, rid)["stt_done"] is True
    # the renderer's cancel of a finished task
    assert desktop(server, "POST", "/cancel", json_body={"task_id": answer["task_id"]}).json() == {
        "success": False
    }


def test_renderer_history_links_edit_similar_search_and_delete(server: ApiServer) -> None:
    docs = {
        "tomato.txt": "Planting tomato seeds in the spring garden, then watering the tomato "
        "plants every morning. " * 3,
        "soil.txt": "Garden soil for tomato plants in spring; compost and watering. " * 3,
    }
    ids = {}
    for name, text in docs.items():
        rid = upload_one(server, name, text)["file_uuid"]
        task = queue(server, rid, run_stt=True, run_embed=True)["task_id"]
        ids[name] = (rid, task)
    for rid, task in ids.values():
        assert wait_for_task(server, rid, task)["state"] == "done"
    rid = ids["tomato.txt"][0]
    rec = record(server, rid)
    assert (rec["stt_done"], rec["embed_done"], rec["summarize_done"]) == (True, True, False)
    assert rec["stt_path"].startswith(f"{base(server)}/download/")
    assert rec["download_links"]["stt"] == rec["stt_path"] and rec["summary_path"] is None
    assert datetime.fromisoformat(rec["timestamp"]) <= datetime.now()
    assert "one_line_summary" in rec and "completed_tasks" in rec
    # the web page's request gets relative links; each variant answers 304 to its ETag
    web = next(r for r in server.compat("GET", "/history").json() if r["id"] == rid)
    assert web["stt_path"] == rec["stt_path"].removeprefix(base(server))
    etags = set()
    for headers in (DESKTOP, {}):
        first = server.compat("GET", "/history", headers=headers)
        etags.add(first.headers["etag"])
        assert first.headers["vary"] == "Origin"
        again = server.compat(
            "GET", "/history", headers={**headers, "If-None-Match": first.headers["etag"]}
        )
        assert again.status == 304
    assert len(etags) == 2  # two bodies, two tags
    # the overlay's editor sends the id cut from its link; the Rust shape sent the record id
    link_id = rec["stt_path"].split("/download/")[1]
    for identifier, content in ((link_id, "Edited by link."), (rid, "Edited by record id.")):
        saved = desktop(
            server,
            "POST",
            "/update_stt_text",
            json_body={"file_identifier": identifier, "content": content},
        )
        assert saved.json() == {"success": True, "record_id": rid}
        now = record(server, rid)["stt_path"].removeprefix(base(server))
        assert server.compat("GET", now).text == content
    # the similar-documents popup sends its link with "/download/" cut out
    rec = record(server, rid)
    mangled = rec["stt_path"].replace("/download/", "")
    similar = desktop(server, "POST", "/similar", json_body={"file_identifier": mangled}).json()
    assert similar and similar[0]["display_name"] == "soil.txt"
    assert similar[0]["link"] == record(server, ids["soil.txt"][0])["stt_path"]
    found = desktop(server, "GET", "/search?q=compost").json()
    assert [m["display_name"] for m in found["keywordMatches"]] != []
    assert all(m["link"].startswith(f"{base(server)}/download/") for m in found["keywordMatches"])
    # the overlay's delete (same mangled identifier), then the record delete ({ids})
    gone = desktop(
        server, "POST", "/delete", json_body={"file_identifier": mangled, "file_type": "stt"}
    )
    assert gone.json() == {"success": True}
    assert record(server, rid)["stt_done"] is False
    deleted = desktop(server, "POST", "/delete", json_body={"ids": [rid]})
    assert deleted.status == 200 and deleted.json()["success"] is True
    assert rid not in {r["id"] for r in desktop(server, "GET", "/history").json()}


def test_renderer_record_routes_answer_in_shapes_it_reads(server: ApiServer) -> None:
    rid = upload_one(server, "routes.txt", "Routes the renderer calls.")["file_uuid"]
    path = record(server, rid)["file_path"]  # what the renderer sends back as file_path
    check = desktop(server, "POST", "/check_existing_stt", json_body={"file_path": path})
    assert check.json() == {"has_stt": False, "stt_file": None}
    task = queue(server, rid, run_stt=True)["task_id"]
    wait_for_task(server, rid, task)
    check = desktop(server, "POST", "/check_existing_stt", json_body={"file_path": path}).json()
    assert check["has_stt"] is True  # the renderer reads only has_stt
    renamed = desktop(
        server, "POST", "/update_filename", json_body={"record_id": rid, "filename": "새 이름.txt"}
    )
    assert renamed.status == 200 and record(server, rid)["filename"] == "새 이름.txt"
    # resets: the renderer reads success, then message or error
    reset = desktop(server, "POST", "/reset_summary_embedding", json_body={"record_id": rid})
    assert reset.json()["success"] is True and reset.json()["message"]
    every = desktop(server, "POST", "/reset_all_tasks", json_body={"tasks": ["summary"]}).json()
    assert every["success"] is True and every["message"]
    assert desktop(server, "POST", "/reset", json_body={"record_id": rid}).json() == {
        "success": True
    }
    assert record(server, rid)["stt_done"] is False
    # models: the settings popup reads models and default.summarize
    models = desktop(server, "GET", "/models").json()
    assert set(models) == {"models", "default"} and models["default"]["summarize"]
    # the stop button shows "error" as text: stopping needs the token (quit the app instead)
    stop = desktop(server, "POST", "/shutdown")
    assert stop.status == 401 and "quit the desktop app" in stop.json()["error"]
    assert stop.headers["access-control-allow-origin"] == "null"  # the page can read it
