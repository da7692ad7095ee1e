"""Hypothesis over the original client's JSON routes: any JSON body, and bodies shaped like
the client's with fields of any type, get a documented status code and a body that matches
the OpenAPI document; the archive stays whole (no lost files, nothing left half-written)."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server_support import ApiServer

pytestmark = pytest.mark.slow

#: route -> the fields the original client sends
ROUTES: dict[str, tuple[str, ...]] = {
    "/process": ("file_path", "steps", "record_id", "task_id", "model_settings"),
    "/cancel": ("task_id",),
    "/reset": ("record_id",),
    "/update_filename": ("record_id", "filename"),
    "/incremental_embedding": (),
    "/check_existing_stt": ("file_path",),
    "/update_stt_text": ("file_identifier", "content"),
    "/reset_summary_embedding": ("record_id",),
    "/reset_all_tasks": ("tasks",),
    "/similar": ("file_identifier", "refresh", "user_filename"),
    "/delete": ("file_identifier", "file_type", "ids"),
    "/delete_records": ("record_ids",),
    "/shutdown": (),
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("fuzz-original") / "db", workers=0) as srv:
        yield srv


@pytest.fixture(scope="module")
def ids(server: ApiServer) -> dict[str, list[str]]:
    """Real identifiers for the fuzzer to mix in: records (one deleted) and their files."""
    records = [server.add_text(f"seed-{n}.txt", f"seed {n} {time.time()}") for n in range(3)]
    files = [
        server.api("GET", f"/recordings/{rid}").json()["artifacts"][0]["id"] for rid in records
    ]
    server.api("DELETE", f"/recordings/{records[0]}")
    paths = [r["file_path"] for r in server.compat("GET", "/history").json()]
    return {"records": records, "files": files, "paths": paths}


def _values(ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    real = st.sampled_from(
        [
            *ids["records"],
            *ids["files"],
            *(f"/download/{f}" for f in ids["files"]),
            *ids["paths"],
            "stt",
            "summary",
            "embedding",
            "DB/../../etc/passwd",
        ]
    )
    return st.one_of(real, st.lists(real, max_size=3), JSON_VALUES)


def _shaped(route: str, ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Bodies like the client's, each field of any type; or any JSON at all."""
    fields = ROUTES[route]
    values = _values(ids)
    shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values))
    if route == "/process":  # never an active record: /process waits for its job to finish
        active = set(ids["records"][1:]) | {p for p in ids["paths"] if ids["records"][0] not in p}
        shaped = shaped.filter(lambda body: not active & set(map(str, body.values())))
    return st.one_of(shaped, JSON_VALUES) if route != "/process" else shaped


@functools.cache
def _validator(doc_text: str, route: str, status: str, media: str) -> jsonschema.Validator:
    doc = json.loads(doc_text)
    schema = doc["paths"][route]["post"]["responses"][status]["content"][media]["schema"]
    text = json.dumps({"$defs": doc["components"]["schemas"], **schema})
    return jsonschema.Draft202012Validator(
        json.loads(text.replace("#/components/schemas/", "#/$defs/"))
    )


def _check(doc: dict[str, Any], route: str, status: int, kind: str, body: bytes) -> None:
    replies = doc["paths"][route]["post"]["responses"]
    assert str(status) in replies, (route, status, body[:300])
    content = replies[str(status)].get("content", {})
    media = kind.split(";")[0].strip()
    if not content:
        assert body == b"", (route, status, body[:300])
        return
    assert media in content, (route, status, kind, list(content))
    if media == "text/plain":
        assert body.decode("utf-8"), (route, status)
        return
    validator = _validator(json.dumps(doc), route, str(status), media)
    validator.validate(json.loads(body))


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_any_json_gets_a_documented_answer(
    server: ApiServer, ids: dict[str, list[str]], route: str
) -> None:
    doc = server.api("GET", "/openapi.json", token=False).json()
    seen: set[int] = set()

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(body=_shaped(route, ids))
    def attempt(body: Any) -> None:
        reply = server.compat("POST", route, json_body=body, timeout=60)
        assert reply.status < 500, (route, body, reply.status, reply.text[:300])
        _check(doc, route, reply.status, reply.headers.get("content-type", ""), reply.body)
        seen.add(reply.status)

    attempt()
    assert seen == {401} if route == "/shutdown" else len(seen) >= 2, seen  # both kinds seen


def test_the_archive_is_whole_after_the_fuzzing(
    server: ApiServer, ids: dict[str, list[str]]
) -> None:
    everything = server.api("GET", "/recordings?deleted=all&limit=1000").json()["items"]
    assert {r["id"] for r in everything} >= set(ids["records"])  # deleted, never purged
    for rec in everything:
        folder = server.data_dir / "uploads" / rec["id"]
        assert (folder / rec["original_name"]).is_file(), rec
    folders = {p.name for p in (server.data_dir / "uploads").iterdir()}
    assert folders == {r["id"] for r in everything}  # no folder without its recording
    assert list((server.data_dir / "tmp").iterdir()) == []
    assert server.api("GET", "/health", token=False).json()["status"] == "ok"
