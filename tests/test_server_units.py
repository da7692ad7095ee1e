"""Server pieces without a server: multipart parsing, ranges, access rules, the error table,
and the OpenAPI document against the registered routes."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from tornado.web import RequestHandler

from recordroute import RecordRoute, errors
from recordroute.server import openapi
from recordroute.server.app import make_app, make_compat_socket_app
from recordroute.server.auth import (
    OriginPolicy,
    host_allowed,
    is_desktop_shell,
    is_loopback_host,
    token_from,
    token_matches,
)
from recordroute.server.base import parse_range
from recordroute.server.compat_base import file_uuid
from recordroute.server.context import ServerContext, ServerOptions
from recordroute.server.errors import STATUS, MalformedRequestError, describe, redact, status_for
from recordroute.server.multipart import MultipartParser, PartEnd, PartStart, boundary_from
from tests.server_support import CHROME_UA, ELECTRON_UA, multipart


def parse_all(body: bytes, boundary: bytes, step: int) -> list[tuple[PartStart, bytes]]:
    parser = MultipartParser(boundary)
    parts: list[tuple[PartStart, bytes]] = []
    current: PartStart | None = None
    data = bytearray()
    events = []
    for at in range(0, len(body), step):
        events += parser.feed(body[at : at + step])
    events += parser.close()
    for event in events:
        if isinstance(event, PartStart):
            current, data = event, bytearray()
        elif isinstance(event, PartEnd):
            assert current is not None
            parts.append((current, bytes(data)))
        else:
            data += event
    return parts


@pytest.mark.parametrize("step", [1, 2, 3, 7, 64, 100_000])
def test_multipart_keeps_every_byte_whatever_the_chunking(step: int) -> None:
    tricky = b"line\r\n\r\n--not-the-boundary\r\n\r\n\n\r"  # ends in CR/LF bytes on purpose
    binary = bytes(range(256)) * 3
    body, kind = multipart(
        [("files", "a.txt", tricky), ("files", "b.bin", binary), ("note", None, b"hello")],
        boundary="XyZ",
    )
    parts = parse_all(body, boundary_from(kind), step)
    assert [(p.name, p.filename, d) for p, d in parts] == [
        ("files", "a.txt", tricky),
        ("files", "b.bin", binary),
        ("note", None, b"hello"),
    ]


def test_multipart_filename_star_and_raw_utf8_names() -> None:
    body, kind = multipart([("files", "회의 메모 €.txt", b"x")], filename_star=True)
    [(part, data)] = parse_all(body, boundary_from(kind), 5)
    assert part.filename == "회의 메모 €.txt" and data == b"x"
    raw = (
        '--B\r\nContent-Disposition: form-data; name="file"; filename="녹음 \\"1\\".m4a"'
        "\r\n\r\nabc\r\n--B--\r\n"
    ).encode()
    [(part, data)] = parse_all(raw, b"B", 3)
    assert part.filename == '녹음 "1".m4a' and data == b"abc"


@pytest.mark.parametrize(
    "body",
    [
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nabc',  # no end
        b"--B\r\nContent-Type: text/plain\r\n\r\nabc\r\n--B--\r\n",  # no disposition
        b"--B\r\n" + b"X-Long: " + b"a" * 20_000 + b"\r\n\r\n",  # endless headers
        b"--Bjunk\r\n",  # text after the boundary
        b"",
    ],
)
def test_malformed_multipart_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedRequestError):
        parse_all(body, b"B", 1000)


@pytest.mark.parametrize(
    "kind", ["text/plain", "multipart/form-data", "multipart/form-data; boundary=", ""]
)
def test_content_types_without_a_boundary(kind: str) -> None:
    with pytest.raises(MalformedRequestError):
        boundary_from(kind)


def test_ranges() -> None:
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=50-500", 100) == (50, 99)
    assert parse_range("bytes=100-", 100) is None
    assert parse_range("bytes=-0", 100) is None
    for bad in ("items=0-1", "bytes=0-1,5-6", "bytes=x-1", "bytes=5-1", "bytes=5"):
        with pytest.raises(ValueError):
            parse_range(bad, 100)


def test_access_rules() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert is_loopback_host("localhost") and not is_loopback_host("0.0.0.0")
    assert host_allowed("127.0.0.1:8080", "127.0.0.1")
    assert host_allowed("localhost:8080", "127.0.0.1")
    assert not host_allowed("evil.example:8080", "127.0.0.1")  # DNS rebinding
    assert host_allowed("myhost:8080", "0.0.0.0")
    policy = OriginPolicy(["http://127.0.0.1:8866/"])
    same = ("127.0.0.1:8080", "http")
    assert policy.allows(None, *same, allow_null=False)
    assert policy.allows("http://127.0.0.1:8080", *same, allow_null=False)
    assert policy.allows("http://127.0.0.1:8866", *same, allow_null=False)
    assert not policy.allows("http://evil.example", *same, allow_null=True)
    assert not policy.allows("http://127.0.0.1:9999", *same, allow_null=True)
    assert policy.allows("null", *same, allow_null=True)
    assert not policy.allows("null", *same, allow_null=False)
    # the API's own pages under any loopback name, also on the progress socket's port
    for origin in ("http://localhost:8080", "http://[::1]:8080", "http://127.0.0.1:8080"):
        assert policy.allows(origin, "localhost:8765", "http", allow_null=False, own_port=8080)
        assert policy.allows(origin, *same, allow_null=False, own_port=8080)
    assert not policy.allows("http://localhost:8081", *same, allow_null=False, own_port=8080)
    assert not policy.allows("https://localhost:8080", *same, allow_null=False, own_port=8080)
    assert not policy.allows("http://evil.example:8080", *same, allow_null=False, own_port=8080)
    lan = ("192.168.1.5:8765", "http")
    assert policy.allows("http://192.168.1.5:8080", *lan, allow_null=False, own_port=8080)
    assert not policy.allows("http://127.0.0.1:8080", *lan, allow_null=False, own_port=8080)
    for malformed in ("http://127.0.0.1:99999", "http://a:b", "http://", "nonsense"):
        assert not policy.allows(malformed, *same, allow_null=True, own_port=8080)
    assert token_from({"Authorization": "Bearer abc"}, None, False) == "abc"
    assert token_from({"Authorization": "token abc"}, None, False) == "abc"
    assert token_from({"X-Recordroute-Token": "abc"}, None, False) == "abc"
    assert token_from({}, "abc", True) == "abc" and token_from({}, "abc", False) == ""
    assert token_matches("abc", "abc") and not token_matches("abd", "abc")
    assert not token_matches("", "")


def test_the_desktop_shell_is_recognised_by_what_a_page_cannot_forge() -> None:
    shell = {"User-Agent": ELECTRON_UA}
    assert is_desktop_shell(shell)
    assert is_desktop_shell({**shell, "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"})
    assert is_desktop_shell({**shell, "Sec-Fetch-Mode": "websocket"})
    packaged = ELECTRON_UA.replace("recordroute/1.0.0", "RecordRoute/1.2.0")
    assert is_desktop_shell({"User-Agent": packaged})
    assert not is_desktop_shell({})
    assert not is_desktop_shell({"User-Agent": CHROME_UA})
    assert not is_desktop_shell({"User-Agent": ELECTRON_UA.replace("recordroute/1.0.0 ", "")})
    assert not is_desktop_shell({"User-Agent": "Slack/4.0 Chrome/120 Electron/28.2.3"})
    assert not is_desktop_shell({"User-Agent": "notrecordroute/1 Chrome/120 Electron/28"})
    assert not is_desktop_shell({"User-Agent": "RecordRoute/1.0.0 Chrome/120"})
    assert not is_desktop_shell({**shell, "Sec-Fetch-Mode": "no-cors"})
    assert not is_desktop_shell({**shell, "Sec-Fetch-Mode": "navigate"})
    assert not is_desktop_shell({**shell, "Sec-Fetch-Dest": "iframe"})


def test_file_ids_as_the_clients_send_them() -> None:
    fid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    for sent in (
        fid,
        fid.upper(),
        f"/download/{fid}",
        f"http://127.0.0.1:8080/download/{fid}",
        f"http://127.0.0.1:8080{fid}",  # the renderer cuts "/download/" out of its link
    ):
        assert file_uuid(sent) == fid, sent
    for bad in (f"DB/x/{fid}", f"/download/../{fid}", f"http://a/b/{fid}", "x", ""):
        assert file_uuid(bad) is None, bad


def test_every_error_code_has_a_status_and_paths_never_leak() -> None:
    classes = [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.RecordRouteError)
    ]
    for cls in classes:
        assert cls.code in STATUS, cls
    assert status_for(errors.NotFoundError("x")) == 404
    assert status_for(errors.UnsafePathError("x")) == 400
    assert status_for(errors.TooLargeError("x")) == 413
    assert status_for(errors.DiskFullError("x")) == 507
    assert status_for(errors.AuthError("x")) == 401
    text = redact("cannot open /srv/data/db/outputs/x.md or C:\\Users\\me\\db", "/srv/data/db")
    assert "/srv" not in text and "Users" not in text and "DB/outputs/x.md" in text
    assert redact("ask http://127.0.0.1:11434/api") == "ask http://127.0.0.1:11434/api"
    status, body = describe(RuntimeError("boom at /etc/secret"), "")
    assert status == 500 and "boom" not in str(body) and body["error"]["code"] == "internal"


def test_the_openapi_document_lists_every_registered_route(tmp_path: Path) -> None:
    paths = openapi.document()["paths"]
    registered: set[str] = set()
    with RecordRoute.open(tmp_path / "db") as app:
        for frontend in (None, tmp_path):
            ctx = ServerContext(app, ServerOptions(frontend=frontend))
            try:
                for rule in make_app(ctx).wildcard_router.rules:
                    name = rule.name  # type: ignore[attr-defined]
                    assert name in paths, name
                    registered.add(name)
                    handler = rule.target
                    methods = {
                        m
                        for m in ("get", "head", "post", "put", "patch", "delete")
                        if getattr(handler, m) is not getattr(RequestHandler, m)
                    }
                    assert methods and methods <= set(paths[name]), (name, methods)
                assert make_compat_socket_app(ctx).wildcard_router.rules
            finally:
                ctx.close()
    assert registered == set(paths), set(paths) ^ registered


def test_route_templates_use_the_handlers_parameter_names() -> None:
    doc = openapi.document()
    for path, operations in doc["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared, names)
