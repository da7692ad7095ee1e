"""Asking by speaker: a real archive (SQLite, the bundled encoder) in which two people said
different things of one meeting; the facade, follow-ups, the CLI, the MCP server and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from recordroute.ask import Answer
from recordroute.cli import main as cli_main
from recordroute.engine_protocols import Diarization
from recordroute.errors import InvalidInputError
from recordroute.models import SpeakerTurn
from recordroute.pipeline import speakers
from tests.ask_support import build_archive
from tests.server_support import ApiServer
from tests.test_mcp import _payload, _session_run

pytestmark = pytest.mark.slow
DECISION = "What did we decide about the travel budget?"
LEASE = "When does the lease on the third floor end?"
# budget.md: Anna opens (00:00:01-00:00:14) and talks about the move (00:00:30-00:00:46);
# Jonas has the budget decision and who sends the numbers (00:00:14-00:00:30)
ANNA = ((0.5, 14.0), (30.0, 46.5))
JONAS = ((14.0, 30.0),)


def said_by(answer: Answer, spans: tuple[tuple[float, float], ...]) -> bool:
    """Every cited sentence lies in one of the spans."""
    return all(
        s.citation.start_s is not None
        and any(a <= s.citation.start_s and (s.citation.end_s or 0) <= b for a, b in spans)
        for s in answer.sentences
    )


def diarize(app: RecordRoute, recording_id: str) -> None:
    """The budget meeting's speakers, as the diarize step writes them, then named."""
    store = app.speakers._store
    result = Diarization(
        turns=(
            SpeakerTurn(0.5, 14.0, "Speaker 1"),
            SpeakerTurn(14.0, 30.0, "Speaker 2"),
            SpeakerTurn(30.0, 46.5, "Speaker 1"),
        ),
        speakers=("Speaker 1", "Speaker 2"),
        voices={"Speaker 1": (1.0, 0.0, 0.0), "Speaker 2": (0.0, 1.0, 0.0)},
        duration_s=46.5,
        engine="bundled",
        model="bundled-resemblyzer",
        voice_model="bundled-resemblyzer",
    )
    rec = store.get_recording(recording_id)
    speakers.save(store, rec, speakers.from_diarization(result))
    app.speakers.rename(recording_id, "Speaker 1", "Anna")
    app.speakers.rename(recording_id, "Speaker 2", "Jonas")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("askspeakers")
    with RecordRoute(Settings(data_dir=root / "db", min_free_mb=0)) as app:
        ids = build_archive(app, root / "files", ("budget.md", "rocket.md"))
        diarize(app, ids["budget.md"])
    return root / "db", ids


@pytest.fixture
def app(folder: tuple[Path, dict[str, str]]) -> Iterator[RecordRoute]:
    with RecordRoute(Settings(data_dir=folder[0], min_free_mb=0)) as instance:
        yield instance


def test_asking_one_speaker_cites_only_their_lines(
    app: RecordRoute, folder: tuple[Path, dict[str, str]]
) -> None:
    budget = folder[1]["budget.md"]
    assert app.speakers.names() == ["Anna", "Jonas"]
    lease = LEASE
    everyone = app.ask.ask(lease, save=False)
    assert everyone.lead is not None and everyone.lead.citation.label == "[budget.md, 00:00:33]"
    anna = app.ask.ask(lease, speakers=[" anna "], save=False)  # any case, any spacing
    assert anna.lead is not None and anna.lead.text == "The lease on the third floor ends in June."
    assert said_by(anna, ANNA), [s.citation.label for s in anna.sentences]
    jonas = app.ask.ask(DECISION, speakers=["Jonas"], save=False)
    assert jonas.found and jonas.lead is not None
    assert jonas.lead.citation.label == "[budget.md, 00:00:14]"
    assert {s.citation.recording_id for s in jonas.sentences} == {budget}
    assert said_by(jonas, JONAS), [s.citation.label for s in jonas.sentences]
    # what the other one said is not theirs: nothing of it clears the bar
    for question, who in ((lease, "Jonas"), (DECISION, "Anna")):
        other = app.ask.ask(question, speakers=[who], save=False)
        assert other.mode == "not_found" and other.sentences == (), (who, other.text())
        assert "relevance bar" in other.note
    both = app.ask.ask(DECISION, speakers=["Anna", "Jonas"], save=False)
    assert both.lead is not None and both.lead.citation.label == "[budget.md, 00:00:14]"
    # the rocket lecture has no speakers: nothing of it answers for a person
    rocket = app.ask.ask("How fast must a rocket go?", speakers=["Jonas"], save=False)
    assert rocket.mode == "not_found"
    assert app.ask.ask("How fast must a rocket go?", save=False).found


def test_a_speaker_no_recording_knows_is_refused_with_the_names_there_are(
    app: RecordRoute,
) -> None:
    message = r"No recording has a speaker called 'Zed'\. Use one of: Anna, Jonas"
    before = len(app.ask.conversations())
    with pytest.raises(InvalidInputError, match=message):
        app.ask.ask(DECISION, speakers=["Jonas", "Zed"])
    with pytest.raises(InvalidInputError, match=message):
        app.ask.check(DECISION, speakers=["Zed"])
    assert len(app.ask.conversations()) == before  # a refused question leaves nothing behind
    with pytest.raises(InvalidInputError, match="is 81 characters long"):
        app.ask.ask(DECISION, speakers=["x" * 81])


