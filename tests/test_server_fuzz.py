"""Schemathesis fuzzes every operation of the OpenAPI document on a live server and checks
each reply against the document: no 5xx, and the status code, content type, headers and
body are the documented ones; requests the schema allows are accepted and requests it
forbids are refused (native API).  The exceptions are listed in ``CONFIG`` with reasons.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.server_support import API, ApiServer, child_env

pytestmark = pytest.mark.slow

ORIGINAL_TAG = "Original client (compatibility)"

CONFIG = """
# Every check is on.
[checks]
enabled = true

# A WebSocket: a plain HTTP request gets a JSON 400, which tests/test_server_websocket.py
# checks; the handshake itself cannot be described in OpenAPI.
[[operations]]
include-path = "{api}/events"
enabled = false

# A start after the end is refused with a clear 400 (a rule across two parameters).
[[operations]]
include-path = "{api}/search"
checks.positive_data_acceptance.expected-statuses = [200, 400, 401, 403]

# A file whose type cannot be processed (the schema cannot see file names) is 415.
[[operations]]
include-path = "{api}/uploads"
checks.positive_data_acceptance.expected-statuses = [200, 201, 401, 403, 415]

# A piece must start where the server's copy ends and stay inside the declared size
# (rules across the upload's state), and a template's name must not be a built-in one
# (which cannot be replaced or deleted) and its sections must follow the template rules
# (unique titles, cues for a "cues" section): each is a clear 400.
[[operations]]
include-path = "{api}/uploads/sessions/{{upload_id}}/chunks"
checks.positive_data_acceptance.expected-statuses = [200, 400, 401, 403, 404, 409]

[[operations]]
include-path = "{api}/templates/{{name}}"
checks.positive_data_acceptance.expected-statuses = [200, 400, 401, 403, 404]

# A file name whose suffix is no known type is 415 and a size over the configured upload
# limit is 413 (neither can be stated in the schema); an empty file (size 0) is a 400 that
# names it (the schema admits 0 so that the refusal says "empty", not "must be at least 1").
[[operations]]
include-name = "POST {api}/uploads/sessions"
checks.positive_data_acceptance.expected-statuses = [201, 400, 401, 403, 413, 415, 507]

# Written answers need a text model that can write: with the embedded model (as here) a
# request for one is a clear 400, and so is a speaker name the archive does not know.
[[operations]]
include-name = "POST {api}/ask"
checks.positive_data_acceptance.expected-statuses = [200, 202, 400, 401, 403, 404, 409]

# The original client's contract: it answered 400/200 with {{"error"}} for well-formed
# requests naming unknown records, and ignored fields of the wrong type.  Its status
# codes and bodies are still checked against the document.
[[operations]]
include-tag = "{original}"
checks.positive_data_acceptance.enabled = false
checks.negative_data_rejection.enabled = false

# Stateful runs fill a path's recording_id from reply fields that may be null (a
# conversation about the whole archive, an upload not finished yet): the id "None" is
# refused with a clear 400.
[phases.stateful.checks]
positive_data_acceptance.expected-statuses = [200, 201, 202, 204, 400, 401, 403, 404, 409]

# Reads of the seed recording and its file, so the fuzzer sees real 200 bodies too.
{seeded}
"""

SEEDED_READS = [
    ("GET", f"{API}/recordings/{{recording_id}}", "recording_id"),
    ("GET", f"{API}/recordings/{{recording_id}}/export", "recording_id"),
    ("PATCH", f"{API}/recordings/{{recording_id}}", "recording_id"),
    ("PUT", f"{API}/recordings/{{recording_id}}/tags", "recording_id"),
    ("GET", f"{API}/artifacts/{{artifact_id}}", "artifact_id"),
    ("HEAD", f"{API}/artifacts/{{artifact_id}}", "artifact_id"),
    ("GET", "/download/{identifier}", "identifier"),
]


def _config(recording_id: str, artifact_id: str) -> str:
    values = {"recording_id": recording_id, "artifact_id": artifact_id, "identifier": artifact_id}
    seeded = "\n".join(
        f'[[operations]]\ninclude-name = "{method} {path}"\n'
        f'parameters = {{ "path.{name}" = "{values[name]}" }}\n'
        for method, path, name in SEEDED_READS
    )
    return CONFIG.format(api=API, original=ORIGINAL_TAG, seeded=seeded)


def _st(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    common = ["--seed", "20240501", "--workers", "1", "--generation-database", "none"]
    return subprocess.run(
        [str(Path(sys.executable).parent / "st"), *args, *common, "--no-color"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
        env=child_env(),
    )


def _tampered(document: dict[str, Any]) -> dict[str, Any]:
    """The document with two lies: Health without its ``time`` field, and GET /recordings
    without its 400 reply."""
    document["components"]["schemas"]["Health"]["properties"].pop("time")
    document["components"]["schemas"]["Health"]["required"].remove("time")
    del document["paths"][f"{API}/recordings"]["get"]["responses"]["400"]
    return document


def test_fuzzing_finds_no_reply_the_openapi_document_does_not_describe(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as server:
        rid = server.add_text("seed.txt", "a recording for the fuzzer to find")
        source = server.api("GET", f"/recordings/{rid}").json()["artifacts"][0]["id"]
        config = tmp_path / "schemathesis.toml"
        config.write_text(_config(rid, source), encoding="utf-8")
        token = f"Authorization: Bearer {server.token}"
        run = _st(
            "--config-file",
            str(config),
            "run",
            f"http://127.0.0.1:{server.port}{API}/openapi.json",
            "--header",
            token,
            "--max-examples",
            "15",
            "--exclude-path",
            "/shutdown",
            "--request-timeout",
            "30",
            cwd=tmp_path,
        )
        # the same checks catch a document that lies about a body or a status code
        lying = tmp_path / "lying.json"
        document = server.api("GET", "/openapi.json", token=False).json()
        lying.write_text(json.dumps(_tampered(document)), encoding="utf-8")
        caught = _st(
            "run",
            str(lying),
            "--url",
            f"http://127.0.0.1:{server.port}",
            "--header",
            token,
            "--max-examples",
            "15",
            "--include-path",
            f"{API}/health",
            "--include-path",
            f"{API}/recordings",
            cwd=tmp_path,
        )
        health = server.api("GET", "/health", token=False)
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    tested = re.search(r"Tested: (\d+)", summary)
    cases = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert tested and int(tested.group(1)) >= 50, summary
    assert cases and cases.group(1) == cases.group(2), summary
    print(f"\nschemathesis: {tested.group(1)} operations, {cases.group(1)} cases, 0 failures")
    assert caught.returncode != 0, caught.stdout[-3000:]
    assert "ST108 Response violates schema" in caught.stdout, caught.stdout[-3000:]
    assert "ST103 Undocumented status code" in caught.stdout, caught.stdout[-3000:]
    assert health.status == 200  # still up after the fuzzing
