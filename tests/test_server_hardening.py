"""What an outside security and bad-input probe found (issue 10, items 3-10 and its notes):
each test sends the attack or the bad input and checks the answer is a clear error that
names the problem and the fix, and that nothing was lost or left behind."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.server_support import API, ApiServer, Response, multipart, request

HANGUL_NFC = "회의록"
HANGUL_NFD = unicodedata.normalize("NFD", HANGUL_NFC)
NFC_Q = urllib.parse.quote(HANGUL_NFC)
NFD_Q = urllib.parse.quote(HANGUL_NFD)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    folder = tmp_path_factory.mktemp("hardening")
    with ApiServer(
        folder / "db",
        workers=0,
        env={"RECORDROUTE_MAX_UPLOAD_MB": "1"},
        stderr_path=folder / "stderr.txt",
    ) as srv:
        yield srv


def state(server: ApiServer) -> tuple[int, list[str]]:
    """How many recordings exist, and every file and folder under uploads/ and tmp/."""
    count = len(server.api("GET", "/recordings?deleted=all&limit=1000").json()["items"])
    entries = sorted(
        str(p.relative_to(server.data_dir))
        for area in ("uploads", "tmp")
        for p in (server.data_dir / area).rglob("*")
    )
    return count, entries


def upload(server: ApiServer, files: list[tuple[str, bytes]], *, compat: bool = False) -> Response:
    body, kind = multipart([("files", name, data) for name, data in files], filename_star=True)
    if compat:
        return server.compat("POST", "/upload", body=body, headers={"Content-Type": kind})
    return server.api("POST", "/uploads", body=body, headers={"Content-Type": kind})


def error_of(reply: Response) -> dict[str, str]:
    """The error of a native reply, or of a refusal on the original client's routes (one
    text with the message and the fix, which both clients show)."""
    body = reply.json()
    if isinstance(body["error"], str):
        assert set(body) == {"error", "code"}, body
        return {"code": body["code"], "message": body["error"], "fix": body["error"]}
    assert set(body["error"]) == {"code", "message", "fix"}, body
    return dict(body["error"])


def raw_exchange(port: int, head: str, body_chunks: Sequence[bytes] = ()) -> str:
    """Send a request by hand (headers, then chunks as given) while reading the reply, as a
    browser does; returns what the server said before it closed the connection."""
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:

        def read() -> None:
            with contextlib.suppress(OSError):
                while piece := sock.recv(65536):
                    received.extend(piece)

        reader = threading.Thread(target=read)
        reader.start()
        with contextlib.suppress(OSError):  # the server may answer early and close
            sock.sendall(head.encode("latin-1"))
            for chunk in body_chunks:
                sock.sendall(chunk)
        reader.join(60)  # the server closes the connection after a refusal
    return bytes(received).decode("utf-8", "replace")


# -- item 3: a file name over 255 bytes ----------------------------------------------------
def test_a_name_over_255_bytes_is_stored_cut_by_bytes_keeping_its_suffix(
    server: ApiServer,
) -> None:
    long_name = "가" * 90 + ".txt"  # 274 bytes in UTF-8
    assert len(long_name.encode()) > 255
    stamp = str(time.time()).encode()
    reply = upload(server, [("first.txt", b"first " + stamp), (long_name, b"long " + stamp)])
    assert reply.status == 201, reply.text
    created = [item["recording"] for item in reply.json()["items"]]
    long_rec = created[1]
    assert long_rec["display_name"] == long_name  # what the user sees is the whole name
    stored = long_rec["original_name"]
    assert stored.endswith(".txt") and stored.startswith("가" * 60)
    assert len(stored.encode()) <= 200
    assert (server.data_dir / "uploads" / long_rec["id"] / stored).read_bytes() == b"long " + stamp
    # the original client's route takes it too, and its path points at the stored file
    compat = upload(server, [("나" * 90 + ".md", b"compat " + stamp)], compat=True)
    assert compat.status == 200, compat.text
    path = compat.json()[0]["file_path"]
    assert path.endswith(".md") and (server.data_dir / path.removeprefix("DB/")).is_file()


def test_a_failed_upload_request_keeps_nothing_from_any_of_its_files(server: ApiServer) -> None:
    before = state(server)
    stamp = str(time.time()).encode()
    reply = upload(server, [("kept-not.txt", b"good " + stamp), ("empty.txt", b"")])
    assert reply.status == 400
    error = error_of(reply)
    assert error["code"] == "empty_file" and "'empty.txt' is empty (0 bytes)" in error["message"]
    assert "Choose the file again" in error["fix"]
    assert state(server) == before  # the first file is gone too, and no empty folder is left
    compat = upload(server, [("kept-not.txt", b"good " + stamp), ("empty.txt", b"")], compat=True)
    assert compat.status == 400 and "is empty (0 bytes)" in compat.json()["error"]
    assert state(server) == before


def test_empty_files_are_refused_and_do_not_shadow_later_ones(server: ApiServer) -> None:
    for name in ("a-empty.txt", "b-empty.txt"):
        reply = upload(server, [(name, b"")])
        assert reply.status == 400 and error_of(reply)["code"] == "empty_file"


# -- item 4: long names refused for the wrong reason ------------------------------------------
def test_a_long_name_keeps_its_type(server: ApiServer) -> None:
    name = "a" * 250 + ".txt"
    reply = upload(server, [(name, f"long ascii name {time.time()}".encode())])
    assert reply.status == 201, reply.text
    rec = reply.json()["items"][0]["recording"]
    assert rec["kind"] == "text" and rec["display_name"] == name
    assert rec["original_name"] == "a" * 196 + ".txt"
    refused = upload(server, [("b" * 250 + ".exe", b"MZ")])
    assert refused.status == 415
    assert "(.exe)" in error_of(refused)["message"]  # the real reason, not "no suffix"


# -- item 5: /process with steps that are not a list ---------------------------------------
def test_process_refuses_steps_that_are_not_a_list_before_queuing(server: ApiServer) -> None:
    rid = server.add_text("steps.txt", f"steps {time.time()}")
    before = server.api("GET", f"/jobs?recording_id={rid}").json()["items"]
    for steps in (123, 1.5, True, "stt", {"stt": 1}, [1, "stt"]):
        reply = server.compat(
            "POST", "/process", json_body={"file_path": rid, "record_id": rid, "steps": steps}
        )
        assert reply.status == 400, (steps, reply.text)
        body = reply.json()
        assert "'steps' must be a list of step names" in body["error"], body
        assert f"not {steps!r}." in body["error"], body
        assert '"steps": ["stt", "summary"]' in body["details"]
    assert server.api("GET", f"/jobs?recording_id={rid}").json()["items"] == before
    assert server.compat("GET", "/tasks").json() == {}


# -- item 6: JSON nested 5,000 levels deep --------------------------------------------------
DEEP = b"[" * 5000 + b"]" * 5000


def test_deeply_nested_json_is_a_400_on_every_json_route(server: ApiServer) -> None:
    rid = server.add_text("deep.txt", f"deep {time.time()}")
    headers = {"Content-Type": "application/json"}
    for method, path in (
        ("PATCH", f"/recordings/{rid}"),
        ("PUT", f"/recordings/{rid}/tags"),
        ("PUT", f"/recordings/{rid}/transcript"),
        ("POST", "/jobs"),
    ):
        reply = server.api(method, path, body=DEEP, headers=headers)
        assert reply.status == 400, (path, reply.text)
        error = error_of(reply)
        assert "nested too deeply" in error["message"] and "flat JSON object" in error["fix"]
    for path in (
        "/process",
        "/cancel",
        "/reset",
        "/update_filename",
        "/incremental_embedding",
        "/check_existing_stt",
        "/update_stt_text",
        "/reset_summary_embedding",
        "/reset_all_tasks",
        "/similar",
        "/delete",
        "/delete_records",
    ):
        reply = server.compat("POST", path, body=DEEP, headers=headers)
        assert reply.status == 400, (path, reply.text)
        assert reply.text.startswith("Invalid JSON payload: The JSON body is nested too deeply")
    with server.events() as ws:
        assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"
        ws.send(DEEP.decode())
        assert json.loads(ws.recv(timeout=30))["type"] == "error"
        ws.send(json.dumps({"action": "snapshot"}))
        assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"  # still serving


# -- item 7 and the notes on origins and hosts ---------------------------------------------
def test_a_malformed_origin_is_refused_with_403_and_not_echoed(server: ApiServer) -> None:
    for origin in ("http://127.0.0.1:99999", "http://a:b", "http://[::1", "http://evil.example"):
        for reply in (
            server.compat("GET", "/history", headers={"Origin": origin}),
            server.api("GET", "/recordings", headers={"Origin": origin}),
            server.compat(
                "POST", "/reset", json_body={"record_id": "x"}, headers={"Origin": origin}
            ),
        ):
            assert reply.status == 403, (origin, reply.status, reply.text)
            assert "access-control-allow-origin" not in reply.headers, origin
            assert "not allowed" in error_of(reply)["message"]
    same = f"http://127.0.0.1:{server.port}"
    allowed = server.compat("GET", "/history", headers={"Origin": same})
    assert allowed.status == 200 and allowed.headers["access-control-allow-origin"] == same


def test_host_headers_are_parsed_strictly(server: ApiServer) -> None:
    for host in (f"127.0.0.1:{server.port}.evil.example", "localhost:abc", "localhost:99999"):
        reply = request(server.port, "GET", "/history", headers={"Host": host})
        assert reply.status == 403, (host, reply.status)
        error = error_of(reply)
        assert "Host header" in error["message"] and "127.0.0.1" in error["fix"]
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", f"[::1]:{server.port}"):
        assert request(server.port, "GET", "/history", headers={"Host": host}).status == 200


# -- item 8: NFD names, tags, queries and text ---------------------------------------------
def test_decomposed_korean_is_stored_and_found_in_nfc(server: ApiServer) -> None:
    name = f"{HANGUL_NFD} {time.time()}.txt"
    reply = upload(server, [(name, f"{HANGUL_NFD} 본문".encode())])
    assert reply.status == 201, reply.text
    rec = reply.json()["items"][0]["recording"]
    assert rec["display_name"] == unicodedata.normalize("NFC", name)
    assert rec["original_name"] == unicodedata.normalize("NFC", name)
    assert rid_in(server.api("GET", f"/recordings?q={NFC_Q}").json()["items"], rec["id"])
    found = server.compat("GET", f"/file_search?q={NFC_Q}").json()
    assert rec["id"] in [f["id"] for f in found]
    tagged = server.api("PUT", f"/recordings/{rec['id']}/tags", json_body={"tags": [HANGUL_NFD]})
    assert tagged.json()["tags"] == [HANGUL_NFC]
    assert rid_in(server.api("GET", f"/recordings?tag={NFC_Q}").json()["items"], rec["id"])
    assert rid_in(server.api("GET", f"/recordings?tag={NFD_Q}").json()["items"], rec["id"])
    renamed = server.api(
        "PATCH", f"/recordings/{rec['id']}", json_body={"display_name": HANGUL_NFD}
    )
    assert renamed.json()["display_name"] == HANGUL_NFC
    compat = server.compat(
        "POST", "/update_filename", json_body={"record_id": rec["id"], "filename": HANGUL_NFD + "2"}
    )
    assert compat.json() == {"success": True}
    assert server.api("GET", f"/recordings/{rec['id']}").json()["display_name"] == HANGUL_NFC + "2"
    edited = server.api(
        "PUT", f"/recordings/{rec['id']}/transcript", json_body={"text": f"{HANGUL_NFD} 편집\n"}
    )
    assert edited.status == 200
    text = server.api("GET", f"/recordings/{rec['id']}/export?format=txt").text
    assert HANGUL_NFC in text and HANGUL_NFD not in text


def rid_in(items: list[dict[str, Any]], rid: str) -> bool:
    return rid in [item["id"] for item in items]


# -- item 9: bodies over the limits ----------------------------------------------------------
def test_json_over_32_mb_is_a_413_naming_the_limit(server: ApiServer) -> None:
    head = (
        f"POST /update_filename HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {40 * 1024 * 1024}\r\n\r\n"
    )
    reply = raw_exchange(server.port, head)
    assert reply.startswith("HTTP/1.1 413"), reply[:300]
    body = json.loads(reply.split("\r\n\r\n", 1)[1])
    assert body["error"]["code"] == "too_large"
    assert "40 MB" in body["error"]["message"] and "32 MB" in body["error"]["message"]
    # the same without a declared length: chunks past the limit get the same answer
    chunk = b"x" * (1024 * 1024)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    chunked_head = (
        f"POST {API}/jobs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {server.token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    reply = raw_exchange(server.port, chunked_head, [framed] * 34)
    assert reply.startswith("HTTP/1.1 413"), reply[:300]
    assert '"too_large"' in reply and "32 MB" in reply
    assert server.api("GET", "/health", token=False).status == 200


def test_a_chunked_upload_over_the_limit_is_a_413_and_keeps_nothing(server: ApiServer) -> None:
    before = state(server)
    body, kind = multipart([("files", "big.txt", b"y" * (3 * 1024 * 1024))])
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    head = (
        f"POST {API}/uploads HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {server.token}\r\n"
        f"Content-Type: {kind}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    framed = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces] + [b"0\r\n\r\n"]
    reply = raw_exchange(server.port, head, framed)
    assert reply.startswith("HTTP/1.1 413"), reply[:300]
    body_text = reply.split("\r\n\r\n", 1)[1]
    assert '"too_large"' in body_text and "the limit is 1 MB" in body_text
    assert "RECORDROUTE_MAX_UPLOAD_MB" in body_text
    assert state(server) == before


def test_sizes_in_messages_keep_a_decimal(server: ApiServer) -> None:
    size = int(2.86 * 1024 * 1024)
    head = (
        f"POST {API}/uploads HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {server.token}\r\n"
        f"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {size}\r\n\r\n"
    )
    reply = raw_exchange(server.port, head)
    assert reply.startswith("HTTP/1.1 413") and "The upload is 2.9 MB" in reply, reply[:400]


# -- notes: what an error repeats ------------------------------------------------------------
def test_errors_repeat_at_most_a_short_piece_of_a_huge_input(server: ApiServer) -> None:
    rid = server.add_text("echo.txt", f"echo {time.time()}")
    huge = "x" * 100_000
    replies = [
        server.api("PATCH", f"/recordings/{rid}", json_body={"display_name": huge}),
        server.api("GET", f"/recordings?sort={huge[:5000]}"),
        server.api("POST", "/jobs", json_body={"recording_id": rid, "steps": [huge]}),
        server.compat("POST", "/update_filename", json_body={"record_id": rid, "filename": huge}),
        server.compat("POST", "/delete_records", json_body={"record_ids": [huge]}),
    ]
    for reply in replies:
        assert 200 <= reply.status < 500, reply.status
        assert len(reply.body) < 2000, (reply.status, reply.body[:200])
        assert "characters)" in reply.text, reply.text[:300]  # says how long it really was
    assert server.api("GET", f"/recordings/{rid}").json()["display_name"] == "echo.txt"


# -- item 10: the token in logs ----------------------------------------------------------------
def test_the_token_never_reaches_a_log(tmp_path: Path) -> None:
    stderr = tmp_path / "stderr.txt"
    token = "tok-" + "s3cr3t" * 6
    with ApiServer(tmp_path / "db", workers=0, token=token, stderr_path=stderr) as server:
        server.call("GET", f"{API}/nothing?token={token}", token=False)  # 404, logged
        server.call("GET", f"{API}/recordings?token={token}x", token=False)  # 401, logged
        server.call("GET", f"/download/nope?token={token}", token=False)  # 404, logged
        server.call("GET", f"{API}/recordings?limit=0&token={token}", token=False)  # 400
        server.api("GET", f"/recordings?limit=0&token={token}")
        with server.events():
            pass
    text = stderr.read_text(encoding="utf-8")
    logged = (tmp_path / "db" / "log" / "recordroute.log").read_text(encoding="utf-8")
    assert "/recordroute/api/v1/nothing?token=[redacted]" in text, text[-2000:]
    assert token not in text and token not in logged


@pytest.mark.slow
def test_a_decomposed_query_finds_text_that_came_in_decomposed(tmp_path: Path) -> None:
    from recordroute import RecordRoute, Settings

    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:
        text = unicodedata.normalize("NFD", "예산 회의록: 봄 마케팅 예산을 승인했다.\n")
        rec = app.recordings.add_upload("mac-note.txt", io.BytesIO(text.encode()))
        assert app.process(rec.id, ["embed"]).state == "done"
        transcript = app.recordings.latest_artifact(rec.id, "transcript", "md")
        assert transcript is not None
        assert app.recordings.read_text(transcript.id) == unicodedata.normalize("NFC", text)
        for query in (HANGUL_NFC, HANGUL_NFD):
            hits = app.search(query)
            assert hits and hits[0].recording_id == rec.id, query
            assert hits[0].keyword is not None and hits[0].keyword.matches >= 1, query
