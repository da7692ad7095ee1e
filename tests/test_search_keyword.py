"""Keyword search: FTS5 trigram (Korean), short-query fallback, snippets and timestamps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recordroute.errors import InvalidInputError, NotFoundError
from recordroute.models import Segment
from recordroute.search import SearchFilters, SearchIndex, SnippetStyle, TextChunk
from tests.search_support import BASE_DATE, info_for

MEETING = [
    Segment(0.0, 4.2, "안녕하세요, 오늘 회의를 시작하겠습니다."),
    Segment(4.2, 9.8, "지난주 회의록을 먼저 검토하고 예산 문제를 논의합시다."),
    Segment(9.8, 15.0, "다음 회의는 금요일 오후 세 시입니다."),
]


@pytest.fixture
def index(tmp_path):
    with SearchIndex(tmp_path / "index") as opened:
        for number in range(4):
            opened.put_recording(info_for(number))
        opened.index_text("rec-0", "transcript", MEETING)
        opened.index_text("rec-1", "transcript", "Budget review for Q3. The budget is tight.")
        opened.index_text("rec-1", "summary", "Short summary: budget, hiring, and AI plans.")
        opened.index_text(
            "rec-2",
            "transcript",
            [
                TextChunk("We talk about AI safety here.", 0, 29, 12.5, 20.0),
                TextChunk("Budget comes up once.", 30, 51, 20.0, 25.0),
            ],
        )
        opened.index_text("rec-3", "transcript", "100% sure that my_var and a_b matter")
        yield opened


def test_korean_word_inside_a_sentence_with_snippet_and_time(index):
    [hit] = index.keyword_search("회의록")
    assert hit.recording_id == "rec-0"
    assert hit.field == "transcript"
    assert hit.snippet == "지난주 «회의록»을 먼저 검토하고 예산 문제를 논의합시다."
    assert (hit.start_s, hit.end_s) == (4.2, 9.8)
    assert hit.matches == 1


def test_every_word_must_match_and_matches_are_counted(index):
    [hit] = index.keyword_search("다음 회의는")
    assert (hit.recording_id, hit.start_s) == ("rec-0", 9.8)
    [hit] = index.keyword_search("회의")
    assert hit.matches == 3  # all three segments contain it
    assert index.keyword_search("회의록 금요일") == []


def test_ranking_prefers_more_matches_and_is_case_insensitive(index):
    hits = index.keyword_search("BUDGET")
    assert [h.recording_id for h in hits] == ["rec-1", "rec-2"]
    assert hits[0].snippet.startswith("«Budget» review for Q3. The «budget» is tight.")
    assert hits[0].score > hits[1].score
    assert (hits[1].start_s, hits[1].end_s) == (20.0, 25.0)
    assert hits[0].start_s is None  # plain text has no times


def test_short_queries_fall_back_to_like(index):
    hits = {h.recording_id: h for h in index.keyword_search("AI")}
    assert set(hits) == {"rec-1", "rec-2"}
    assert hits["rec-2"].snippet == "We talk about «AI» safety here."
    assert hits["rec-2"].start_s == 12.5
    assert hits["rec-1"].field == "summary"
    # more occurrences rank first
    assert [h.recording_id for h in index.keyword_search("ge")] == ["rec-1", "rec-2"]
    assert [h.recording_id for h in index.keyword_search("예산")] == ["rec-0"]
    assert [h.recording_id for h in index.keyword_search("세")] == ["rec-0"]


def test_short_and_long_words_combine(index):
    assert [h.recording_id for h in index.keyword_search("AI plans")] == ["rec-1"]
    # all words must occur in the same passage: rec-2 has them in two different ones
    assert [h.recording_id for h in index.keyword_search("budget AI")] == ["rec-1"]
    assert index.keyword_search("budget 세") == []


def test_like_wildcards_are_literal(index):
    assert [h.recording_id for h in index.keyword_search("0%")] == ["rec-3"]
    assert [h.recording_id for h in index.keyword_search("a_")] == ["rec-3"]
    assert index.keyword_search("q%") == []  # as a wildcard it would match "Q3"
    assert [h.recording_id for h in index.keyword_search("%")] == ["rec-3"]
    assert [h.recording_id for h in index.keyword_search("my_var")] == ["rec-3"]
    assert index.keyword_search('"quoted"') == []


def test_blank_query_returns_nothing(index):
    assert index.keyword_search("   ") == []


def test_snippet_markers_are_configurable_and_html_is_escaped(tmp_path):
    with SearchIndex(tmp_path) as index:
        index.put_recording(info_for(0))
        index.index_text("rec-0", "transcript", "<b>x</b> then the secret plan & more")
        [hit] = index.keyword_search("secret", style=SnippetStyle.html())
        assert hit.snippet == "&lt;b&gt;x&lt;/b&gt; then the <mark>secret</mark> plan &amp; more"
        [hit] = index.keyword_search("secret", style=SnippetStyle("[", "]"))
        assert hit.snippet == "<b>x</b> then the [secret] plan & more"


def test_long_passages_get_a_window_around_the_match(tmp_path):
    text = "lorem ipsum " * 40 + "needle here " + "dolor sit " * 40
    with SearchIndex(tmp_path) as index:
        index.put_recording(info_for(0))
        index.index_text("rec-0", "transcript", [Segment(60.0, 90.0, text)])
        [hit] = index.keyword_search("needle", style=SnippetStyle(width=60))
        assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
        assert "«needle»" in hit.snippet
        assert len(hit.snippet) <= 60 + 2 + 4


def test_filters_and_deleted_apply_to_keyword_search(index):
    assert [h.recording_id for h in index.keyword_search("budget")] == ["rec-1", "rec-2"]
    index.set_deleted("rec-1")
    assert [h.recording_id for h in index.keyword_search("budget")] == ["rec-2"]
    with_deleted = SearchFilters(include_deleted=True)
    assert len(index.keyword_search("budget", filters=with_deleted)) == 2
    late = SearchFilters(start=BASE_DATE + timedelta(days=3))
    assert index.keyword_search("budget", filters=late) == []
    assert index.keyword_search("budget", filters=SearchFilters(kinds=("text",))) == [
        index.keyword_search("budget")[0]
    ]


def test_reindexing_a_field_replaces_its_text(index):
    index.index_text("rec-1", "transcript", "Nothing relevant now.")
    hits = {h.recording_id: h for h in index.keyword_search("budget")}
    assert set(hits) == {"rec-1", "rec-2"}
    assert hits["rec-1"].field == "summary"  # the transcript no longer matches
    index.index_text("rec-1", "summary", [])
    assert [h.recording_id for h in index.keyword_search("budget")] == ["rec-2"]


def test_index_text_errors(index):
    with pytest.raises(NotFoundError, match="'missing' is not in the search index"):
        index.index_text("missing", "transcript", "text")
    with pytest.raises(InvalidInputError, match="Keyword field name is empty"):
        index.index_text("rec-0", " ", "text")


def test_k_limits_recordings(index):
    assert len(index.keyword_search("e", k=2)) == 2
