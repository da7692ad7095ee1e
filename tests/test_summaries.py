"""Grounded summaries and titles: extractive backbone, modes and their messages, templates.

Real parts: the bundled USE embedder and the bundled SmolLM2 model object (never asked to
write: it is too small); the Ollama model is answered by the recorded-protocol replay
server (these tests are protocol tests for it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.summary_texts import load
from recordroute import InvalidInputError, NotFoundError, RecordRoute, Segment, Settings
from recordroute.engine_protocols import LanguageModel
from recordroute.grounding import EmbedFn, Grounder
from recordroute.pipeline import capacity, prompts
from recordroute.pipeline.grounded import GroundedSummarizer
from recordroute.pipeline.grounded_result import GroundedSummary
from recordroute.pipeline.summary_markdown import searchable_text, timed_lines
from recordroute.pipeline.templates import BUILTIN, get_template, template_from_dict
from recordroute.pipeline.titles import candidates, choose_title, is_generic
from recordroute.providers import create_embedder, create_language_model
from tests.conftest import write
from tests.support.ollama_replay import OllamaReplay, ReplayModel

MEETING_HEADINGS = [f"## {t}" for t in prompts.SECTION_TITLES["en"].values()]
RELEASE_ANSWER = (
    "Here is a summary of the meeting:\n\n**Decisions**\n"
    "* The release is on hold until the login crash is fixed (00:00:40)\n"
    "* The release date is Monday the twelfth (00:02:28)\n\n**Action items**\n"
    "* Jonas will fix the crash and send a new build to the testers by Thursday (00:00:45)\n"
    "* Sarah from marketing will prepare the launch campaign (00:01:55)\n"
    "* Summarise only the facts as short bullet points\n"
)


@pytest.fixture(scope="module")
def embed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbedFn]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("db"), min_free_mb=0)
    yield create_embedder(settings).embed


class Recorder:
    """A real language model object whose calls are counted (nothing else changed)."""

    def __init__(self, inner: LanguageModel) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_name = getattr(inner, "model_name", inner.name)
        self.calls = 0

    @property
    def context_window(self) -> int:
        return self.inner.context_window

    def available(self) -> object:
        return self.inner.available()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def complete(self, prompt: str, **kw: object) -> str:
        self.calls += 1
        return self.inner.complete(prompt, **kw)  # type: ignore[arg-type]


def _ollama(replay: OllamaReplay, tmp_path: Path) -> LanguageModel:
    settings = Settings(
        data_dir=tmp_path / "db",
        min_free_mb=0,
        llm_provider="ollama",
        llm_model="gemma3:4b",
        ollama_host=replay.url,
        llm_context=8192,
    )
    return create_language_model(settings)


def _headings(result: GroundedSummary) -> list[str]:
    return [line for line in result.markdown.splitlines() if line.startswith("## ")]


def test_the_embedded_model_is_not_asked_and_the_summary_says_so(
    embed: EmbedFn, tmp_path: Path
) -> None:
    model = Recorder(create_language_model(Settings(data_dir=tmp_path / "db")))
    text = load("meeting-release-en")
    result = GroundedSummarizer(embed, model).summarize(text.segments)
    assert model.calls == 0
    assert (result.mode, result.reason) == ("extractive", "too_small")
    assert result.note == (
        "Extractive summary: sentences taken word for word from the recording. SmolLM2-135M is "
        "too small to write summaries; for written summaries, use an Ollama model "
        "(RECORDROUTE_LLM_PROVIDER=ollama, RECORDROUTE_LLM_MODEL=gemma3:4b)."
    )
    assert result.markdown.startswith(f"> {result.note}\n\n## Topics\n")
    assert _headings(result) == MEETING_HEADINGS
    decisions = [line.text for line in result.sections["decisions"]]
    assert "We decided to hold the release until the login crash is fixed." in decisions
    actions = [(line.owner, line.due) for line in result.sections["action_items"]]
    assert ("Jonas", "Thursday") in actions and ("Priya", "Wednesday") in actions
    spoken = {s.text: s.start for s in text.segments}
    for line in result.lines:  # every line carries the time it was said
        assert line.start is not None and line.origin == "recording"
        if line.text in spoken:
            assert line.start == pytest.approx(spoken[line.text], abs=0.01)
    indexed = searchable_text(result.markdown)
    assert "Extractive summary" not in indexed and "None noted" not in indexed
    assert f"- {decisions[0]}" in indexed and "[00:" not in indexed
    parsed = timed_lines(result.markdown)
    assert len(parsed) == len(result.lines) + 1  # one "None noted" bullet
    assert ("Decisions", 40.0, decisions[0]) in parsed
    assert result.meta()["mode"] == "extractive" and result.meta()["title"]["text"]


def test_a_speaker_who_takes_a_task_owns_it(embed: EmbedFn) -> None:
    diarized = [
        Segment(0.0, 4.0, "We agreed to move the launch to the twelfth.", "Mina"),
        Segment(4.5, 9.0, "I will book the room for Friday and send the invitation.", "Anna"),
        Segment(9.5, 13.0, "제가 금요일까지 보도 자료를 보내겠습니다.", "민준"),
    ]
    result = GroundedSummarizer(embed, None).summarize(diarized, language_hint="en")
    owners = {line.owner for line in result.sections["action_items"]}
    assert owners == {"Anna", "민준"}
    assert any("owner: Anna" in line.text for line in result.sections["action_items"])


def test_korean_in_korean_out_with_the_korean_message(embed: EmbedFn, tmp_path: Path) -> None:
    model = create_language_model(Settings(data_dir=tmp_path / "db"))
    text = load("meeting-launch-ko")
    result = GroundedSummarizer(embed, model).summarize(text.segments)
    assert result.language == "ko" and _headings(result)[0] == "## 주요 주제"
    assert result.note == (
        "추출 요약: 녹음의 문장을 그대로 가져왔습니다. SmolLM2-135M 모델은 요약문을 쓰기에 "
        "너무 작습니다. 글로 쓴 요약을 원하면 Ollama 모델을 쓰세요 "
        "(RECORDROUTE_LLM_PROVIDER=ollama, RECORDROUTE_LLM_MODEL=gemma3:4b)."
    )
    decisions = [line.text for line in result.sections["decisions"]]
    assert "메인 화면은 두 번째 시안으로 확정했습니다." in decisions
    owners = {line.owner for line in result.sections["action_items"]}
    assert {"민준", "서연", "하은"} <= owners
    grounder = Grounder(text.segments, embed)
    assert all(grounder.check([line.text]).lines[0].kept for line in result.lines)
    assert result.title and not is_generic(result.title)
    assert grounder.check([result.title]).lines[0].kept


def test_extractive_as_asked_in_both_languages(embed: EmbedFn) -> None:
    english = GroundedSummarizer(embed, None, mode="extractive").summarize(
        load("meeting-office-en").segments
    )
    assert (english.reason, english.note) == (
        "asked",
        "Extractive summary, as asked: sentences taken word for word from the recording.",
    )
    korean = GroundedSummarizer(embed, None).summarize(load("meeting-hiring-ko").segments)
    assert korean.note == "추출 요약(요청한 방식): 녹음의 문장을 그대로 가져왔습니다."
    with pytest.raises(InvalidInputError, match="'creative' is not a summary mode"):
        GroundedSummarizer(embed, None, mode="creative")


def test_protocol_a_model_whose_lines_fail_the_check_gives_an_extractive_summary(
    embed: EmbedFn, tmp_path: Path
) -> None:
    unrelated = "Quarterly revenue in Asia grew by twelve percent."
    with OllamaReplay((ReplayModel("gemma3:4b", reply=unrelated),)) as replay:
        model = _ollama(replay, tmp_path)
        english = GroundedSummarizer(embed, model).summarize(load("meeting-office-en").segments)
        korean = GroundedSummarizer(embed, model).summarize(load("meeting-hiring-ko").segments)
    assert (english.mode, english.reason) == ("extractive", "failed_check")
    assert english.model_lines == 1 and english.model_kept == 0
    assert english.note == (
        "Extractive summary: sentences taken word for word from the recording. gemma3:4b wrote "
        "1 lines, but only 0 could be traced to the recording, so none of them is shown; a "
        "larger Ollama model writes better summaries (RECORDROUTE_LLM_PROVIDER=ollama, "
        "RECORDROUTE_LLM_MODEL=gemma3:4b)."
    )
    assert english.dropped[0].text == unrelated
    assert all(line.origin == "recording" for line in english.lines)
    assert korean.note.startswith(
        "추출 요약: 녹음의 문장을 그대로 가져왔습니다. gemma3:4b 모델이 쓴 1줄 가운데 녹음에서 "
        "근거를 찾은 줄이 0줄뿐이라 모델의 글은 싣지 않았습니다."
    )


def test_protocol_grounded_model_lines_are_kept_and_fabrications_dropped(
    embed: EmbedFn, tmp_path: Path
) -> None:
    answers = (
        (("Okay, let's get started",), RELEASE_ANSWER),
        (("Reply with the title only.",), "Meeting Summary"),
    )
    with OllamaReplay((ReplayModel("gemma3:4b", answers=answers),)) as replay:
        result = GroundedSummarizer(embed, _ollama(replay, tmp_path)).summarize(
            load("meeting-release-en").segments
        )
    assert (result.mode, result.reason) == ("abstractive", "written")
    assert (result.model_lines, result.model_kept) == (5, 3)
    assert [v.verdict for v in result.dropped] == ["unsupported", "echo"]
    shown = [line.text for line in result.lines]
    assert "Sarah from marketing will prepare the launch campaign" not in shown
    assert result.sections["decisions"][0].origin == "model"
    assert result.sections["decisions"][0].start == pytest.approx(40.0, abs=6)
    assert result.sections["key_points"] and all(
        line.origin == "recording" for line in result.sections["key_points"]
    )  # the model left it empty: filled from the recording
    assert result.note == (
        "Written by gemma3:4b. Every line was checked against the recording: 3 of 5 lines were "
        "kept. Sections it left empty hold sentences taken from the recording."
    )
    assert result.title != "Meeting Summary" and not is_generic(result.title)
    korean_note = capacity.mode_note("written", "ko", label="gemma3:4b", written=5, kept=3)
    assert korean_note == (
        "gemma3:4b 모델이 쓴 요약입니다. 모든 줄을 녹음과 대조해 5줄 가운데 3줄을 남겼습니다."
    )
    assert capacity.mode_note("written", "ko", label="m", filled=True).endswith(
        " 모델이 비워 둔 항목은 녹음의 문장으로 채웠습니다."
    )


def test_protocol_a_small_ollama_model_is_not_asked_to_write(
    embed: EmbedFn, tmp_path: Path
) -> None:
    small = ReplayModel("gemma3:4b", parameters=268_098_176)  # what /api/show says of a 270M
    with OllamaReplay((small,)) as replay:
        result = GroundedSummarizer(embed, _ollama(replay, tmp_path)).summarize(
            load("meeting-office-en").segments
        )
        assert replay.bodies("/api/chat") == [] and replay.bodies("/api/generate") == []
    assert (result.mode, result.reason) == ("extractive", "too_small")
    assert "gemma3:4b is too small to write summaries" in result.note


def test_a_small_model_by_parameter_count_does_not_write(tmp_path: Path) -> None:
    class Tiny(Recorder):
        parameter_count = 350_000_000

    tiny = Tiny(create_language_model(Settings(data_dir=tmp_path / "db", llm_model="x.gguf")))
    assert capacity.writing_capacity(tiny) == capacity.Capacity(False, "x.gguf")
    assert capacity.model_label(tiny) == "x.gguf"


def test_lecture_and_interview_templates(embed: EmbedFn) -> None:
    lecture = GroundedSummarizer(embed, None, template=get_template("lecture")).summarize(
        load("lecture-water-en").segments
    )
    assert _headings(lecture) == [
        "## Topics",
        "## Key concepts",
        "## Definitions",
        "## Examples",
        "## Questions",
        "## Assignments and next class",
    ]
    definitions = [line.text for line in lecture.sections["definitions"]]
    assert "Condensation is defined as the change of water vapour into liquid water." in (
        definitions
    )
    homework = " ".join(line.text for line in lecture.sections["assignments"])
    assert "chapter six" in homework and "chapter five" in homework
    interview = GroundedSummarizer(embed, None, template=BUILTIN["interview"]).summarize(
        load("interview-farmer-ko").segments
    )
    assert _headings(interview)[2:4] == ["## 주요 발언", "## 배경"]
    assert any("?" in line.text for line in interview.sections["questions"])
    assert interview.template == "interview"


def test_a_custom_template_with_cues_and_a_query_section(embed: EmbedFn) -> None:
    template = template_from_dict(
        {
            "name": "Standup",
            "instructions": "Only what blocks the work.",
            "sections": [
                {"title": "Money", "cues": ["euros", "budget"]},
                {"title": "Furniture", "instruction": "desks and chairs", "source": "query"},
            ],
        }
    )
    assert template.name == "standup" and not template.builtin
    assert template.to_dict()["sections"][0]["cues"] == ["euros", "budget"]
    result = GroundedSummarizer(embed, None, template=template).summarize(
        load("meeting-office-en").segments
    )
    assert _headings(result) == ["## Money", "## Furniture"]
    assert any("euros" in line.text for line in result.sections["s1"])
    assert any("desk" in line.text or "chair" in line.text for line in result.sections["s2"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "a b", "sections": [{"title": "x"}]}, "has characters that are not allowed"),
        ({"name": "meeting", "sections": [{"title": "x"}]}, "'meeting' is a built-in template"),
        ({"name": "t", "sections": []}, "A template needs 1 to 8 sections; got \\[\\]"),
        ({"name": "t", "sections": ["x"]}, "Section 1 is 'x', not an object"),
        ({"name": "t", "sections": [{"title": ""}]}, "The title of section 1 must be text"),
        ({"name": "t", "sections": [{"title": "x" * 61}]}, "is 61 characters long"),
        ({"name": "t", "sections": [{"title": "x", "cues": "no"}]}, "The cues of section 1"),
        (
            {"name": "t", "sections": [{"title": "x", "source": "cues"}]},
            "Section 1 has the source 'cues' but no cues",
        ),
        (
            {"name": "t", "sections": [{"title": "x"}, {"title": "x"}]},
            "Two sections are called 'x'",
        ),
        ({"name": 3, "sections": [{"title": "x"}]}, "The template name must be text, not 3"),
    ],
)
def test_bad_custom_templates_are_refused_with_the_fix(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        template_from_dict(data)
    assert caught.value.fix


def test_an_unknown_template_names_the_ones_there_are() -> None:
    with pytest.raises(NotFoundError, match="There is no summary template 'minutes'") as caught:
        get_template("minutes")
    assert caught.value.fix == "Use one of meeting, lecture, interview, or create it first."
    assert get_template("") is BUILTIN["meeting"]


def test_titles_are_grounded_never_generic(embed: EmbedFn) -> None:
    assert is_generic("Meeting summary") and is_generic("회의 요약") and is_generic("")
    assert not is_generic("Ask what you can do for your country")
    segments = [Segment(0.0, 11.0, "And so my fellow Americans, ask not what your country can do "
                                   "for you, ask what you can do for your country.")]  # fmt: skip
    options = candidates([segments[0].text], ["country"], embed)
    assert options[0] == "Ask what you can do for your country" and options[-1] == "Country"
    grounder = Grounder(segments, embed)
    invented = "The American Way: A Guide to Embracing Your Own Unique Culture"
    assert choose_title([invented, "Meeting notes", *options], grounder) == (
        "Ask what you can do for your country",
        0.0,
    )
    assert choose_title([invented], grounder) == ("", None)


def test_a_three_hour_transcript_is_summarised(embed: EmbedFn) -> None:
    from benchmarks.summary_texts import long_meeting

    text = long_meeting("ko", hours=3.0)
    assert text.hours >= 3.0
    result = GroundedSummarizer(embed, None).summarize(text.segments)
    assert result.mode == "extractive" and 3 <= len(result.sections["key_points"]) <= 8
    starts = [line.start or 0.0 for line in result.sections["key_points"]]
    assert max(starts) > 3600  # key points come from the whole recording, not its start
    assert all(len(v) <= 20 for v in result.sections.values())


def test_process_gives_a_grounded_summary_and_title(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0)
    with RecordRoute(settings) as app:
        rec = app.add_file(
            write(
                tmp_path / "office.txt",
                "\n".join(s.text for s in load("meeting-office-en").segments),
            )
        )
        job = app.process(rec.id, ["summarize", "title"])
        assert job.state == "done", job.error
        (summary,) = app.recordings.artifacts(rec.id, "summary")
        assert summary.meta["mode"] == "extractive" and summary.meta["mode_reason"] == "too_small"
        text = app.recordings.read_text(summary.id)
        assert [line for line in text.splitlines() if line.startswith("## ")] == MEETING_HEADINGS
        assert "- We agreed to move on the weekend of the twentieth of June." in text  # untimed
        title = app.get_recording(rec.id).title
        assert title == summary.meta["title"]["text"] and not is_generic(title)
        (title_file,) = app.recordings.artifacts(rec.id, "title")
        assert app.recordings.read_text(title_file.id) == title + "\n"


def test_a_transcript_with_nothing_to_name_shows_the_recording_name(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0)
    with RecordRoute(settings) as app:
        rec = app.add_file(write(tmp_path / "notes.txt", "Meeting notes."))
        with app._library.db.write() as conn:  # a title an earlier, unchecked model wrote
            conn.execute("UPDATE recordings SET title = 'A Guide to Notes' WHERE id = ?", (rec.id,))
        job = app.process(rec.id, ["title"])
        assert job.state == "done", job.error
        assert app.get_recording(rec.id).title == ""
        assert app.recordings.artifacts(rec.id, "title") == []
        (summary,) = app.recordings.artifacts(rec.id, "summary")
        assert summary.meta["title"] == {"text": "", "start": None}
