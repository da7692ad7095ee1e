"""Whole-word matching and highlighting: Korean particles, English suffixes, never in a word."""

from __future__ import annotations

import pytest

from recordroute.lexicon import english_stem, is_particle, stem, strip_particle
from recordroute.search import SnippetStyle
from recordroute.search.relevance import BEHIND_BEST, behind_best, clears_bar
from recordroute.search.results import Evidence
from recordroute.search.snippets import make_snippet
from recordroute.search.suggestions import spell_key
from recordroute.search.words import find_matches, matched_terms, query_terms

JFK = "And so my fellow Americans, ask not what your country can do for you."


def snippet(text: str, query: str, width: int = 200) -> str:
    return make_snippet(text, query_terms(query), SnippetStyle(width=width))


def test_english_never_marks_inside_a_word():
    assert (
        snippet(JFK, "can")
        == "And so my fellow Americans, ask not what your country «can» do for you."
    )
    assert "Ameri«can»s" not in snippet(JFK, "can")
    assert snippet(JFK, "American") == (
        "And so my fellow «Americans», ask not what your country can do for you."
    )
    assert snippet("The countries agreed.", "country") == "The «countries» agreed."
    assert snippet("Running and runs, not a rerun.", "run") == "«Running» and «runs», not a rerun."


def test_korean_particles_mark_the_stem_only():
    text = "예산은 줄었고 예산안은 보류, 예산에서는 출장비를, 국가예산도 봤다"
    assert snippet(text, "예산") == (
        "«예산»은 줄었고 예산안은 보류, «예산»에서는 출장비를, 국가예산도 봤다"
    )
    # a query word with a particle matches the same words
    assert snippet(text, "예산은") == snippet(text, "예산")
    assert snippet("다음 주에 예약해 주세요", "예약") == "다음 주에 «예약»해 주세요"


def test_matches_and_terms():
    terms = query_terms("the budget for 예산을 and 2024")
    assert [t.stem for t in terms] == ["budget", "예산"]  # stop words and numbers left out
    assert [t.stem for t in query_terms("the and")] == ["the", "and"]  # only stop words: kept
    found = find_matches("Budgets: 예산이 늘었다. budget", terms)
    assert [(m.start, m.end, m.term) for m in found] == [(0, 7, 0), (9, 11, 1), (18, 24, 0)]
    assert matched_terms("예산안", terms) == frozenset()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("예산은", "예산"),
        ("예산에서는", "예산"),
        ("책을", "책을"),
        ("회의록을", "회의록"),
        ("사람", "사람"),
    ],
)
def test_strip_particle(word, expected):
    assert strip_particle(word) == expected


def test_stems():
    assert english_stem("stories") == "story"
    assert english_stem("boxes") == "box"
    assert english_stem("baking") == english_stem("bake") == english_stem("baked")
    assert english_stem("planned") == english_stem("plan")
    assert english_stem("kennedy's") == english_stem("kennedy")
    assert stem("Übung") == "übung"
    assert is_particle("에서는") and is_particle("했습니다") and not is_particle("안은")


def test_long_snippets_centre_on_the_densest_matches():
    text = "filler words here " * 20 + "the drain pump filter was blocked " + "more filler " * 20
    made = snippet(text, "drain pump filter", width=60)
    assert made.startswith("…") and made.endswith("…")
    assert "«drain» «pump» «filter»" in made
    assert len(made) <= 60 + 2 + 3 * 4


def test_html_snippets_escape_text_around_the_marks():
    made = make_snippet("<b>예산</b>은 & 예산", query_terms("예산"), SnippetStyle.html())
    assert made == "&lt;b&gt;<mark>예산</mark>&lt;/b&gt;은 &amp; <mark>예산</mark>"


def test_the_bar_combines_meaning_and_words():
    assert clears_bar(0.6, 0.0)  # meaning alone
    assert clears_bar(-0.5, 1.0)  # every word present
    assert clears_bar(0.0, 0.4) and not clears_bar(-0.2, 0.4)  # words, not contradicted
    assert clears_bar(0.5, 0.25) and not clears_bar(0.5, 0.0)  # both agree
    assert not clears_bar(0.2, 0.2)


def test_hits_far_behind_the_best_become_weaker():
    strong = Evidence(0.5, 1.4, 2, 2, 1.0, True)
    close = Evidence(0.4, 1.3, 1, 2, 0.5, True)
    far = Evidence(0.2, 0.6, 0, 2, 0.0, True)
    assert (strong.meaning + strong.coverage) - (far.meaning + far.coverage) > BEHIND_BEST
    assert [e.relevant for e in behind_best([strong, close, far])] == [True, True, False]
    assert behind_best([]) == []


def test_jamo_spelling_keys():
    assert spell_key("예산") == "ㅇㅖㅅㅏㄴ"
    assert spell_key("budget") == "budget"
