"""Asking the archive through the facade: extractive answers with citations, written
answers from an Ollama model (a protocol test against the recorded-protocol replay
server), follow-ups, the recording scope, conversations, and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recordroute import RecordRoute, Settings
from recordroute.ask import Answer
from recordroute.errors import InvalidInputError, NotFoundError
from tests.ask_support import build_archive
from tests.support.ollama_replay import OllamaReplay, ReplayModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("ask")
    with RecordRoute(Settings(data_dir=root / "db", min_free_mb=0)) as app:
        ids = build_archive(app, root / "files")
    return root / "db", ids


@pytest.fixture
def app(folder: tuple[Path, dict[str, str]]) -> Iterator[RecordRoute]:
    with RecordRoute(Settings(data_dir=folder[0], min_free_mb=0)) as instance:
        yield instance


def test_extractive_answer_cites_every_sentence(
    app: RecordRoute, folder: tuple[Path, dict[str, str]]
) -> None:
    ids = folder[1]
    events: list[tuple[str, dict[str, Any]]] = []
    answer = app.ask.ask(
        "What did we decide about the travel budget?",
        save=False,
        on_event=lambda kind, data: events.append((kind, data)),
    )
    assert answer.mode == "extractive" and answer.found
    assert answer.lead is not None
    assert answer.lead.text == (
        "After a long discussion we decided to cut the travel budget by ten percent."
    )
    assert answer.lead.citation.label == "[budget.md, 00:00:14]"
    assert answer.lead.citation.recording_id == ids["budget.md"]
    assert all(s.citation.recording_id == ids["budget.md"] for s in answer.sentences)
    assert all(s.render().endswith("]") for s in answer.sentences)
    assert "embedded model cannot write" in answer.note and "Ollama" in answer.note
    text = answer.text()
    assert text.splitlines()[0].endswith("[budget.md, 00:00:14]")
    others = [s for s in answer.sentences if s != answer.lead]
    assert ("budget.md:" in text) == bool(others)  # the lead is not listed twice
    kinds = [k for k, _ in events]
    assert kinds[0] == "started" and kinds[1] == "passages" and kinds[-1] == "finished"
    assert kinds.count("sentence") == len(answer.sentences)
    assert Answer.from_dict(answer.to_dict()) == answer


def test_korean_question_and_document_paragraphs(app: RecordRoute) -> None:
    korean = app.ask.ask("토마토는 어떻게 키우나요?", save=False)
    assert korean.lead is not None and "햇빛" in korean.lead.text
    assert korean.lead.citation.label == "[garden.md, 00:00:08]"
    bread = app.ask.ask("How long does the dough rest?", save=False)
    assert bread.lead is not None and "two hours" in bread.lead.text
    assert bread.lead.citation.label == "[bread.txt, ¶3]"


def test_scope_to_one_recording_and_filters(
    app: RecordRoute, folder: tuple[Path, dict[str, str]]
) -> None:
    ids = folder[1]
    scoped = app.ask.ask("토마토는 어떻게 키우나요?", recording_id=ids["garden.md"], save=False)
    assert scoped.sentences
    assert {s.citation.recording_id for s in scoped.sentences} == {ids["garden.md"]}
    elsewhere = app.ask.ask("How fast must a rocket go?", recording_id=ids["garden.md"])
    assert elsewhere.mode == "not_found"  # the garden talk does not say: a real answer
    lecture = app.ask.ask("How fast must a rocket go?", tags=["lecture"], save=False)
    assert lecture.lead is not None and "seven point eight kilometres" in lecture.lead.text
    nothing = app.ask.ask("How fast must a rocket go?", tags=["no-such-tag"], save=False)
    assert nothing.mode == "not_found" and not nothing.found
    assert nothing.text() == "Not found in your recordings."
    assert nothing.sentences == () and "relevance bar" in nothing.note


def test_conversations_are_saved_listed_reopened_and_deleted(
    app: RecordRoute, folder: tuple[Path, dict[str, str]]
) -> None:
    ids = folder[1]
    first = app.ask.ask("Who sends the new numbers to finance?", recording_id=ids["budget.md"])
    assert first.conversation_id is not None
    follow = app.ask.ask("And by which day?", conversation_id=first.conversation_id)
    assert follow.conversation_id == first.conversation_id
    assert {s.citation.recording_id for s in follow.sentences} == {ids["budget.md"]}
    assert any("Friday" in s.text for s in follow.sentences)
    listed = app.ask.conversations(recording_id=ids["budget.md"])
    assert [c.id for c in listed][:1] == [first.conversation_id]
    assert listed[0].turn_count == 2 and listed[0].title == "Who sends the new numbers to finance?"
    reopened = app.ask.conversation(first.conversation_id)
    assert [t.question for t in reopened.turns] == [
        "Who sends the new numbers to finance?",
        "And by which day?",
    ]
    assert app.ask.answers(first.conversation_id)[1] == follow
    app.ask.delete_conversation(first.conversation_id)
    with pytest.raises(NotFoundError, match="does not exist"):
        app.ask.conversation(first.conversation_id)
    with pytest.raises(NotFoundError, match="does not exist"):
        app.ask.delete_conversation(first.conversation_id)


def test_bad_questions_are_refused_clearly(app: RecordRoute) -> None:
    with pytest.raises(InvalidInputError, match="The question is empty"):
        app.ask.ask("   ")
    with pytest.raises(InvalidInputError, match="characters long"):
        app.ask.ask("why " * 600)
    with pytest.raises(InvalidInputError, match="Answer mode 'poem' is not known"):
        app.ask.ask("budget?", mode="poem")
    with pytest.raises(InvalidInputError, match="No recording knows its speakers yet"):
        app.ask.ask("budget?", speakers=["Mina"])
    with pytest.raises(InvalidInputError, match="Written answers need a language model"):
        app.ask.ask("budget?", mode="written", save=False)
    with pytest.raises(InvalidInputError, match="not a valid identifier"):
        app.ask.ask("budget?", conversation_id="nope")
    with pytest.raises(NotFoundError):
        app.ask.ask("budget?", recording_id="3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192")


REPLY = (
    "We decided to cut the travel budget by ten percent [1]. "
    "Mina will send the new numbers to the finance team by Friday [2]. "
    "The board approved a new budget of two million dollars on Monday [1]."
)


def test_written_answer_protocol_test_with_ollama_replay(
    folder: tuple[Path, dict[str, str]],
) -> None:
    """Ollama cannot run here: a server replaying its protocol gives a written answer with
    one invented sentence, which the grounding check must drop."""
    models = (ReplayModel("gemma3:4b", reply=REPLY),)
    with OllamaReplay(models) as replay:
        settings = Settings(
            data_dir=folder[0],
            min_free_mb=0,
            llm_provider="ollama",
            llm_model="gemma3:4b",
            ollama_host=replay.url,
        )
        with RecordRoute(settings) as app:
            tokens: list[str] = []
            checked: list[dict[str, Any]] = []

            def on_event(kind: str, data: dict[str, Any]) -> None:
                if kind == "token":
                    tokens.append(data["text"])
                elif kind == "sentence":
                    checked.append(data)

            answer = app.ask.ask(
                "What did we decide about the travel budget?", save=False, on_event=on_event
            )
        prompt = replay.bodies("/api/chat")[-1]["messages"]
    assert answer.mode == "written" and answer.model == "gemma3:4b"
    assert [s.text for s in answer.sentences] == [
        "We decided to cut the travel budget by ten percent.",
        "Mina will send the new numbers to the finance team by Friday.",
    ]
    assert [s.citation.label for s in answer.sentences] == [
        "[budget.md, 00:00:14]",
        "[budget.md, 00:00:22]",
    ]
    assert answer.dropped == 1
    assert "".join(tokens) == REPLY  # every token was passed on as it came
    assert [c["kept"] for c in checked] == [True, True, False]
    assert "two million" in checked[2]["text"] and checked[2]["reason"]
    assert "two million" not in answer.text()
    assert "Passages:" in prompt[-1]["content"] and "[budget.md, 00:00:14]" not in REPLY
    assert "square brackets" in prompt[0]["content"]


def test_written_answer_falls_back_to_quotes_when_nothing_is_grounded(
    folder: tuple[Path, dict[str, str]],
) -> None:
    invented = "The company jet will fly the whole team to Hawaii in August [1]."
    with OllamaReplay((ReplayModel("gemma3:4b", reply=invented),)) as replay:
        settings = Settings(
            data_dir=folder[0],
            min_free_mb=0,
            llm_provider="ollama",
            llm_model="gemma3:4b",
            ollama_host=replay.url,
        )
        with RecordRoute(settings) as app:
            answer = app.ask.ask("What happened to the travel budget?", save=False)
        with (
            OllamaReplay((ReplayModel("gemma3:4b", reply="NOT FOUND"),)) as other,
            RecordRoute(settings.replace(ollama_host=other.url)) as second,
        ):
            not_found = second.ask.ask("What did we decide about the travel budget?", save=False)
    assert answer.mode == "extractive" and "could not be checked" in answer.note
    assert any("ten percent" in s.text for s in answer.sentences)
    assert not_found.mode == "not_found" and "found no answer" in not_found.note


def test_summary_lines_are_cited_by_the_time_they_carry(tmp_path: Path) -> None:
    summary = (
        "## Decisions\n"
        "- The hiring freeze ends in September and two engineers join (00:00:21)\n"
        "- A line without a time cannot be cited\n"
    )
    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=0)) as app:
        path = tmp_path / "staff.md"
        path.write_text(
            "[00:00:01 - 00:00:09] Welcome to the staff meeting about next year.\n"
            "[00:00:09 - 00:00:21] We talked about hiring for a long while.\n"
            "[00:00:21 - 00:00:30] The freeze ends in September, then two engineers join.\n",
            encoding="utf-8",
        )
        rec = app.add_file(path)
        app.recordings.save_artifact(rec.id, "summary", "md", summary)
        assert app.process(rec.id, ["embed"]).state == "done"
        passages: list[dict[str, Any]] = []
        answer = app.ask.ask(
            "When does the hiring freeze end?",
            save=False,
            on_event=lambda kind, data: passages.extend(data.get("passages", [])),
        )
    sources = {(p["citation"]["source"], p["citation"]["start_s"]) for p in passages}
    assert ("summary", 21.0) in sources
    assert not any("without a time" in p["text"] for p in passages)
    assert answer.found and answer.lead is not None and answer.lead.citation.start_s == 21.0
