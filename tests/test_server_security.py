"""Security rules: each refusal is a clear 4xx and writes nothing."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_support import (
    API,
    CHROME_UA,
    DESKTOP,
    ELECTRON_UA,
    ApiServer,
    multipart,
    request,
)

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(
        tmp_path_factory.mktemp("sec") / "db",
        workers=0,
        env={"RECORDROUTE_MAX_UPLOAD_MB": "1"},
        extra_args=["--dashboard-url", "http://127.0.0.1:9/"],
    ) as srv:
        yield srv


def snapshot(server: ApiServer) -> tuple[int, list[str]]:
    """How many recordings exist, and every file under uploads/ and tmp/."""
    count = len(server.api("GET", "/recordings?deleted=all&limit=1000").json()["items"])
    files = sorted(
        str(p.relative_to(server.data_dir))
        for area in ("uploads", "tmp")
        for p in (server.data_dir / area).rglob("*")
        if p.is_file()
    )
    return count, files


def assert_refused(reply_status: int, reply_body: bytes, status: int) -> None:
    assert reply_status == status, reply_body
    text = reply_body.decode("utf-8", "replace")
    assert "Traceback" not in text


def test_tokens(server: ApiServer) -> None:
    before = snapshot(server)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic abc"},
        {"X-RecordRoute-Token": "wrong"},
    ):
        reply = server.api("GET", "/recordings", token=False, headers=headers)
        assert_refused(reply.status, reply.body, 401)
        assert reply.json()["error"]["code"] == "unauthorized"
    body, kind = multipart([("files", "a.txt", b"no token")])
    reply = server.api("POST", "/uploads", token=False, body=body, headers={"Content-Type": kind})
    assert_refused(reply.status, reply.body, 401)
    # ?token= works for reads only, never for writes
    assert server.call("GET", f"{API}/recordings?token={server.token}", token=False).status == 200
    write = server.call(
        "POST",
        f"{API}/uploads?token={server.token}",
        token=False,
        body=body,
        headers={"Content-Type": kind},
    )
    assert_refused(write.status, write.body, 401)
    assert (
        server.api(
            "GET", "/recordings", token=False, headers={"X-RecordRoute-Token": server.token}
        ).status
        == 200
    )
    assert snapshot(server) == before


def test_cross_site_requests_cannot_write(server: ApiServer) -> None:
    rid = server.add_text("keep.txt", f"keep {time.time()}")
    before = snapshot(server)
    body = json.dumps({"record_ids": [rid]}).encode()
    # a foreign page, with JSON or with a form-style body: refused
    for kind in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
        reply = server.compat(
            "POST", "/delete_records", body=body, headers={"Origin": EVIL, "Content-Type": kind}
        )
        assert_refused(reply.status, reply.body, 403)
    # no Origin or the desktop shell's page but not JSON: refused
    for origin in ({}, DESKTOP):
        reply = server.compat(
            "POST", "/delete_records", body=body, headers={"Content-Type": "text/plain", **origin}
        )
        assert_refused(reply.status, reply.body, 415)
    files, kind = multipart([("files", "x.txt", b"cross site upload")])
    reply = server.compat(
        "POST", "/upload", body=files, headers={"Origin": EVIL, "Content-Type": kind}
    )
    assert_refused(reply.status, reply.body, 403)
    native = server.api(
        "PATCH", f"/recordings/{rid}", json_body={"display_name": "x"}, headers={"Origin": EVIL}
    )
    assert_refused(native.status, native.body, 403)
    null_native = server.api(
        "PATCH", f"/recordings/{rid}", json_body={"display_name": "x"}, headers=DESKTOP
    )
    assert_refused(null_native.status, null_native.body, 403)
    # Origin null from anything but the desktop shell's page (a sandboxed frame on any web
    # site sends it too): refused, however the body is sent
    sandboxed = {**DESKTOP, "User-Agent": CHROME_UA}
    for headers in (
        sandboxed,
        {"Origin": "null"},
        {**DESKTOP, "Sec-Fetch-Mode": "no-cors"},
        {**DESKTOP, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"},
        {**DESKTOP, "User-Agent": ELECTRON_UA.replace("recordroute/1.0.0 ", "")},
    ):
        reply = server.compat(
            "POST",
            "/update_filename",
            json_body={"record_id": rid, "filename": "x"},
            headers=headers,
        )
        assert_refused(reply.status, reply.body, 403)
        assert "desktop app" in reply.json()["error"] and reply.json()["code"] == "forbidden"
        upload = server.compat(
            "POST", "/upload", body=files, headers={**headers, "Content-Type": kind}
        )
        assert_refused(upload.status, upload.body, 403)
        assert server.compat("GET", "/history", headers=headers).status == 403
    assert snapshot(server) == before
    assert server.api("GET", f"/recordings/{rid}").json()["display_name"] == "keep.txt"
    # the desktop shell's page (Origin null) and this server's own pages (any loopback
    # name for its host) may write
    for origin in ("null", f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"):
        reply = server.compat(
            "POST",
            "/update_filename",
            headers={**DESKTOP, "Origin": origin},
            json_body={"record_id": rid, "filename": f"by {origin}"},
        )
        assert reply.status == 200 and reply.json() == {"success": True}
        assert reply.headers["access-control-allow-origin"] == origin
    preflight = server.compat(
        "OPTIONS",
        "/update_filename",
        headers={**DESKTOP, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204 and "POST" in preflight.headers["access-control-allow-methods"]
    # a script cannot make a browser send the shell's User-Agent: the header is never allowed
    assert "user-agent" not in preflight.headers["access-control-allow-headers"].lower()
    sandboxed_preflight = server.compat(
        "OPTIONS",
        "/update_filename",
        headers={
            **sandboxed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, user-agent",
        },
    )
    assert sandboxed_preflight.status == 403
    evil_preflight = server.compat("OPTIONS", "/update_filename", headers={"Origin": EVIL})
    assert evil_preflight.status == 403
    # the dashboards' origin may call the native API: its preflight needs no token
    dashboards = "http://127.0.0.1:9"
    native_preflight = server.api(
        "OPTIONS", "/recordings", token=False, headers={"Origin": dashboards}
    )
    assert native_preflight.status == 204
    assert native_preflight.headers["access-control-allow-origin"] == dashboards
    assert "Authorization" in native_preflight.headers["access-control-allow-headers"]


def test_dns_rebinding_host_names_are_refused(server: ApiServer) -> None:
    reply = request(server.port, "GET", "/history", headers={"Host": f"evil.example:{server.port}"})
    assert_refused(reply.status, reply.body, 403)
    assert (
        request(server.port, "GET", "/history", headers={"Host": f"localhost:{server.port}"}).status
        == 200
    )


def test_traversal_attempts(server: ApiServer) -> None:
    before = snapshot(server)
    attempts = [
        f"{API}/artifacts/..%2F..%2F..%2Fetc%2Fpasswd",
        f"{API}/artifacts/%2Fetc%2Fpasswd",
        f"{API}/recordings/..%2F..%2Fetc/export?format=txt",
        f"{API}/artifacts/....//....//etc/passwd",
        "/download/DB%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/download/C:%5CWindows%5Cwin.ini",
        "/download/%00",
        "/similar/..%2F..%2Fetc%2Fpasswd",
    ]
    for path in attempts:
        reply = server.call("GET", path)
        assert 400 <= reply.status < 500, (path, reply.status)
        assert b"root:" not in reply.body and b"[fonts]" not in reply.body
    for identifier in ("DB/../../etc/passwd", "/etc/passwd", "../recordroute.sqlite3"):
        for path, body in (
            ("/update_stt_text", {"file_identifier": identifier, "content": "x"}),
            ("/similar", {"file_identifier": identifier}),
            ("/delete", {"file_identifier": identifier, "file_type": "stt"}),
            ("/process", {"file_path": identifier, "steps": ["stt"]}),
            ("/check_existing_stt", {"file_path": identifier}),
        ):
            reply = server.compat("POST", path, json_body=body)
            assert reply.status in (200, 400, 404), (path, reply.status)
            assert b"root:" not in reply.body
            if reply.status == 200:
                assert "error" in reply.json() or reply.json().get("has_stt") is False
    assert snapshot(server) == before
    assert Path("/etc/passwd").read_text(encoding="utf-8")  # untouched, still readable


def test_oversize_uploads_are_refused_with_413(server: ApiServer) -> None:
    before = snapshot(server)
    # declared too large: refused before the body is read
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST {API}/uploads HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Authorization: Bearer {server.token}\r\n"
                "Content-Type: multipart/form-data; boundary=B\r\n"
                f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        head = sock.recv(65536).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head
    assert '"too_large"' in head
    # a file over the limit inside a body of acceptable size: refused once it is seen
    body, kind = multipart([("files", "big.txt", b"x" * (1024 * 1024 + 10))])
    reply = server.api("POST", "/uploads", body=body, headers={"Content-Type": kind})
    assert_refused(reply.status, reply.body, 413)
    assert reply.json()["error"]["code"] == "too_large"
    compat = server.compat("POST", "/upload", body=body, headers={"Content-Type": kind})
    assert_refused(compat.status, compat.body, 413)
    # a good first file, then an oversized one: the request fails and writes nothing
    two, kind = multipart(
        [
            ("files", "ok.txt", f"fine {time.time()}".encode()),
            ("files", "big.txt", b"y" * (1024 * 1024 + 10)),
        ]
    )
    reply = server.api("POST", "/uploads", body=two, headers={"Content-Type": kind})
    assert_refused(reply.status, reply.body, 413)
    assert snapshot(server) == before


def test_malformed_uploads_write_nothing(server: ApiServer) -> None:
    before = snapshot(server)
    good, kind = multipart([("files", "first.txt", f"first {time.time()}".encode())])
    cut = good[: good.rindex(b"--")]  # no closing boundary
    cases = [
        (cut, kind, 400),
        (good, "multipart/form-data", 400),  # no boundary
        (good, "text/plain", 400),
        (
            b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n",
            "multipart/form-data; boundary=B",
            400,
        ),  # no Content-Disposition
        (multipart([("files", "evil.exe", b"MZ")])[0], None, 415),  # unsupported type
        (multipart([("files", "..", b"x")])[0], None, 415),  # no usable name
    ]
    for body, content_type, status in cases:
        if content_type is None:
            content_type = "multipart/form-data; boundary=" + body[2 : body.index(b"\r\n")].decode()
        reply = server.api("POST", "/uploads", body=body, headers={"Content-Type": content_type})
        assert_refused(reply.status, reply.body, status)
        assert set(reply.json()["error"]) == {"code", "message", "fix"}
    # a good file followed by a broken part: the first one is rolled back
    broken = good[: good.rindex(b"--")] + b"\r\nContent-Type: x\r\n\r\nno disposition\r\n--"
    broken += good[good.index(b"--") + 2 : good.index(b"\r\n")] + b"--\r\n"
    reply = server.api("POST", "/uploads", body=broken, headers={"Content-Type": kind})
    assert_refused(reply.status, reply.body, 400)
    assert snapshot(server) == before


def test_bad_json_and_error_bodies_never_leak_paths(server: ApiServer) -> None:
    data_dir = str(server.data_dir)
    replies = [
        server.api(
            "POST", "/jobs", body=b"{not json", headers={"Content-Type": "application/json"}
        ),
        server.api("POST", "/jobs", json_body={"recording_id": "../../etc/passwd"}),
        server.api("GET", "/recordings/%2E%2E"),
        server.api("GET", "/artifacts/00000000-0000-4000-8000-000000000000"),
        server.compat("POST", "/process", body=b"[", headers={"Content-Type": "application/json"}),
        server.api("GET", "/search?q=x&start=not-a-date"),
    ]
    for reply in replies:
        assert 400 <= reply.status < 500, reply.text
        assert data_dir not in reply.text and "Traceback" not in reply.text
    assert replies[0].json()["error"]["code"] == "malformed_request"
    assert replies[4].text == "Invalid JSON payload"


def test_a_network_bind_needs_the_token_everywhere(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0, host="0.0.0.0") as public:
        history = public.compat("GET", "/history")
        assert_refused(history.status, history.body, 401)
        assert (
            public.compat(
                "GET", "/history", headers={"Authorization": f"Bearer {public.token}"}
            ).status
            == 200
        )
        assert public.api("GET", "/health", token=False).status == 200
        body, kind = multipart([("files", "a.txt", b"remote")])
        upload = public.compat("POST", "/upload", body=body, headers={"Content-Type": kind})
        assert_refused(upload.status, upload.body, 401)
