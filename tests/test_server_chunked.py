"""Resumable uploads and media links through the real API process."""

from __future__ import annotations

import hashlib
import socket
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from recordroute.app.links import LinksService
from tests.server_support import API, ApiServer, Response

pytestmark = pytest.mark.slow

DATA = b"".join(i.to_bytes(4, "big") * 256 for i in range(3 * 1024))  # 3 MiB, all different
DASHBOARD = "http://127.0.0.1:9999"


def begin(server: ApiServer, name: str, size: int, **extra: Any) -> Response:
    return server.api(
        "POST", "/uploads/sessions", json_body={"file_name": name, "size": size, **extra}
    )


def piece(server: ApiServer, upload_id: str, offset: int, data: bytes) -> Response:
    return server.api(
        "POST",
        f"/uploads/sessions/{upload_id}/chunks?offset={offset}",
        body=data,
        headers={"Content-Type": "application/octet-stream"},
    )


def received(server: ApiServer, upload_id: str) -> int:
    reply = server.api("GET", f"/uploads/sessions/{upload_id}")
    assert reply.status == 200, reply.text
    return int(reply.json()["received_bytes"])


def cut_piece(server: ApiServer, upload_id: str, offset: int, declared: int, data: bytes) -> None:
    """Send a piece's headers and only ``data`` of its body, then drop the connection."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    head = (
        f"POST {API}/uploads/sessions/{upload_id}/chunks?offset={offset} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {server.token}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n"
    )
    sock.sendall(head.encode() + data)
    time.sleep(0.2)
    sock.close()


def settle(server: ApiServer, upload_id: str, expected: int, timeout: float = 30) -> int:
    """The bytes the server holds once it has noticed the cut."""
    deadline = time.monotonic() + timeout
    while (held := received(server, upload_id)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return held


def test_a_file_arrives_in_pieces_and_is_queued_for_processing(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0, extra_args=["--dashboard-url", DASHBOARD]) as s:
        # the dashboards' origin may call (preflight), a foreign one may not
        pre = s.api(
            "OPTIONS",
            "/uploads/sessions/x/chunks",
            token=False,
            headers={"Origin": DASHBOARD, "Access-Control-Request-Method": "POST"},
        )
        assert pre.status == 204 and pre.headers["access-control-allow-origin"] == DASHBOARD
        assert "POST" in pre.headers["access-control-allow-methods"]
        assert "Authorization" in pre.headers["access-control-allow-headers"]
        assert pre.headers["connection"] == "close"
        foreign = s.api(
            "POST",
            "/uploads/sessions",
            json_body={"file_name": "a.wav", "size": 1},
            headers={"Origin": "http://evil.example"},
        )
        assert foreign.status == 403
        assert s.api("GET", "/uploads/sessions/x", token=False).status == 401

        opened = begin(s, "회의 녹음.wav", len(DATA), steps=["ingest"], tags=["e2e"])
        assert opened.status == 201, opened.text
        session = opened.json()
        assert session["received_bytes"] == 0 and session["chunk_bytes"] == 16 * 2**20
        uid = session["id"]
        first = piece(s, uid, 0, DATA[: 2**20])
        assert first.status == 200 and first.json()["received_bytes"] == 2**20
        assert first.headers["connection"] == "close"  # the next piece opens a new one
        stale = piece(s, uid, 0, DATA[: 2**20])
        assert stale.status == 409 and stale.json()["error"]["code"] == "upload_offset"
        assert "server holds 1048576 bytes" in stale.json()["error"]["message"]
        early = s.api("POST", f"/uploads/sessions/{uid}/finish")
        assert early.status == 409 and "has 1048576 of 3145728 bytes" in early.text
        assert piece(s, uid, 2**20, DATA[2**20 :]).status == 200
        done = s.api("POST", f"/uploads/sessions/{uid}/finish", headers={"Origin": DASHBOARD})
        assert done.status == 201, done.text
        assert done.headers["access-control-allow-origin"] == DASHBOARD
        body = done.json()
        assert body["recording"]["sha256"] == hashlib.sha256(DATA).hexdigest()
        assert body["recording"]["tags"] == ["e2e"] and body["job"]["state"] == "queued"
        assert body["session"]["state"] == "finished"
        # the queue shows the job at once
        jobs = s.api("GET", "/jobs").json()["items"]
        assert [j["id"] for j in jobs] == [body["job"]["id"]]
        # the same content again: the duplicate message, with the recording it repeats
        again = begin(s, "copy.wav", len(DATA)).json()["id"]
        assert piece(s, again, 0, DATA).status == 200
        dup = s.api("POST", f"/uploads/sessions/{again}/finish")
        assert dup.status == 409 and dup.json()["error"]["code"] == "duplicate"
        assert body["recording"]["id"] in dup.json()["error"]["message"]
        # cancel
        gone = begin(s, "gone.wav", 10).json()["id"]
        assert s.api("DELETE", f"/uploads/sessions/{gone}").status == 204
        assert s.api("GET", f"/uploads/sessions/{gone}").status == 404


def test_clear_refusals(tmp_path: Path) -> None:
    env = {"RECORDROUTE_MAX_UPLOAD_MB": "2"}
    with ApiServer(tmp_path / "db", workers=0, env=env) as s:
        big = begin(s, "big.wav", 3 * 2**20)
        assert big.status == 413
        assert big.json()["error"]["message"] == "'big.wav' is 3 MB; the limit is 2 MB."
        assert "RECORDROUTE_MAX_UPLOAD_MB" in big.json()["error"]["fix"]
        exe = begin(s, "tool.exe", 10)
        assert exe.status == 415 and "cannot process (.exe)" in exe.text
        assert begin(s, "", 10).status == 400
        assert begin(s, "a.wav", "ten").status == 400
        assert begin(s, "a.wav", 1, steps="all").status == 400
        uid = begin(s, "a.wav", 100).json()["id"]
        no_offset = s.api("POST", f"/uploads/sessions/{uid}/chunks", body=b"x")
        assert no_offset.status == 400 and "needs ?offset=N" in no_offset.text
        huge = s.api(
            "POST",
            f"/uploads/sessions/{uid}/chunks?offset=0",
            headers={"Content-Length": str(65 * 2**20)},
        )
        assert huge.status == 413 and "64 MB one piece may carry" in huge.text
        past = piece(s, uid, 0, b"x" * 101)
        assert past.status == 400 and "goes past the declared size" in past.text
        assert s.api("GET", "/uploads/sessions/not-an-id").status == 400
    with ApiServer(tmp_path / "db2", workers=0, env={"RECORDROUTE_MIN_FREE_MB": "16000000"}) as s:
        full = begin(s, "a.wav", 10)
        assert full.status == 507 and "nearly full" in full.text


def test_a_cut_piece_keeps_what_arrived_and_the_upload_resumes_after_a_restart(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "db"
    with ApiServer(data_dir, workers=0) as s:
        uid = begin(s, "long.wav", len(DATA)).json()["id"]
        cut_piece(s, uid, 0, declared=len(DATA), data=DATA[:1_500_000])
        assert settle(s, uid, 1_500_000) == 1_500_000
    with ApiServer(data_dir, workers=0) as s:  # a new process: the upload is still there
        held = received(s, uid)
        assert held == 1_500_000
        assert piece(s, uid, held, DATA[held:]).status == 200
        done = s.api("POST", f"/uploads/sessions/{uid}/finish")
        assert done.status == 201, done.text
        assert done.json()["recording"]["sha256"] == hashlib.sha256(DATA).hexdigest()


def test_a_new_piece_takes_over_from_a_connection_the_client_lost(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as s:
        uid = begin(s, "lost.wav", len(DATA)).json()["id"]
        hung = socket.create_connection(("127.0.0.1", s.port))  # never finishes its body
        head = (
            f"POST {API}/uploads/sessions/{uid}/chunks?offset=0 HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nAuthorization: Bearer {s.token}\r\n"
            f"Content-Length: {len(DATA)}\r\n\r\n"
        )
        hung.sendall(head.encode() + DATA[:700_000])
        time.sleep(0.5)
        try:
            held = received(s, uid)
            reply = piece(s, uid, held, DATA[held:])
            if reply.status == 409:  # the old request had more buffered than it had written
                held = received(s, uid)
                reply = piece(s, uid, held, DATA[held:])
            assert reply.status == 200, reply.text
            assert reply.json()["received_bytes"] == len(DATA)
            assert held == 700_000
        finally:
            hung.close()
        done = s.api("POST", f"/uploads/sessions/{uid}/finish")
        assert done.json()["recording"]["sha256"] == hashlib.sha256(DATA).hexdigest()


def test_media_links_stream_one_file_with_ranges(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as s:
        uid = begin(s, "play.wav", len(DATA)).json()["id"]
        piece(s, uid, 0, DATA)
        rec = s.api("POST", f"/uploads/sessions/{uid}/finish").json()["recording"]
        art = s.api("GET", f"/recordings/{rec['id']}").json()["artifacts"][0]["id"]
        links = LinksService(s.token)
        path = f"/media/{art}?{links.media_query(art)}"
        part = s.api("GET", path, token=False, headers={"Range": "bytes=1000-1999"})
        assert part.status == 206 and part.body == DATA[1000:2000]
        assert part.headers["content-range"] == f"bytes 1000-1999/{len(DATA)}"
        assert s.api("HEAD", path, token=False).headers["content-length"] == str(len(DATA))
        whole = s.api("GET", path, token=False)
        assert whole.status == 200 and whole.body == DATA
        expired = links.media_query(art, now=time.time() - 7200)
        late = s.api("GET", f"/media/{art}?{expired}", token=False)
        assert late.status == 401 and "wrong or has expired" in late.text
        other = s.api("GET", f"/media/{rec['id']}?{links.media_query(art)}", token=False)
        assert other.status == 401
        bare = s.api("GET", f"/media/{art}", token=False)
        assert bare.status == 401 and "needs a media link" in bare.text
        token = urllib.parse.quote(s.token)
        assert s.api("GET", f"/media/{art}?token={token}", token=False).status == 200
