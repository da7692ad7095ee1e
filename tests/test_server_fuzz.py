"""Schemathesis fuzzes every operation of the OpenAPI document on a live server: no 5xx."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server_support import API, ApiServer, child_env

pytestmark = pytest.mark.slow


def test_fuzzing_the_openapi_document_finds_no_server_errors(tmp_path: Path) -> None:
    st = Path(sys.executable).parent / "st"
    with ApiServer(tmp_path / "db", workers=0) as server:
        server.add_text("seed.txt", "a recording for the fuzzer to find")
        run = subprocess.run(
            [
                str(st),
                "run",
                f"http://127.0.0.1:{server.port}{API}/openapi.json",
                "--header",
                f"Authorization: Bearer {server.token}",
                "--max-examples",
                "20",
                "--seed",
                "20240501",
                "--workers",
                "1",
                "--checks",
                "not_a_server_error",
                "--exclude-path",
                "/shutdown",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
            env=child_env(),
        )
        health = server.api("GET", "/health", token=False)
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    tested = re.search(r"Tested: (\d+)", summary)
    counts = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert tested and int(tested.group(1)) >= 50, summary
    assert counts and counts.group(1) == counts.group(2), summary
    print(f"\nschemathesis: {tested.group(1)} operations, {counts.group(1)} cases, 0 failures")
    assert health.status == 200  # still up after the fuzzing
