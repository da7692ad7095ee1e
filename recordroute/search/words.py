"""Whole-word matching of query terms in text, Korean particles and English suffixes allowed.

A term matches a word of the text when both reduce to the same stem
(:func:`recordroute.lexicon.stem`): ``예산`` matches ``예산은`` and ``예산에서는`` but not
``예산안``; ``American`` matches ``Americans`` but ``can`` never matches inside it.
For a Korean word only the stem is marked (``«예산»은``); other words are marked whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..lexicon import content_words, is_hangul, is_particle, stem, words_of


@dataclasses.dataclass(frozen=True)
class Term:
    """One content word of a query, with the stem it matches by."""

    word: str
    stem: str

    @property
    def hangul(self) -> bool:
        return is_hangul(self.stem)


@dataclasses.dataclass(frozen=True)
class Match:
    """Where a term occurs: the span to mark and which term (index into the query terms)."""

    start: int
    end: int
    term: int


def query_terms(query: str) -> list[Term]:
    """The distinct content words of ``query`` (stop words and bare numbers left out).

    A query made only of stop words keeps its words, so that it can still match.
    """
    words = content_words(query) or [word for _s, _e, word in words_of(query)]
    terms: list[Term] = []
    seen: set[str] = set()
    for word in words:
        key = stem(word)
        if key and key not in seen:
            seen.add(key)
            terms.append(Term(word, key))
    return terms


def match_word(term: Term, word: str) -> int:
    """Length of the part of ``word`` to mark when it matches ``term``, else 0."""
    folded = word.casefold()
    if term.hangul:
        if folded.startswith(term.stem) and (
            len(folded) == len(term.stem) or is_particle(folded[len(term.stem) :])
        ):
            return len(term.stem)
        return 0
    return len(word) if stem(word) == term.stem else 0


def find_matches(text: str, terms: Sequence[Term]) -> list[Match]:
    """Every whole-word occurrence of any term in ``text``, in text order."""
    if not terms:
        return []
    found: list[Match] = []
    for start, _end, word in words_of(text):
        for index, term in enumerate(terms):
            length = match_word(term, word)
            if length:
                found.append(Match(start, start + length, index))
                break
    return found


def matched_terms(text: str, terms: Sequence[Term]) -> frozenset[int]:
    """The indices of the terms that occur in ``text`` as whole words."""
    return frozenset(match.term for match in find_matches(text, terms))
