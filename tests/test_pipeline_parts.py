"""Pure parts of the pipeline: formats, keywords, chunking, step planning, sections."""

from __future__ import annotations

import pytest

from recordroute import InvalidInputError, Segment
from recordroute.pipeline import plan_steps
from recordroute.pipeline.chunking import chunk_lines
from recordroute.pipeline.formats import (
    clock,
    segments_from_json,
    segments_from_markdown,
    to_json,
    to_markdown,
    to_srt,
    to_vtt,
)
from recordroute.pipeline.keywords import keyword_counts, tokenize
from recordroute.pipeline.summarize import detect_language, render_sections, split_sections
from recordroute.pipeline.titles import clean_title

SEGMENTS = [
    Segment(0.0, 2.5, "안녕하세요 회의를 시작합니다"),
    Segment(3601.25, 3605.0, "Next item"),
]


def test_markdown_lines_and_round_trip() -> None:
    md = to_markdown(SEGMENTS, title="주간 회의")
    assert md.splitlines()[2:] == [
        "[00:00:00 - 00:00:02] 안녕하세요 회의를 시작합니다",
        "[01:00:01 - 01:00:05] Next item",
    ]
    back = segments_from_markdown(md)
    assert [(s.start, s.text) for s in back] == [(0.0, SEGMENTS[0].text), (3601.0, "Next item")]
    assert clock(100 * 3600 + 61) == "100:01:01"  # hours never wrap


def test_plain_documents_become_paragraph_segments() -> None:
    back = segments_from_markdown("# Title\n\nFirst paragraph.\n\nSecond one.\n")
    assert [s.text for s in back] == ["First paragraph.", "Second one."]


def test_srt_vtt_json() -> None:
    srt = to_srt(SEGMENTS)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,500\n안녕하세요")
    assert "2\n01:00:01,250 --> 01:00:05,000\nNext item" in srt
    vtt = to_vtt(SEGMENTS)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n")
    assert segments_from_json(to_json(SEGMENTS, language="ko")) == SEGMENTS


def test_korean_aware_keywords() -> None:
    words = tokenize("회의록을 작성했습니다. 회의록은 예산과 일정을 다룹니다. 그리고 the budget!")
    assert words.count("회의록") == 2
    assert "예산" in words and "일정" in words and "budget" in words
    assert "그리고" not in words and "the" not in words
    counts = keyword_counts("예산 예산 예산 일정 일정 회의", top=2)
    assert counts == {"예산": 3, "일정": 2}


def test_chunks_fit_the_budget_and_overlap() -> None:
    lines = [f"line {n} " + "word " * 5 for n in range(40)]
    count = lambda text: len(text.split())  # noqa: E731
    chunks = chunk_lines(lines, count, budget=30, overlap=8)
    assert all(sum(count(line) for line in chunk) <= 30 for chunk in chunks)
    assert chunks[1][0] == chunks[0][-1]  # the overlap carries the previous line
    covered = {line for chunk in chunks for line in chunk}
    assert covered == set(lines)
    long_line = "word " * 100
    pieces = chunk_lines([long_line], count, budget=30, overlap=0)
    assert sum(len(c[0].split()) for c in pieces) == 100  # split, never dropped
    with pytest.raises(InvalidInputError, match="budget of 4 tokens is too small"):
        chunk_lines(lines, count, budget=4, overlap=0)


def test_plan_steps_adds_dependencies_and_refuses_unknown() -> None:
    assert plan_steps(["summary"], "audio") == ["ingest", "transcribe", "summarize"]
    assert plan_steps(["stt", "embedding"], "video") == ["ingest", "transcribe", "embed"]
    assert plan_steps(["title"], "pdf") == ["ingest", "summarize", "title"]
    assert plan_steps([], "text") == ["ingest", "summarize", "title", "keywords", "embed"]
    with pytest.raises(InvalidInputError, match="'translate' is not a pipeline step"):
        plan_steps(["translate"], "audio")


def test_sections_are_always_complete_and_in_order() -> None:
    text = (
        "## Topics\n- Budget (00:01:00)\n**Decisions**\n1. Approve plan\n"
        "Action items:\n- Kim sends minutes\nloose line\n"
    )
    sections = split_sections(text, "en")
    assert sections["topics"] == ["Budget (00:01:00)"]
    assert sections["decisions"] == ["Approve plan"]
    assert sections["action_items"] == ["Kim sends minutes", "loose line"]
    md = render_sections(sections, "en")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Topics",
        "## Key points",
        "## Decisions",
        "## Action items",
        "## Risks and issues",
        "## Next steps",
    ]
    assert "- None noted" in md
    ko = render_sections(split_sections("결정 사항:\n- 예산 승인", "ko"), "ko")
    assert "## 결정 사항\n- 예산 승인" in ko and "## 주요 주제\n- 언급 없음" in ko


def test_language_and_title_cleaning() -> None:
    assert detect_language("오늘 회의에서 budget을 논의했다", "en") == "ko"
    assert detect_language("Guten Tag", "de") == "de"
    assert detect_language("Hello there", "") == "en"
    assert clean_title('\n  "Title: 예산 회의"  \nmore') == "예산 회의"
    assert clean_title("  \n ") == ""
