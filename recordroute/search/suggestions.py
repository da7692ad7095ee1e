"""Suggestions for a search that found nothing: words of the archive close to the query's.

The vocabulary is every word of the indexed passages (stems, with their most frequent
spelling).  A query word the archive does not contain is compared with it by spelling;
Hangul is compared letter by letter (jamo), so ``얘산`` is close to ``예산``.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections import Counter
from collections.abc import Sequence

from ..lexicon import is_hangul, stem, words_of
from .words import Term

#: how close (0..1, difflib ratio on jamo) a word must be to count as a spelling of another
CLOSE = 0.75
#: passages read to build the vocabulary (the most recent ones on very large archives)
MAX_PASSAGES = 50_000
_JAMO_INITIAL = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JAMO_MEDIAL = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JAMO_FINAL = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


class Vocabulary:
    """The archive's words: stem -> (most frequent spelling, count)."""

    def __init__(self, counts: Counter[str], spellings: dict[str, Counter[str]]) -> None:
        self.counts = counts
        self.spelling = {key: forms.most_common(1)[0][0] for key, forms in spellings.items()}
        #: every spelling seen (letters split for Hangul) -> the stems it belongs to
        self._by_form: dict[str, set[str]] = {}
        for key, forms in spellings.items():
            for form in forms:
                self._by_form.setdefault(spell_key(form), set()).add(key)

    @classmethod
    def build(cls, conn: sqlite3.Connection) -> Vocabulary:
        counts: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for (text,) in conn.execute(
            "SELECT text FROM passages ORDER BY id DESC LIMIT ?", (MAX_PASSAGES,)
        ):
            for _start, _end, word in words_of(str(text)):
                if word.isdigit():
                    continue
                key = stem(word)
                counts[key] += 1
                spellings.setdefault(key, Counter())[_surface(word, key)] += 1
        return cls(counts, spellings)

    def __contains__(self, key: str) -> bool:
        return key in self.counts

    def close_to(self, term: Term, limit: int = 3) -> list[str]:
        """Spellings of the archive's words closest to ``term``, most frequent first."""
        spelled = spell_key(term.stem if term.hangul else term.word.casefold())
        matches = difflib.get_close_matches(spelled, self._by_form, n=limit, cutoff=CLOSE)
        keys = sorted(
            {key for form in matches for key in self._by_form[form]},
            key=lambda key: (-self.counts[key], key),
        )
        return [self.spelling[key] for key in keys[:limit]]


def suggest(vocabulary: Vocabulary, query: str, terms: Sequence[Term], limit: int = 5) -> list[str]:
    """Queries to try instead.

    First the query with one unknown word replaced by a close spelling from the archive,
    then, when some words are unknown to the archive altogether, the words it does know
    (spelled as it spells them).
    """
    suggestions: list[str] = []
    known: list[str] = []
    unknown = False
    for term in terms:
        if term.stem in vocabulary:
            known.append(term.word)
            continue
        close = vocabulary.close_to(term)
        if close:
            known.append(close[0])
        else:
            unknown = True
        for replacement in close:
            candidate = query.replace(term.word, replacement, 1)
            if candidate != query and candidate not in suggestions:
                suggestions.append(candidate)
    shorter = " ".join(known)
    if unknown and known and shorter not in suggestions:
        suggestions.append(shorter)
    return suggestions[:limit]


def spell_key(word: str) -> str:
    """``word`` with Hangul syllables split into their letters (jamo)."""
    if not any(is_hangul(char) for char in word):
        return word
    out: list[str] = []
    for char in word:
        if is_hangul(char):
            code = ord(char) - 0xAC00
            out.append(_JAMO_INITIAL[code // 588])
            out.append(_JAMO_MEDIAL[(code % 588) // 28])
            final = _JAMO_FINAL[code % 28]
            if final != " ":
                out.append(final)
        else:
            out.append(char)
    return "".join(out)


def _surface(word: str, key: str) -> str:
    """How to show a word: Korean without its particle, other words lower-cased."""
    folded = word.casefold()
    return key if is_hangul(folded) else folded
