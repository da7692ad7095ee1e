"""The ask API (answers, streaming over the events WebSocket, conversations) and the
``recordroute ask`` / ``conversations`` commands."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recordroute import RecordRoute, Settings
from recordroute.cli import main as cli_main
from tests.ask_support import build_archive
from tests.server_support import ApiServer, receive_until

pytestmark = pytest.mark.slow
QUESTION = "What did we decide about the travel budget?"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("askapi")
    with RecordRoute(Settings(data_dir=root / "db", min_free_mb=0)) as app:
        ids = build_archive(app, root / "files")
    return root / "db", ids


@pytest.fixture(scope="module")
def server(folder: tuple[Path, dict[str, str]]) -> Iterator[ApiServer]:
    with ApiServer(folder[0], workers=0) as srv:
        yield srv


def test_ask_answers_with_citations(server: ApiServer, folder: tuple[Path, dict[str, str]]) -> None:
    reply = server.api("POST", "/ask", json_body={"question": QUESTION})
    assert reply.status == 200, reply.text
    answer = reply.json()
    assert answer["mode"] == "extractive" and answer["found"]
    assert answer["lead"]["citation"]["label"] == "[budget.md, 00:00:14]"
    assert answer["lead"]["citation"]["recording_id"] == folder[1]["budget.md"]
    assert "[budget.md, 00:00:14]" in answer["text"]
    conversation = answer["conversation_id"]
    follow = server.api(
        "POST",
        "/ask",
        json_body={"question": "Who sends the numbers?", "conversation_id": conversation},
    ).json()
    assert follow["conversation_id"] == conversation
    listed = server.api("GET", "/conversations").json()["items"]
    assert any(c["id"] == conversation and c["turn_count"] == 2 for c in listed)
    whole = server.api("GET", f"/conversations/{conversation}").json()
    assert [t["question"] for t in whole["turns"]] == [QUESTION, "Who sends the numbers?"]
    assert whole["turns"][0]["answer"]["lead"]["citation"]["label"] == "[budget.md, 00:00:14]"
    assert server.api("DELETE", f"/conversations/{conversation}").status == 200
    gone = server.api("GET", f"/conversations/{conversation}")
    assert gone.status == 404 and "does not exist" in gone.json()["error"]["message"]


def test_ask_streams_over_the_events_socket(server: ApiServer) -> None:
    ask_id = str(uuid.uuid4())
    with server.events(f"ask_id={ask_id}") as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        reply = server.api(
            "POST",
            "/ask",
            json_body={"question": "토마토는 어떻게 키우나요?", "stream": True, "ask_id": ask_id},
        )
        assert reply.status == 202, reply.text
        assert reply.json()["ask_id"] == ask_id
        events = receive_until(ws, lambda m: m["type"] in ("ask.finished", "ask.failed"), 120)
    mine = [e for e in events if e.get("ask_id") == ask_id]
    kinds = [e["type"] for e in mine]
    assert kinds[0] == "ask.started" and kinds[1] == "ask.passages" and kinds[-1] == "ask.finished"
    sentences = [e for e in mine if e["type"] == "ask.sentence"]
    assert sentences and all(e["citation"]["label"].startswith("[garden.md, ") for e in sentences)
    answer = mine[-1]["answer"]
    assert answer["lead"]["citation"]["label"] == "[garden.md, 00:00:08]"


def test_ask_refuses_bad_input(server: ApiServer) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "needs 'question'"),
        ({"question": ""}, "The question is empty"),
        ({"question": "budget", "mode": "poem"}, "'mode' is 'poem', which is not allowed"),
        ({"question": "budget", "speakers": ["Mina"]}, "speaker"),
        ({"question": "budget", "start": "yesterday"}, "not an ISO date"),
        ({"question": "budget", "stream": "yes"}, "'stream' is 'yes'; it must be true or false"),
        ({"question": "budget", "stream": True, "ask_id": "x"}, "is not a UUID"),
        ({"question": "budget", "tags": "x"}, "'tags' is 'x'; it must be a list"),
        ({"question": "budget", "mode": "written", "stream": True}, "Written answers need"),
    ]
    for body, message in cases:
        reply = server.api("POST", "/ask", json_body=body)
        assert reply.status == 400, (body, reply.text)
        assert message in reply.json()["error"]["message"], (body, reply.text)


def test_openapi_describes_the_ask_routes(server: ApiServer) -> None:
    document = server.api("GET", "/openapi.json").json()
    paths = document["paths"]
    assert "post" in paths["/recordroute/api/v1/ask"]
    assert {"get", "delete"} <= set(paths["/recordroute/api/v1/conversations/{conversation_id}"])
    assert "AnswerOut" in document["components"]["schemas"]


def test_cli_ask_and_conversations(
    folder: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    data, ids = str(folder[0]), folder[1]
    assert cli_main(["ask", QUESTION, "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "After a long discussion we decided to cut the travel budget by ten percent. "
        "[budget.md, 00:00:14]"
    )
    assert "Extractive answer" in out and "conversation:" in out
    assert (
        cli_main(
            [
                "ask",
                "How fast must a rocket go?",
                "--recording",
                ids["rocket.md"],
                "--json",
                "--data-dir",
                data,
            ]
        )
        == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert {s["citation"]["recording_id"] for s in answer["sentences"]} == {ids["rocket.md"]}
    conversation = answer["conversation_id"]
    assert (
        cli_main(["ask", "in 2099?", "--since", "2099-01-01", "--no-save", "--data-dir", data]) == 0
    )
    assert "Not found in your recordings." in capsys.readouterr().out
    assert cli_main(["ask", "budget", "--since", "last week", "--data-dir", data]) == 1
    err = capsys.readouterr().err
    assert "--since 'last week' is not a date" in err and "YYYY-MM-DD" in err
    assert cli_main(["conversations", "--data-dir", data]) == 0
    assert conversation in capsys.readouterr().out
    assert cli_main(["conversations", "--show", conversation, "--data-dir", data]) == 0
    assert "Q: How fast must a rocket go?" in capsys.readouterr().out
    assert cli_main(["conversations", "--delete", conversation, "--data-dir", data]) == 0
    capsys.readouterr()
    assert cli_main(["conversations", "--show", conversation, "--data-dir", data]) == 1
    assert "does not exist" in capsys.readouterr().err
