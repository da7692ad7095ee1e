"""The grounding check, with the real bundled multilingual embedder (USE).

Fabricated lines, instruction echoes, wrong-language lines, placeholders and repeats are
each fed to the check and must be rejected with their reason; faithful lines are kept
with the time of the passage that supports them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recordroute import Segment, Settings
from recordroute.grounding import (
    EmbedFn,
    Grounder,
    check_lines,
    clean_line,
    language_mismatch,
    line_language,
)
from recordroute.grounding.language import detect_language, latin_language, source_languages
from recordroute.grounding.text import anchors, features, words
from recordroute.pipeline import prompts
from recordroute.providers import create_embedder

JFK = [
    Segment(
        0.0,
        11.0,
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country.",
    )
]
#: FLEURS ko_kr test sentence 1992 (Google, CC BY 4.0), as the bundled Whisper base heard it
KOREAN = [
    Segment(
        2.1,
        10.2,
        "널리 알려진 사팔이라는 표현은 특히 사반화에 멋진 아프리카의 야생동물들을 보기 위한 육로 "
        "여행을 칭한다",
    )
]
MEETING = [
    Segment(0.0, 4.0, "Okay, let's start with the budget for the new office."),
    Segment(4.5, 9.0, "The movers quoted eleven thousand euros for a weekend move."),
    Segment(9.5, 14.0, "We agreed to move on the weekend of the twentieth of June."),
    Segment(14.5, 19.0, "Sofia will sign the contract with the movers by Friday."),
]
INSTRUCTIONS = [
    *prompts.instruction_texts("ko"),
    *prompts.instruction_texts("en"),
]


@pytest.fixture(scope="module")
def embed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbedFn]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("db"), min_free_mb=0)
    yield create_embedder(settings).embed


def test_the_fabricated_jfk_summary_and_title_are_rejected(embed: EmbedFn) -> None:
    report = check_lines(
        [
            "The United States of America is a beacon of hope and opportunity, and it is our "
            "duty to ensure that every American is treated with dignity and respect",
            "The American Way: A Guide to Embracing Your Own Unique Culture",
            "The speaker promised to lower taxes next year.",
        ],
        JFK,
        embed,
        instructions=INSTRUCTIONS,
    )
    assert [v.verdict for v in report.lines] == ["unsupported"] * 3
    assert "the recording never says" in report.lines[0].reason
    assert all(v.start is not None for v in report.lines)  # the closest passage is still named
    assert report.kept == [] and report.grounded_share == 0.0


def test_a_faithful_line_is_kept_with_its_time_and_support(embed: EmbedFn) -> None:
    report = check_lines(["Ask not what your country can do for you"], JFK, embed)
    (verdict,) = report.lines
    assert verdict.kept and verdict.verdict == "grounded" and verdict.reason == ""
    assert verdict.score >= report.threshold and verdict.lexical == 1.0
    assert verdict.start == 0.0 and verdict.supports[0].end == 11.0
    assert "ask not what your country" in verdict.supports[0].text


def test_the_korean_instruction_echo_and_placeholders_are_rejected(embed: EmbedFn) -> None:
    report = check_lines(
        [
            "당신은 사실만 간결한 글로 요약하세요",
            "언급 없음",
            "None noted",
            "Here is a summary of the transcript:",
            "다음은 녹음 기록의 요약입니다.",
            "핵심 내용",
            "",
        ],
        KOREAN,
        embed,
        instructions=INSTRUCTIONS,
    )
    verdicts = [v.verdict for v in report.lines]
    assert verdicts == ["echo", "placeholder", "placeholder", "echo", "echo", "echo", "empty"]
    assert report.lines[0].reason == "it talks about the task, not the recording"
    assert report.lines[1].reason == "it only says that nothing was found"
    assert report.grounded_share == 0.0


def test_an_echo_of_the_prompt_text_is_rejected(embed: EmbedFn) -> None:
    report = check_lines(
        ["Summarise only the facts as short bullet points and end each point with the time."],
        MEETING,
        embed,
        instructions=INSTRUCTIONS,
    )
    (verdict,) = report.lines
    assert verdict.verdict == "echo"
    assert verdict.reason == "it repeats the instructions given to the model"


def test_wrong_language_lines_are_rejected_both_ways(embed: EmbedFn) -> None:
    english = check_lines(["당신의 나라가 무엇을 해 줄지 묻지 말라"], JFK, embed)
    assert english.lines[0].verdict == "wrong_language"
    assert english.lines[0].reason == "it is in Korean, but the recording is in English"
    korean = check_lines(["Safari means an overland trip to see African wildlife"], KOREAN, embed)
    assert korean.lines[0].verdict == "wrong_language"
    assert "but the recording is in Korean" in korean.lines[0].reason
    german = check_lines(
        ["Die Umzugsfirma hat für den Umzug am Wochenende ein Angebot gemacht."], MEETING, embed
    )
    assert german.lines[0].verdict == "wrong_language"
    assert german.lines[0].reason == "it is in German, but the recording is in English"


def test_a_korean_paraphrase_is_kept_and_an_invented_korean_claim_is_not(embed: EmbedFn) -> None:
    report = check_lines(
        [
            "사팔이는 아프리카 야생동물을 보기 위한 육로 여행을 말한다",
            "서울에서 열린 회의에서 예산이 승인되었다",
            "아프리카 여행은 비행기로만 가능하다",
        ],
        KOREAN,
        embed,
        instructions=INSTRUCTIONS,
    )
    assert [v.verdict for v in report.lines] == ["grounded", "unsupported", "unsupported"]
    assert report.lines[0].start == pytest.approx(2.1)


def test_invented_numbers_days_and_names_are_rejected(embed: EmbedFn) -> None:
    report = check_lines(
        [
            "The movers quoted twelve thousand euros, 15,000 with packing.",
            "Sofia will sign the contract with the movers by Monday.",
            "Sofia and Marcus will sign the contract with the movers.",
            "Sofia will sign the contract with the movers by Friday.",
        ],
        MEETING,
        embed,
    )
    assert [v.verdict for v in report.lines] == [
        "unsupported",
        "unsupported",
        "unsupported",
        "grounded",
    ]
    assert report.lines[0].reason == "the recording never says '15,000'"
    assert report.lines[1].reason == "the recording never says 'monday'"
    assert report.lines[2].reason == "the recording never says 'marcus'"
    assert report.lines[3].start == 14.5


def test_a_line_sharing_only_a_few_words_with_the_recording_is_rejected(embed: EmbedFn) -> None:
    # a lenient threshold shows the second rule: close in meaning is not enough without words
    (verdict,) = check_lines(
        ["The contract with the removal firm gets signed soon."], MEETING, embed, threshold=0.3
    ).lines
    assert verdict.verdict == "unsupported" and verdict.score >= 0.3 and verdict.lexical < 0.4
    assert verdict.reason.startswith("too little of it is said in the recording (word overlap")


def test_repeated_lines_are_dropped_after_the_first(embed: EmbedFn) -> None:
    grounder = Grounder(MEETING, embed)
    report = grounder.check(
        [
            "We agreed to move on the weekend of the twentieth of June.",
            "We agreed to move on the weekend of the twentieth of June!",
            "The movers quoted eleven thousand euros for a weekend move.",
        ],
        kept_before=["The movers quoted eleven thousand euros for the weekend move"],
    )
    assert [v.verdict for v in report.lines] == ["grounded", "duplicate", "duplicate"]
    assert report.lines[1].reason == "it repeats kept line 2"
    assert report.grounded_share == pytest.approx(1 / 3)


def test_a_check_without_embeddings_uses_words_alone() -> None:
    report = check_lines(
        [
            "Sofia will sign the contract with the movers by Friday.",
            "The new office has a gym and a sauna on the roof.",
        ],
        MEETING,
        None,
    )
    assert [v.verdict for v in report.lines] == ["grounded", "unsupported"]
    assert report.lines[0].semantic == 0.0 and report.lines[0].score == 1.0
    assert report.threshold == 0.6


def test_an_empty_source_supports_nothing(embed: EmbedFn) -> None:
    report = check_lines(["Anything at all."], [], embed)
    assert report.lines[0].verdict == "unsupported" and report.lines[0].supports == ()
    assert not Grounder([], embed).timed


def test_model_lines_are_cleaned_of_bullets_times_and_emphasis() -> None:
    assert clean_line("* **Budget** approved (00:01:30)") == "Budget approved"
    assert clean_line("1. 예산 승인 [00:01:30 - 00:02:00]") == "예산 승인"
    assert clean_line('- "Quoted line"') == "Quoted line"


def test_korean_words_lose_their_particles_and_share_ngrams() -> None:
    assert words("사파리라는 표현은 여행을") == ["사파리", "표현", "여행"]
    assert features("야생동물들을") == features("야생동물")
    assert {"^de", "dec", "eci"} <= features("decided")
    assert anchors("Mina met Tom on Friday, 3 May.") == {"tom", "friday", "3"}
    assert anchors("금요일까지 5일") == {"금요일", "5"}


def test_languages_of_lines_and_sources() -> None:
    assert line_language("API 서버 배포는 금요일까지") == "ko"
    assert line_language("The release is on Friday and we will ship it") == "en"
    assert line_language("12:30") is None
    assert line_language("Привет мир") == "other"
    assert latin_language("ok") is None
    assert detect_language("안녕하세요 hello") == "ko" and detect_language("hi", "de") == "de"
    mixed = source_languages(
        ["The licence is granted to every person.", "Jedem, der die Software erhält, ist es."],
        "en",
    )
    assert mixed == {"en", "de"}
    assert language_mismatch("Jedem, der die Software und die Dateien erhält", mixed) is None
    assert language_mismatch("Привет мир", frozenset({"en"})) == (
        "it is in another script, but the recording is in English"
    )


def test_who_spoke_counts_as_said(embed: EmbedFn) -> None:
    diarized = [
        Segment(0.0, 4.0, "Who books the room for Friday?", "Mina"),
        Segment(4.5, 9.0, "I will book the room for Friday and send the invitation.", "Anna"),
    ]
    report = check_lines(
        [
            "Anna will book the room for Friday and send the invitation.",
            "The room is booked by Tom.",
        ],
        diarized,
        embed,
    )
    assert [v.verdict for v in report.lines] == ["grounded", "unsupported"]
    assert report.lines[0].start == 4.5
    assert report.lines[1].reason == "the recording never says 'tom'"
