"""The one schema source: the pydantic models that build the replies, parse the requests and
generate the OpenAPI document, checked against the core and against what is really sent."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from pydantic import BaseModel

from recordroute import RecordRoute, errors
from recordroute.app.engines import JOB_OPTION_SETTINGS, OTHER_JOB_OPTIONS
from recordroute.pipeline import STEP_ALIASES, STEP_ORDER
from recordroute.server import openapi, parsing, request_models, schemas
from recordroute.server import schemas_original as original
from recordroute.server.operations_original import OPERATIONS
from tests.server_support import API, ApiServer


def test_the_document_is_built_from_the_models() -> None:
    doc = openapi.document()
    components = doc["components"]["schemas"]
    # the fields the hand-written document had lost are there, and nothing else is allowed
    assert {"attempts", "cancel_requested", "started_at", "finished_at"} <= set(
        components["JobOut"]["properties"]
    )
    assert {"created_at", "updated_at", "edited"} <= set(components["ArtifactOut"]["properties"])
    assert {"vector_rank", "keyword_rank", "matched_field", "keyword_matches"} <= set(
        components["SearchHitOut"]["properties"]
    )
    for name in ("JobOut", "ArtifactOut", "SearchHitOut", "RecordingOut", "Error"):
        assert components[name]["additionalProperties"] is False, name
    # every $ref resolves
    text = json.dumps(doc)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in components, ref
    jsonschema.Draft202012Validator.check_schema({"$defs": components})
    assert openapi.document() is not openapi.document()  # a fresh copy each time


def test_every_operation_documents_its_refusals() -> None:
    for op in OPERATIONS:
        statuses = set(op.replies)
        assert 403 in statuses, (op.method, op.path)  # host and origin checks apply everywhere
        if op.security != "none":
            assert 401 in statuses, (op.method, op.path)
        if op.body is not None:
            assert {400, 413, 415} <= statuses, (op.method, op.path)


def test_the_step_and_option_names_are_the_cores() -> None:
    assert set(get_args(request_models.StepName)) == set(STEP_ORDER) | set(STEP_ALIASES)
    assert (
        set(request_models.JobOptions.model_fields) == set(JOB_OPTION_SETTINGS) | OTHER_JOB_OPTIONS
    )
    assert set(get_args(original.OriginalTask)) == {"stt", "embedding", "summary"}


def test_query_errors_name_the_parameter_the_value_and_the_fix() -> None:
    with pytest.raises(errors.InvalidInputError) as caught:
        parsing.parse_query(request_models.RecordingsQuery, {"limit": ["5000"]})
    assert "'limit'" in caught.value.message and "5000" in caught.value.message
    assert caught.value.fix == "Use a whole number from 1 to 1000."
    with pytest.raises(errors.InvalidInputError) as caught:
        parsing.parse_query(request_models.RecordingsQuery, {"sort": ["bogus"]})
    assert "'bogus'" in caught.value.message and "'created'" in caught.value.fix
    with pytest.raises(errors.InvalidInputError) as caught:
        parsing.parse_query(request_models.SearchQuery, {"start": ["yesterday"]})
    assert "not an ISO date" in caught.value.message and "2024-05-01" in caught.value.fix
    query = parsing.parse_query(
        request_models.SearchQuery,
        {"start": ["2024-05-01"], "end": ["2024-05-02t10:00:00z"], "kind": ["text", "pdf"]},
    )
    assert query.start == date(2024, 5, 1) and isinstance(query.end, datetime)
    assert query.kind == ["text", "pdf"]


def test_body_errors_name_the_field_and_the_fix() -> None:
    cases: list[tuple[type[BaseModel], Any, str, str]] = [
        (request_models.RenameBody, {}, "needs 'display_name'", '"display_name": "..."'),
        (request_models.RenameBody, {"display_name": 3}, "'display_name' is 3", ""),
        (request_models.TagsBody, {"tags": "a"}, "it must be a list", ""),
        (request_models.JobRequest, {"recording_id": "x"}, "not a valid id", "UUID"),
        (
            request_models.JobRequest,
            {"recording_id": "3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192", "options": {"x": 1}},
            "unknown name 'x' in options",
            "whisper_model",
        ),
        (request_models.JobRequest, {"recording_id": "x" * 500}, "(500 characters)", ""),
    ]
    for model, body, message, fix in cases:
        with pytest.raises(errors.InvalidInputError) as caught:
            parsing.parse_body(model, body)
        assert message in caught.value.message, (body, caught.value.message)
        assert fix in caught.value.fix, (body, caught.value.fix)
        assert len(caught.value.message) < 300


def test_json_bodies_nested_too_deeply_are_a_clear_error() -> None:
    with pytest.raises(errors.InvalidInputError) as caught:
        parsing.load_json(b"[" * 5000 + b"]" * 5000)
    assert "nested too deeply" in caught.value.message


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("schemas") / "db") as srv:
        yield srv


def _validate(doc: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    reply = doc["paths"][path][method]["responses"][str(status)]
    schema = reply["content"]["application/json"]["schema"]
    resolver = {"$defs": doc["components"]["schemas"], **schema}
    text = json.dumps(resolver).replace("#/components/schemas/", "#/$defs/")
    jsonschema.validate(body, json.loads(text))


def test_real_replies_conform_to_the_document(server: ApiServer) -> None:
    """Bodies the fuzzer cannot make (a finished job, a history record): checked here."""
    doc = server.api("GET", "/openapi.json", token=False).json()
    rid = server.add_text("conform.txt", f"a note about budgets {time.time()}")
    job = server.run_job(rid, ["keywords"])
    assert job["state"] == "done"
    _validate(doc, f"{API}/jobs/{{job_id}}", "get", 200, job)
    details = server.api("GET", f"/recordings/{rid}").json()
    _validate(doc, f"{API}/recordings/{{recording_id}}", "get", 200, details)
    history = server.compat("GET", "/history").json()
    assert any(r["id"] == rid for r in history)
    _validate(doc, "/history", "get", 200, history)
    tasks = server.compat("GET", "/tasks").json()
    _validate(doc, "/tasks", "get", 200, tasks)
    missing = server.api("GET", "/recordings/00000000-0000-4000-8000-000000000000")
    _validate(doc, f"{API}/recordings/{{recording_id}}", "get", 404, missing.json())


def test_a_plain_get_of_the_event_socket_is_a_json_400(server: ApiServer) -> None:
    reply = server.api("GET", "/events")
    assert reply.status == 400 and reply.json()["error"]["code"] == "malformed_request"
    assert "WebSocket" in reply.json()["error"]["fix"]


def test_a_wrong_method_lists_the_allowed_ones(server: ApiServer) -> None:
    reply = server.api("DELETE", "/jobs")
    assert reply.status == 405 and reply.headers["allow"] == "GET, POST, OPTIONS"
    assert reply.json()["error"]["code"] == "method_not_allowed"


def test_models_round_trip_the_core_objects(tmp_path: Path) -> None:
    with RecordRoute.open(tmp_path / "db") as app:
        source = tmp_path / "note.txt"
        source.write_text("a note", encoding="utf-8")
        rec = app.add_file(source, tags=["b", "a"])
        out = schemas.RecordingOut.of(rec).to_json()
        assert out["tags"] == ["a", "b"] and out["deleted"] is False
        assert out["created_at"] == rec.created_at.isoformat()
        art = app.recordings.artifacts(rec.id)[0]
        assert schemas.ArtifactOut.of(art).to_json()["download_url"] == f"{API}/artifacts/{art.id}"
