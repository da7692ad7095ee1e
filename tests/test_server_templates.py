"""Summary templates over the native API, against a real API process."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.server_support import ApiServer

STANDUP: dict[str, Any] = {
    "instructions": "What blocks the work.",
    "sections": [{"title": "Blockers", "cues": ["blocked", "막혀"]}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    with ApiServer(tmp_path_factory.mktemp("api") / "db") as srv:
        yield srv


def test_templates_are_listed_saved_shown_and_deleted(server: ApiServer) -> None:
    listing = server.api("GET", "/templates").json()
    assert [t["name"] for t in listing["items"]] == ["meeting", "lecture", "interview"]
    assert listing["items"][0]["sections"][0]["title"] == "Topics"
    saved = server.api("PUT", "/templates/standup", json_body=STANDUP)
    assert saved.status == 200 and saved.json()["builtin"] is False
    assert server.api("GET", "/templates/standup").json()["sections"][0]["cues"] == [
        "blocked",
        "막혀",
    ]
    mismatch = server.api("PUT", "/templates/standup", json_body={**STANDUP, "name": "other"})
    assert mismatch.status == 400
    assert "names the template 'other' but the address names 'standup'" in mismatch.text
    bad = server.api("PUT", "/templates/standup", json_body={"sections": []})
    assert bad.status == 400 and "A template needs 1 to 8 sections" in bad.text
    builtin = server.api("DELETE", "/templates/meeting")
    assert builtin.status == 400 and "built-in template" in builtin.text
    assert server.api("DELETE", "/templates/standup").json() == {"deleted": "standup"}
    missing = server.api("GET", "/templates/standup")
    assert missing.status == 404 and missing.json()["error"]["code"] == "not_found"


def test_tag_and_recording_choices_and_a_job_with_a_template(server: ApiServer) -> None:
    rid = server.add_text(
        f"lecture-{time.time()}.txt",
        "Condensation is defined as the change of water vapour into liquid water.\n"
        "For example, clouds form around salt particles.\n",
    )
    tag = urllib.parse.quote("강의")
    chosen = server.api("PUT", f"/tags/{tag}/template", json_body={"template": "lecture"})
    assert chosen.json() == {"tag": "강의", "template": "lecture"}
    assert server.api("GET", "/templates").json()["tags"] == {"강의": "lecture"}
    server.api("PUT", f"/recordings/{rid}/tags", json_body={"tags": ["강의"]})
    assert server.api("GET", f"/recordings/{rid}/template").json()["template"] == "lecture"
    own = server.api("PUT", f"/recordings/{rid}/template", json_body={"template": "interview"})
    assert own.json() == {"recording_id": rid, "template": "interview"}
    reset = server.api("PUT", f"/recordings/{rid}/template", json_body={"template": None})
    assert reset.json()["template"] == "lecture"
    wrong = server.api("PUT", f"/recordings/{rid}/template", json_body={"template": 3})
    assert wrong.status == 400 and "'template' is 3; it must be a string" in wrong.text
    unknown = server.api(
        "POST",
        "/jobs",
        json_body={"recording_id": rid, "steps": ["summarize"], "options": {"template": "x"}},
    )
    assert unknown.status == 404 and "There is no summary template 'x'" in unknown.text
    job = server.api(
        "POST",
        "/jobs",
        json_body={"recording_id": rid, "steps": ["summarize"], "options": {"template": "lecture"}},
    ).json()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = server.api("GET", f"/jobs/{job['id']}").json()
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert state["state"] == "done", state
    rec = server.api("GET", f"/recordings/{rid}").json()
    (summary,) = [a for a in rec["artifacts"] if a["kind"] == "summary"]
    text = server.call("GET", f"/recordroute/api/v1/artifacts/{summary['id']}").text
    assert "## Definitions" in text and "Condensation is defined as" in text
