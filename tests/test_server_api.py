"""The native API against a real API process (with one worker process)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_support import API, ApiServer, multipart

TEXT = "Budget planning meeting.\nWe agreed the marketing budget for spring.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("api") / "db") as srv:
        yield srv


def test_health_openapi_settings_models(server: ApiServer) -> None:
    health = server.api("GET", "/health", token=False)
    assert health.status == 200 and health.json()["status"] == "ok"
    doc = server.api("GET", "/openapi.json", token=False).json()
    assert doc["openapi"].startswith("3.") and f"{API}/recordings" in doc["paths"]
    settings = server.api("GET", "/settings")
    assert settings.status == 200
    body = settings.json()
    assert "token" not in body["settings"] and body["token_set"] is True
    assert server.token not in settings.text
    models = server.api("GET", "/models?probe_ollama=true").json()
    assert {m["kind"] for m in models["models"]} >= {"speech", "llm", "embed"}
    assert models["ollama"]["reachable"] in (True, False)
    assert "fix" in models["ollama"]
    assert server.api("GET", "/models?probe_ollama=false").json()["ollama"] is None


def test_recordings_list_filters_sort_paging(server: ApiServer) -> None:
    ids = [server.add_text(f"list-{n}.txt", f"list note {n} {time.time()}") for n in range(3)]
    page = server.api("GET", "/recordings?q=list-&sort=name&order=asc&limit=2").json()
    assert [r["display_name"] for r in page["items"]] == ["list-0.txt", "list-1.txt"]
    assert page["next_offset"] == 2
    rest = server.api("GET", "/recordings?q=list-&sort=name&order=asc&limit=2&offset=2").json()
    assert [r["id"] for r in rest["items"]] == [ids[2]] and rest["next_offset"] is None
    assert all(
        r["kind"] == "text"
        for r in server.api("GET", "/recordings?kind=text&limit=100").json()["items"]
    )
    assert server.api("GET", "/recordings?kind=audio&q=list-").json()["items"] == []
    assert server.api("GET", "/recordings?sort=bogus").status == 400
    assert server.api("GET", "/recordings?limit=0").status == 400
    assert server.api("GET", "/recordings?limit=abc").status == 400


def test_get_rename_tags_delete_restore_purge(server: ApiServer) -> None:
    rid = server.add_text("life.txt", f"lifecycle {time.time()}")
    got = server.api("GET", f"/recordings/{rid}").json()
    assert got["id"] == rid and [a["kind"] for a in got["artifacts"]] == ["source"]
    renamed = server.api("PATCH", f"/recordings/{rid}", json_body={"display_name": "Renamed"})
    assert renamed.json()["display_name"] == "Renamed"
    tagged = server.api("PUT", f"/recordings/{rid}/tags", json_body={"tags": ["b", "a", "a"]})
    assert tagged.json()["tags"] == ["a", "b"]
    assert server.api("GET", "/recordings?tag=a").json()["items"][0]["id"] == rid
    assert server.api("DELETE", f"/recordings/{rid}").json()["deleted"] is True
    assert rid not in [r["id"] for r in server.api("GET", "/recordings").json()["items"]]
    assert rid in [r["id"] for r in server.api("GET", "/recordings?deleted=true").json()["items"]]
    assert server.api("DELETE", f"/recordings/{rid}").status == 409
    assert server.api("POST", f"/recordings/{rid}/restore").json()["deleted"] is False
    assert server.api("POST", f"/recordings/{rid}/purge").status == 409  # not deleted
    server.api("DELETE", f"/recordings/{rid}")
    assert server.api("POST", f"/recordings/{rid}/purge").json() == {"id": rid, "purged": True}
    missing = server.api("GET", f"/recordings/{rid}")
    assert missing.status == 404 and missing.json()["error"]["code"] == "not_found"
    assert server.api("GET", "/recordings/not-a-uuid").json()["error"]["code"] == "invalid_input"


def test_uploads_many_files_duplicates_and_unicode_names(server: ApiServer) -> None:
    stamp = str(time.time()).encode()
    body, kind = multipart(
        [
            ("files", "회의 1.txt", b"first " + stamp),
            ("files", "second.md", b"second\r\n" + stamp + b"\r\n"),
        ],
        filename_star=True,
    )
    reply = server.api("POST", "/uploads?tags=batch", body=body, headers={"Content-Type": kind})
    assert reply.status == 201, reply.text
    items = reply.json()["items"]
    assert [i["status"] for i in items] == ["created", "created"]
    assert items[0]["recording"]["display_name"] == "회의 1.txt"
    assert items[0]["recording"]["tags"] == ["batch"]
    again = server.api("POST", "/uploads", body=body, headers={"Content-Type": kind})
    assert again.status == 200
    assert [i["existing_id"] for i in again.json()["items"]] == [
        i["recording"]["id"] for i in items
    ]
    # the stored bytes are exactly the uploaded ones (trailing CR/LF kept)
    second = server.api("GET", f"/recordings/{items[1]['recording']['id']}").json()
    source = second["artifacts"][0]
    assert server.call("GET", source["download_url"]).body == b"second\r\n" + stamp + b"\r\n"


def test_artifact_download_with_ranges(server: ApiServer) -> None:
    data = bytes(range(256)) * 40  # 10240 bytes
    reply = server.upload([("tone.txt", data)])
    rec = server.api("GET", f"/recordings/{reply.json()['items'][0]['recording']['id']}").json()
    url = rec["artifacts"][0]["download_url"]
    full = server.call("GET", url)
    assert full.status == 200 and full.body == data
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["content-disposition"].startswith("inline")
    part = server.call("GET", url, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and part.body == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = server.call("GET", url, headers={"Range": "bytes=-24"})
    assert tail.status == 206 and tail.body == data[-24:]
    bad = server.call("GET", url, headers={"Range": f"bytes={len(data)}-"})
    assert bad.status == 416 and bad.headers["content-range"] == f"bytes */{len(data)}"
    assert server.call("GET", url, headers={"Range": "bytes=0-1,4-5"}).status == 200
    head = server.call("HEAD", url)
    assert head.status == 200 and head.headers["content-length"] == str(len(data)) and not head.body
    same = server.call("GET", url, headers={"If-None-Match": full.headers["etag"]})
    assert same.status == 304
    attach = server.call("GET", url + "?download=1")
    assert attach.headers["content-disposition"].startswith("attachment")
    by_query = server.call("GET", f"{url}?token={server.token}", token=False)
    assert by_query.status == 200  # an <audio src> cannot send headers
    assert server.api("GET", "/artifacts/00000000-0000-4000-8000-000000000000").status == 404


def test_transcript_edit_and_exports(server: ApiServer) -> None:
    rid = server.add_text("talk.txt", TEXT + str(time.time()))
    job = server.run_job(rid, ["keywords"])
    assert job["state"] == "done", job
    for fmt, marker in (
        ("txt", "Budget"),
        ("md", "Budget"),
        ("srt", "-->"),
        ("vtt", "WEBVTT"),
        ("json", '"segments"'),
    ):
        reply = server.api("GET", f"/recordings/{rid}/export?format={fmt}")
        assert reply.status == 200, (fmt, reply.text)
        assert marker in reply.text, (fmt, reply.text)
        assert f"talk.{fmt}" in reply.headers["content-disposition"]
    assert server.api("GET", f"/recordings/{rid}/export?format=doc").status == 400
    edited = server.api(
        "PUT",
        f"/recordings/{rid}/transcript",
        json_body={"text": "[00:00:01 - 00:00:02] edited line\n"},
    )
    assert edited.status == 200 and edited.json()["edited"] is True
    srt = server.api("GET", f"/recordings/{rid}/export?format=srt").text
    assert "00:00:01,000 --> 00:00:02,000" in srt and "edited line" in srt
    fresh = server.add_text("empty.txt", f"no job yet {time.time()}")
    assert server.api("GET", f"/recordings/{fresh}/export?format=txt").status == 404


def test_jobs_submit_list_get_cancel_retry(server: ApiServer) -> None:
    rid = server.add_text("jobs.txt", f"jobs text {time.time()}")
    reply = server.api(
        "POST",
        "/jobs",
        json_body={
            "recording_id": rid,
            "steps": ["keywords"],
            "options": {"language": "en"},
            "client_task_id": "task-jobs",
        },
    )
    assert reply.status == 201
    job = reply.json()
    assert job["state"] in ("queued", "running", "done") and job["client_task_id"] == "task-jobs"
    done = server.wait_job(job["id"])
    assert done["state"] == "done" and done["percent"] == 100
    listed = server.api("GET", f"/jobs?recording_id={rid}&state=done").json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]
    assert server.api("GET", f"/jobs/{job['id']}").json()["steps"] == ["ingest", "keywords"]
    assert server.api("POST", f"/jobs/{job['id']}/cancel").status == 409  # already done
    assert server.api("POST", f"/jobs/{job['id']}/retry").status == 409
    # a job that cannot start (its recording is deleted) stays queued: cancel, then retry.
    # The worker wakes at once when a job is queued, so it may also have run it already
    # (tests/test_jobs.py::test_a_job_of_a_deleted_recording_waits_and_can_be_cancelled
    # covers the queued case without a worker).
    other = server.add_text("later.txt", f"later {time.time()}")
    queued = server.api("POST", "/jobs", json_body={"recording_id": other, "steps": ["keywords"]})
    server.api("DELETE", f"/recordings/{other}")
    reply = server.api("POST", f"/jobs/{queued.json()['id']}/cancel")
    if reply.status == 409:  # it ran before the delete
        assert server.wait_job(queued.json()["id"])["state"] == "done"
    cancelled = reply.json() if reply.status == 200 else {"state": "done"}
    assert cancelled["state"] in ("cancelled", "running", "done")
    if cancelled["state"] == "cancelled":
        server.api("POST", f"/recordings/{other}/restore")
        again = server.api("POST", f"/jobs/{queued.json()['id']}/retry")
        assert again.status == 200 and again.json()["state"] == "queued"
        assert server.wait_job(queued.json()["id"])["state"] == "done"
    bad = server.api("POST", "/jobs", json_body={"recording_id": rid, "steps": ["dance"]})
    assert bad.status == 400 and "dance" in bad.json()["error"]["message"]
    assert (
        server.api("POST", "/jobs", json_body={"recording_id": rid, "options": {"x": 1}}).status
        == 400
    )
    assert server.api("GET", "/jobs?state=bogus").status == 400
    assert server.api("GET", "/jobs/00000000-0000-4000-8000-000000000000").status == 404


@pytest.mark.slow
def test_search_with_filters_and_similar_recordings(server: ApiServer) -> None:
    a = server.add_text("budget-a.txt", "The marketing budget for spring was approved. " * 5)
    b = server.add_text("budget-b.txt", "Our spring marketing budget needs approval. " * 5)
    c = server.add_text("garden.txt", "Tomatoes and basil grow well in the garden. " * 5)
    server.api("PUT", f"/recordings/{b}/tags", json_body={"tags": ["finance"]})
    for rid in (a, b, c):
        assert server.run_job(rid, ["embed"])["state"] == "done"
    found = server.api("GET", "/search?q=budget&k=5").json()
    hits = found["items"]
    # only the two budget notes clear the relevance bar; the garden note is a weaker match
    assert {h["recording_id"] for h in hits} == {a, b}
    assert found["nothing_found"] is False and found["weaker"] == 1
    assert all(h["relevant"] and h["evidence"]["words_found"] == 1 for h in hits)
    assert "«budget»" in hits[0]["snippet"]
    with_weaker = server.api("GET", "/search?q=budget&weaker=true").json()["items"]
    assert [h["recording_id"] for h in with_weaker][2:] == [c]
    assert with_weaker[2]["relevant"] is False
    bad = server.api("GET", "/search?q=budget&weaker=maybe")
    assert bad.status == 400 and "'weaker' is 'maybe'" in bad.json()["error"]["message"]
    nothing = server.api("GET", "/search?q=quantum%20chromodynamics%20lattice").json()
    assert nothing["nothing_found"] is True and nothing["items"] == []
    assert nothing["weaker"] == 3 and nothing["suggestions"] == []
    typo = server.api("GET", "/search?q=gardne%20quantum%20chromodynamics").json()
    assert typo["nothing_found"] is True
    assert typo["suggestions"] == ["garden quantum chromodynamics", "garden"]
    tagged = server.api("GET", "/search?q=budget&tag=finance").json()["items"]
    assert [h["recording_id"] for h in tagged] == [b]
    assert server.api("GET", "/search?q=budget&kind=audio").json()["items"] == []
    assert server.api("GET", "/search?q=budget&end=2000-01-01").json()["items"] == []
    assert len(server.api("GET", "/search?q=budget&start=2000-01-01").json()["items"]) >= 2
    assert server.api("GET", "/search?q=budget&start=yesterday").status == 400
    empty = server.api("GET", "/search?q=").json()
    assert empty["items"] == [] and empty["nothing_found"] is True
    similar = server.api("GET", f"/recordings/{a}/similar?k=2").json()["items"]
    assert similar[0]["recording_id"] == b and similar[0]["score"] > similar[-1]["score"] - 1


def test_json_bodies_are_checked(server: ApiServer) -> None:
    rid = server.add_text("json.txt", f"json {time.time()}")
    path = f"/recordings/{rid}"
    as_text = server.api(
        "PATCH",
        path,
        body=json.dumps({"display_name": "x"}).encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert as_text.status == 415 and as_text.json()["error"]["code"] == "unsupported_media_type"
    broken = server.api("PATCH", path, body=b"{nope", headers={"Content-Type": "application/json"})
    assert broken.status == 400 and broken.json()["error"]["code"] == "malformed_request"
    listed = server.api("PATCH", path, json_body=["display_name"])
    assert listed.status == 400
    assert server.api("PATCH", path, json_body={"display_name": 3}).status == 400
    assert server.api("PUT", f"{path}/tags", json_body={"tags": "a"}).status == 400
    assert server.api("PUT", f"{path}/transcript", json_body={}).status == 400
    assert server.api("GET", f"{path}").json()["display_name"] == "json.txt"


def test_unknown_routes_and_methods(server: ApiServer) -> None:
    missing = server.api("GET", "/nothing")
    assert missing.status == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = server.api("POST", "/health", json_body={})
    assert wrong.status == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_a_standalone_api_process_stops_its_workers(tmp_path: Path) -> None:
    from tests.server_support import descendants, wait_gone

    srv = ApiServer(tmp_path / "db", workers=2).start()
    assert srv.proc is not None
    children = descendants(srv.proc.pid)
    assert len(children) == 2
    assert srv.stop() == 0
    assert wait_gone(children, 30) == []
