"""The speakers API against a real API process: diarize over the events socket, rename,
merge, move a line, voice profiles, and the errors of each route."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.server_support import ApiServer, receive_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("speakers") / "db") as srv:
        yield srv


def test_speakers_over_the_api(server: ApiServer, shared_audio: Path) -> None:
    reply = server.upload([("readers.mp3", (shared_audio / "multilingual.mp3").read_bytes())])
    assert reply.status == 201, reply.text
    rid = reply.json()["items"][0]["recording"]["id"]
    assert server.api("GET", f"/recordings/{rid}/speakers").status == 404  # not diarized yet

    got: list[dict[str, Any]] = []
    with server.events() as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        job = server.api(
            "POST", "/jobs", json_body={"recording_id": rid, "steps": ["diarize"]}
        ).json()

        def done(m: dict[str, Any]) -> bool:
            return m.get("job_id") == job["id"] and m["type"] in ("job.finished", "job.failed")

        thread = threading.Thread(target=lambda: got.extend(receive_until(ws, done, 300)))
        thread.start()
        thread.join(320)
    stages = [m["stage"] for m in got if m.get("type") == "job.progress"]
    assert any(s.startswith("diarize: ") and " of " in s for s in stages), stages
    assert got[-1]["type"] == "job.finished"

    found = server.api("GET", f"/recordings/{rid}/speakers").json()
    assert [s["label"] for s in found["speakers"]] == ["Speaker 1", "Speaker 2"]
    assert "voice" not in found["speakers"][0]
    renamed = server.api(
        "POST",
        f"/recordings/{rid}/speakers/rename",
        json_body={"speaker": "Speaker 1", "name": "Anna"},
    )
    assert renamed.status == 200 and renamed.json()["speakers"][0]["display"] == "Anna"
    profiles = server.api("GET", "/voice-profiles").json()["profiles"]
    assert [(p["name"], p["vectors"], p["recordings"]) for p in profiles] == [("Anna", 1, [rid])]
    first = found["turns"][0]
    moved = server.api(
        "POST",
        f"/recordings/{rid}/speakers/move",
        json_body={"start": first["start"], "end": first["start"] + 1.0, "speaker": "Speaker 2"},
    ).json()
    assert moved["turns"][0]["speaker"] == "Speaker 2"
    patched = server.api("PATCH", f"/voice-profiles/{quote('Anna')}", json_body={"name": "Anna K"})
    assert patched.status == 200 and patched.json()["name"] == "Anna K"
    again = server.api("GET", f"/recordings/{rid}/speakers").json()
    assert again["speakers"][0]["display"] == "Anna K"
    merged = server.api(
        "POST",
        f"/recordings/{rid}/speakers/merge",
        json_body={"keep": "Anna K", "drop": "Speaker 2"},
    ).json()
    assert [s["display"] for s in merged["speakers"]] == ["Anna K"]
    deleted = server.api("DELETE", f"/voice-profiles/{quote('Anna K')}").json()
    assert deleted == {"deleted": "Anna K", "vectors_removed": 1}
    assert server.api("GET", "/voice-profiles").json()["profiles"] == []

    # errors name the bad value and the fix
    bad = server.api(
        "POST", f"/recordings/{rid}/speakers/rename", json_body={"speaker": "Bob", "name": "x"}
    )
    assert bad.status == 404 and "no speaker 'Bob'" in bad.json()["error"]["message"]
    bad = server.api(
        "POST",
        f"/recordings/{rid}/speakers/move",
        json_body={"start": "a", "end": 2, "speaker": "Anna K"},
    )
    assert bad.status == 400 and "'start'" in bad.json()["error"]["message"]
    bad = server.api("POST", f"/recordings/{rid}/speakers/merge", json_body={"keep": "Anna K"})
    assert bad.status == 400 and "'drop'" in bad.json()["error"]["message"]
    bad = server.api("PATCH", "/voice-profiles/Nobody", json_body={"name": "X"})
    assert (
        bad.status == 404 and "no voice profile called 'Nobody'" in bad.json()["error"]["message"]
    )
    bad = server.api(
        "POST",
        "/jobs",
        json_body={"recording_id": rid, "steps": ["diarize"], "options": {"num_speakers": "many"}},
    )
    assert bad.status == 400 and "num_speakers='many'" in bad.json()["error"]["message"]
