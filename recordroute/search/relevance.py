"""The relevance bar: which fused hits are shown, from meaning and whole-word evidence.

Each candidate recording gets two pieces of evidence:

* **meaning**: its best chunk's cosine with the query on the model's calibrated scale
  (:class:`~recordroute.search.calibration.Calibration`: 0 is what an unrelated pair
  typically scores with this model, 1 what a related pair scores; a query and a passage
  in different languages use the model's cross-language scale);
* **coverage**: the share of the query's content words found in its text as whole words
  (Korean particles and English suffixes allowed; ``can`` inside ``Americans`` does not
  count), each word weighted by its rarity in the archive.

A hit clears the bar when its meaning alone is strong, when every query word occurs in
it, when a good share of the (rarity-weighted) words occur and the meaning does not
contradict them, or when both kinds of evidence agree at a lower level.  Of the hits
that clear it, those far weaker than the best one are dropped too.  Hits below the bar
are kept as "weaker matches", in the same fused (RRF) order.

The levels were chosen on the evaluation set (``benchmarks/search_quality.py``) and are
the same for every model: the calibration puts each model's scores on a common scale.
"""

from __future__ import annotations

import dataclasses
import math
import sqlite3
from collections.abc import Iterable, Sequence

from ..lexicon import words_of
from .calibration import Calibration
from .keyword import escape_like
from .results import Evidence
from .words import Term, match_word

#: meaning alone clears the bar at this level (a typical related pair scores 1.0)
MEANING_ALONE = 0.55
#: this share of the query's (rarity-weighted) words clears the bar ...
WORDS_ALONE = 0.3
#: ... unless the meaning is below this (it contradicts the words)
MEANING_FLOOR = -0.1
#: meaning plus coverage at least this clears the bar when some words were found
AGREEMENT = 0.7
#: hits whose meaning + coverage is this far below the best hit's are only weaker matches
BEHIND_BEST = 0.6


def clears_bar(meaning: float, coverage: float) -> bool:
    """Whether a hit with this evidence clears the bar (before :data:`BEHIND_BEST`)."""
    if meaning >= MEANING_ALONE or coverage >= 1.0:
        return True
    if coverage >= WORDS_ALONE and meaning >= MEANING_FLOOR:
        return True
    return coverage > 0.0 and meaning + coverage >= AGREEMENT


def behind_best(evidence: Sequence[Evidence]) -> list[Evidence]:
    """``evidence`` with the hits far weaker than the best shown one marked not relevant."""
    strengths = [e.meaning + e.coverage for e in evidence if e.relevant]
    if not strengths:
        return list(evidence)
    floor = max(strengths) - BEHIND_BEST
    return [
        dataclasses.replace(e, relevant=False)
        if e.relevant and e.meaning + e.coverage < floor
        else e
        for e in evidence
    ]


def judge(
    similarity: float | None,
    languages: tuple[bool, bool],
    calibration: Calibration,
    found: frozenset[int],
    weights: Sequence[float],
) -> Evidence:
    """The evidence of one hit and whether it clears the bar.

    ``languages`` says whether the query and the passage are Korean; ``weights`` holds
    one rarity weight per query term (:func:`term_weights`).  Where the model cannot
    relate the two languages (or the hit has no vectors) its meaning counts as 0.
    """
    scaled = calibration.meaning(similarity, *languages) if similarity is not None else None
    meaning = 0.0 if scaled is None else scaled
    total = sum(weights)
    coverage = sum(weights[i] for i in found) / total if total else 0.0
    return Evidence(
        similarity, meaning, len(found), len(weights), coverage, clears_bar(meaning, coverage)
    )


def term_weights(conn: sqlite3.Connection, terms: Sequence[Term], recordings: int) -> list[float]:
    """A weight per term: ``log(1 + N / (1 + df))``, df = recordings whose text contains it.

    The count is by substring (it may count a word inside a longer one), which only lowers
    a term's weight.  A term the archive does not contain weighs the most.
    """
    weights: list[float] = []
    for term in terms:
        (count,) = conn.execute(
            "SELECT COUNT(DISTINCT rec_key) FROM passages WHERE text LIKE ? ESCAPE '\\'",
            (f"%{escape_like(_probe(term))}%",),
        ).fetchone()
        weights.append(math.log(1.0 + recordings / (1.0 + int(count))))
    return weights


@dataclasses.dataclass(frozen=True)
class WordsFound:
    """Which query terms a recording contains, and its passage holding the most of them."""

    terms: frozenset[int] = frozenset()
    passage: int = -1
    text: str = ""
    field: str = ""
    start_s: float | None = None
    end_s: float | None = None


def words_found(
    conn: sqlite3.Connection, rec_keys: Iterable[int], terms: Sequence[Term]
) -> dict[int, WordsFound]:
    """For each recording key, the query terms found in its passages as whole words."""
    keys = sorted(set(rec_keys))
    if not keys or not terms:
        return {}
    likes = " OR ".join(["text LIKE ? ESCAPE '\\'"] * len(terms))
    args = [f"%{escape_like(_probe(term))}%" for term in terms]
    best: dict[int, tuple[tuple[int, int], WordsFound]] = {}
    everything: dict[int, set[int]] = {}
    for low in range(0, len(keys), 500):
        part = keys[low : low + 500]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            "SELECT id, rec_key, field, ordinal, text, start_s, end_s FROM passages "
            f"WHERE rec_key IN ({marks}) AND ({likes}) ORDER BY id",
            [*part, *args],
        ).fetchall()
        for passage_id, rec_key, field, ordinal, text, start_s, end_s in rows:
            found = _terms_in(str(text), terms)
            if not found:
                continue
            everything.setdefault(int(rec_key), set()).update(found)
            rank = (len(found), -int(passage_id))
            if int(rec_key) not in best or rank > best[int(rec_key)][0]:
                best[int(rec_key)] = (
                    rank,
                    WordsFound(
                        frozenset(found),
                        int(ordinal),
                        str(text),
                        str(field),
                        None if start_s is None else float(start_s),
                        None if end_s is None else float(end_s),
                    ),
                )
    return {
        key: dataclasses.replace(found, terms=frozenset(everything[key]))
        for key, (_rank, found) in best.items()
    }


def _probe(term: Term) -> str:
    """A substring every matching word contains (stems may differ from the spelled word)."""
    if term.hangul or len(term.stem) < 4:
        return term.stem
    return term.stem[:-1]


def _terms_in(text: str, terms: Sequence[Term]) -> set[int]:
    found: set[int] = set()
    for _start, _end, word in words_of(text):
        for index, term in enumerate(terms):
            if index not in found and match_word(term, word):
                found.add(index)
    return found