def test_without_diarized_recordings_the_error_says_how_to_get_speakers(
    tmp_path: Path,
) -> None:
    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:
        note = tmp_path / "note.txt"
        note.write_text("A note without voices.", encoding="utf-8")
        app.add_file(note)
        with pytest.raises(InvalidInputError, match="No recording knows its speakers yet") as exc:
            app.ask.ask("what?", speakers=["Mina"])
        assert "'Mina'" in exc.value.message and "diarize step" in exc.value.fix


def test_a_follow_up_keeps_the_speaker_scope(app: RecordRoute) -> None:
    first = app.ask.ask(DECISION, speakers=["Jonas"])
    assert first.conversation_id is not None
    saved = app.ask.conversation(first.conversation_id)
    assert saved.filters["speakers"] == ["Jonas"]
    numbers = app.ask.ask(
        "Who sends the new numbers to finance?", conversation_id=first.conversation_id
    )
    assert numbers.lead is not None and "finance team by Friday" in numbers.lead.text
    assert said_by(numbers, JONAS), [s.citation.label for s in numbers.sentences]
    # the lease is Anna's line (cited at 00:00:33 when everyone is asked): not Jonas's
    follow = app.ask.ask(LEASE, conversation_id=first.conversation_id)
    assert said_by(follow, JONAS), follow.text()
    assert not any("lease" in s.text for s in follow.sentences), follow.text()
    assert [t.question for t in app.ask.conversation(first.conversation_id).turns] == [
        DECISION,
        "Who sends the new numbers to finance?",
        LEASE,
    ]
    # a person renamed since: the conversation's follow-ups say so
    budget = next(r.id for r in app.list_recordings() if r.display_name == "budget.md")
    app.speakers.rename(budget, "Jonas", "Jonas B")
    try:
        with pytest.raises(InvalidInputError, match=r"speaker called 'Jonas'.*Jonas B"):
            app.ask.ask("And by which day?", conversation_id=first.conversation_id)
    finally:
        app.speakers.rename(budget, "Jonas B", "Jonas")
    app.ask.delete_conversation(first.conversation_id)


def test_cli_ask_with_speaker(
    folder: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(folder[0])]
    assert cli_main([*data, "ask", DECISION, "--speaker", "Jonas", "--no-save", "--json"]) == 0
    answer = Answer.from_dict(json.loads(capsys.readouterr().out))
    assert answer.lead is not None and answer.lead.citation.label == "[budget.md, 00:00:14]"
    assert said_by(answer, JONAS)
    args = [*data, "ask", DECISION, "--speaker", "Anna", "--speaker", "Zed", "--no-save"]
    assert cli_main(args) == 1
    err = capsys.readouterr().err
    assert "No recording has a speaker called 'Zed'" in err and "Anna, Jonas" in err


def test_mcp_ask_takes_speakers(folder: tuple[Path, dict[str, str]]) -> None:
    async def body(session: object) -> dict[str, object]:
        listed = await session.list_tools()  # type: ignore[attr-defined]
        schema = next(t.input_schema for t in listed.tools if t.name == "ask")
        scoped = await session.call_tool(  # type: ignore[attr-defined]
            "ask", {"question": LEASE, "speakers": ["Anna"]}
        )
        unknown = await session.call_tool(  # type: ignore[attr-defined]
            "ask", {"question": DECISION, "speakers": ["Zed"]}
        )
        return {"schema": schema, "scoped": _payload(scoped), "unknown": unknown}

    out = _session_run(folder[0], body)
    assert "speakers" in out["schema"]["properties"]  # type: ignore[index]
    scoped = out["scoped"]
    assert scoped["found"]  # type: ignore[index]
    assert scoped["lead"]["citation"]["label"] == "[budget.md, 00:00:33]"  # type: ignore[index]
    starts = [s["citation"]["start_s"] for s in scoped["sentences"]]  # type: ignore[index]
    assert all(30.0 <= start < 46.5 for start in starts), starts
    unknown = out["unknown"]
    assert unknown.is_error  # type: ignore[attr-defined]
    text = unknown.content[0].text  # type: ignore[attr-defined]
    assert "No recording has a speaker called 'Zed'" in text and "Anna, Jonas" in text


def test_the_api_passes_speakers_through(folder: tuple[Path, dict[str, str]]) -> None:
    with ApiServer(folder[0], workers=0) as server:
        reply = server.api(
            "POST", "/ask", json_body={"question": DECISION, "speakers": ["Jonas"], "save": False}
        )
        assert reply.status == 200, reply.text
        labels = [s["citation"]["label"] for s in reply.json()["sentences"]]
        assert labels[0] == "[budget.md, 00:00:14]"
        bad = server.api("POST", "/ask", json_body={"question": DECISION, "speakers": ["Zed"]})
        assert bad.status == 400
        assert "No recording has a speaker called 'Zed'" in bad.json()["error"]["message"]
