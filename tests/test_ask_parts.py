"""The parts of answering and notes without a model: sentences and their times, the word
match, drafted sentences and their marks, answers as JSON, scopes, notes, conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from recordroute.app.spoken import SpokenBy, check_known, names_in, share_said
from recordroute.ask import (
    Answer,
    AnswerSentence,
    Citation,
    Scope,
    document_units,
    split_text,
    timed_units,
)
from recordroute.ask.units import content_words, features, lexical_score, rarity
from recordroute.ask.written import drafted, split_drafted, system_prompt, user_prompt
from recordroute.errors import CorruptDataError, InvalidInputError, NotFoundError
from recordroute.mcp_server import tools
from recordroute.models import Segment, SpeakerTurn
from recordroute.notes import MARKER, NoteData, note_name, recording_id_of, render, user_part
from recordroute.pipeline.speakers import Speaker, Speakers
from recordroute.storage import Database
from recordroute.storage.conversations import ConversationRepository


def test_sentences_keep_their_times() -> None:
    segments = [
        Segment(0.0, 4.0, "We start with the budget. The travel budget is cut"),
        Segment(4.0, 8.0, "by ten percent this year."),
        Segment(20.0, 24.0, "다음 회의는 목요일입니다. 장소는 삼층 회의실입니다."),
    ]
    units = timed_units(segments)
    assert [u.text for u in units] == [
        "We start with the budget.",
        "The travel budget is cut by ten percent this year.",
        "다음 회의는 목요일입니다.",
        "장소는 삼층 회의실입니다.",
    ]
    assert units[0].start_s == 0.0 and 1.0 < units[1].start_s < 4.0 and units[1].end_s == 8.0
    assert units[2].start_s == 20.0 and 20.0 < units[3].start_s < 24.0
    assert split_text("Yes. No. Maybe so, said the chair of the meeting.") == [
        "Yes. No. Maybe so, said the chair of the meeting."
    ]
    long = " ".join(["word"] * 300)
    assert all(len(piece) <= 400 for piece in split_text(long))
    assert [
        (u.text, u.paragraph) for u in document_units(["One paragraph here, long enough."], 3)
    ] == [("One paragraph here, long enough.", 3)]


def test_words_match_across_forms() -> None:
    assert content_words("What did we decide about the meetings?") == ["decid", "meet"]
    assert content_words("누가 예산은 언제까지 고치나요") == ["예산", "고치"]
    assert "고치" in features("고친 버전")  # the final consonant comes off
    question = features("Where does the dough rest?")
    assert lexical_score(question, "Let the dough rest for two hours.") == 1.0
    assert lexical_score(question, "Bake it at two hundred degrees.") == 0.0
    assert lexical_score(frozenset(), "anything") == 0.0
    weights = rarity(features("rye bread baked"), ["rye bread recipe", "rye bread", "bake it"])
    assert weights["bak"] > weights["rye"]


def test_drafted_sentences_and_their_marks() -> None:
    done, rest = split_drafted("We cut the budget [1]. Mina sends it [2, 3]. And th")
    assert [(d.text, d.cited) for d in done] == [
        ("We cut the budget.", (1,)),
        ("Mina sends it.", (2, 3)),
    ]
    assert rest == "And th"
    assert drafted("NOT FOUND").text == "NOT FOUND"
    assert "Korean" in system_prompt("예산은?") and "NOT FOUND" in system_prompt("budget?")
    citation = Citation("r1", "a.md", "transcript", 14.0, 20.0)
    from recordroute.ask import Passage

    prompt = user_prompt("Q?", [Passage("text", citation, 1.0)], ["Q: before", "A: after"])
    assert "[1] (a.md, 00:00:14) text" in prompt and "Earlier in this conversation" in prompt


def test_answers_round_trip_and_refuse_damage() -> None:
    citation = Citation("r1", "name [x]", "document", None, None, 2)
    assert citation.label == "[name (x), ¶2]"
    assert Citation("r1", "a", "summary").label == "[a, summary]"
    sentence = AnswerSentence("A fact.", citation, 0.9)
    answer = Answer("q", "written", (sentence,), model="m", conversation_id="c")
    data = answer.to_dict()
    assert data["text"] == "A fact. [name (x), ¶2]" and data["found"]
    assert data["sentences"][0]["citation"]["label"] == "[name (x), ¶2]"
    assert Answer.from_dict(data) == answer
    assert answer.recordings == ["r1"]
    with pytest.raises(ValueError, match="unknown answer mode"):
        Answer.from_dict({**data, "mode": "poem"})


def test_scopes_round_trip_with_their_speakers() -> None:
    scope = Scope(start=date(2024, 1, 1), end=datetime(2024, 2, 1, 9, 30), tags=("a",))
    assert Scope.from_dict(scope.to_dict()) == scope
    assert Scope.from_dict({"tags": "not a list"}) == Scope()
    named = Scope(speakers=(" Mina ", "", "Speaker  2", "Mina")).check()
    assert named.speakers == ("Mina", "Speaker 2")
    assert Scope.from_dict(named.to_dict()) == named
    assert Scope.from_dict({"recordings": ["r1"]}).speakers == ()  # saved before speakers
    with pytest.raises(InvalidInputError, match="is 81 characters long") as exc:
        Scope(speakers=("x" * 81,)).check()
    assert "at most 80 characters" in exc.value.fix


def test_who_said_a_span() -> None:
    turns = (SpeakerTurn(0.0, 10.0, "Anna"), SpeakerTurn(20.0, 30.0, "Anna"))
    assert share_said(turns, 2.0, 8.0) == 1.0
    assert share_said(turns, 5.0, 25.0) == 0.5  # half of it: 5 s + 5 s of 20 s
    assert share_said(turns, 12.0, 18.0) == 0.0
    assert share_said(turns, 10.3, 10.3) == 1.0  # a moment, half a second after a turn
    assert share_said(turns, 15.0, 15.2) == 0.0
    found = Speakers(
        (Speaker("Speaker 1", "Anna"), Speaker("Speaker 2")),
        (
            SpeakerTurn(0.0, 10.0, "Speaker 1"),
            SpeakerTurn(10.0, 20.0, "Speaker 2"),
            SpeakerTurn(20.0, 30.0, "Speaker 1"),
        ),
        "bundled",
        "m",
    )
    reads: list[str] = []

    def load(recording_id: str) -> Speakers | None:
        reads.append(recording_id)
        return found if recording_id == "r1" else None

    spoken = SpokenBy(["ANNA", " speaker 2 "], load)
    assert spoken.names == ("ANNA", "speaker 2") and spoken
    assert spoken.said("r1", 0.0, 20.0) and spoken.said("r1", 12.0, 14.0)
    anna = SpokenBy(["anna"], load)
    assert anna.said("r1", 2.0, 9.0) and not anna.said("r1", 5.0, 20.0)
    assert anna.share("r1", 5.0, 20.0) == pytest.approx(5.0 / 15.0)
    assert anna.said("r1", None, None)  # no times (a summary's passage): they speak in it
    assert not anna.speaks_in("r2") and anna.share("r2", 1.0, 2.0) == 0.0
    assert reads.count("r1") == 2  # once per SpokenBy, however many spans
    assert not SpokenBy(["", "  "], load)
    assert names_in(["r1", "r2"], load) == ["Anna", "Speaker 2"]
    check_known(["anna"], ["Anna"])
    with pytest.raises(InvalidInputError, match="No recording has a speaker called 'Bo'"):
        check_known(["Anna", "Bo"], ["Anna", "Speaker 2"])


def test_note_parts() -> None:
    assert note_name("회의: 예산/2024?.m4a") == "회의 예산 2024"
    assert note_name("...") == "recording"
    data = NoteData(
        "3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192",
        'A "quoted" title',
        datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
        3725.0,
        ("회의",),
        "## Decisions\n- Cut the budget (00:00:14)",
        (Segment(14.0, 20.0, "We cut the budget."),),
        ("Other note",),
        ("Mina", "Jonas"),
    )
    text = render(data)
    assert 'title: "A \\"quoted\\" title"' in text and 'duration: "01:02:05"' in text
    assert 'speakers: ["Mina", "Jonas"]' in text and '- "[[Other note]]"' in text
    assert "#### Decisions" in text and "**00:00:14** We cut the budget." in text
    assert recording_id_of(text) == data.recording_id and recording_id_of("no front") is None
    assert render(data, text + "mine\n") == render(data, render(data, text + "mine\n"))
    assert user_part(None) == "\n" and user_part(f"x\n{MARKER}\n\nkept") == "\nkept"


def test_conversation_storage_refuses_damage(tmp_path: Path) -> None:
    repo = ConversationRepository(Database(tmp_path / "library.sqlite3"))
    with pytest.raises(InvalidInputError, match="needs a title"):
        repo.create("  ")
    with pytest.raises(NotFoundError, match="Recording 3f2b8c1e"):
        repo.create("q", recording_id="3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192")
    with pytest.raises(InvalidInputError, match="limit=0"):
        repo.list(limit=0)
    conversation = repo.create("q")
    repo.add_turn(conversation.id, "q", {"mode": "not_found"})
    with repo.db.write() as conn:
        conn.execute("UPDATE conversation_turns SET answer = '{broken'")
    with pytest.raises(CorruptDataError, match="not valid JSON"):
        repo.get(conversation.id)
    with repo.db.write() as conn:
        conn.execute("UPDATE conversation_turns SET answer = '[1]'")
    with pytest.raises(CorruptDataError, match="not a JSON object"):
        repo.get(conversation.id)
    with repo.db.write() as conn:
        conn.execute("UPDATE conversations SET filters = '{'")
    with pytest.raises(CorruptDataError, match="filters of conversation"):
        repo.list()


def test_mcp_tool_arguments_are_checked() -> None:
    assert tools.seconds("start", "01:02:03") == 3723.0
    assert tools.seconds("start", "02:03") == 123.0
    assert tools.seconds("start", 5) == 5.0 and tools.seconds("start", "7.5") == 7.5
    assert tools.seconds("start", None) is None
    with pytest.raises(InvalidInputError, match="is not a time"):
        tools.seconds("start", "soon")
    with pytest.raises(InvalidInputError, match="is not a date"):
        tools.day("since", "yesterday")
    assert tools.day("since", "2024-05-01") == date(2024, 5, 1)
