"""A search that judges its hits: the relevance bar over the fused (RRF) order.

:func:`judge_hits` takes the vector and keyword candidates of a query, fuses them,
gathers whole-word evidence for every candidate, and splits them into hits that clear
the bar and weaker ones (both in fused order), each with a snippet centred on its best
passage and that passage's time.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Sequence

import numpy as np

from ..lexicon import hangul_share
from .calibration import Calibration
from .catalog import ModelRows, Recordings
from .hits import fused_hits
from .matrix import Float32Array
from .relevance import WordsFound, behind_best, judge, term_weights, words_found
from .results import ChunkHit, KeywordHit, SearchHit, SearchOutcome, SnippetStyle
from .snippets import make_snippet
from .suggestions import Vocabulary, suggest
from .words import Term, query_terms


@dataclasses.dataclass(frozen=True)
class Candidates:
    """What one query found before judging."""

    near: list[ChunkHit]
    words: list[KeywordHit]
    rows: ModelRows | None
    query_vector: Float32Array | None


def judge_hits(
    conn: sqlite3.Connection,
    query: str,
    model: str,
    found: Candidates,
    recordings: Recordings,
    calibration: Calibration,
    style: SnippetStyle,
    k: int,
    vocabulary: Callable[[], Vocabulary],
) -> SearchOutcome:
    """Fuse, judge and split the candidates; suggestions when nothing clears the bar."""
    terms = query_terms(query)
    fused = fused_hits(
        found.near, found.words, terms, style, len(found.near) + len(found.words), snippets=False
    )
    keys = {hit.recording_id: recordings.key_of[hit.recording_id] for hit in fused}
    present = words_found(conn, keys.values(), terms)
    weights = term_weights(conn, terms, int(recordings.exists.sum()))
    korean_query = hangul_share(query) >= 0.5
    judged: list[SearchHit] = []
    for hit in fused:
        key = keys[hit.recording_id]
        similarity = hit.chunk.score if hit.chunk is not None else _similarity(found, key)
        words = present.get(key, WordsFound())
        text = hit.chunk.text if hit.chunk is not None else words.text
        korean_text = hangul_share(text[:300]) >= 0.5 if text else korean_query
        verdict = judge(similarity, (korean_query, korean_text), calibration, words.terms, weights)
        judged.append(dataclasses.replace(hit, evidence=verdict))
    verdicts = behind_best([hit.evidence for hit in judged if hit.evidence is not None])
    judged = [dataclasses.replace(hit, evidence=v) for hit, v in zip(judged, verdicts, strict=True)]
    shown = [hit for hit in judged if hit.relevant][:k]
    weaker = [hit for hit in judged if not hit.relevant][:k]
    shown = [_centred(hit, present.get(keys[hit.recording_id]), terms, style) for hit in shown]
    weaker = [_centred(hit, present.get(keys[hit.recording_id]), terms, style) for hit in weaker]
    suggestions = () if shown else tuple(suggest(vocabulary(), query, terms))
    return SearchOutcome(query, model, tuple(shown), tuple(weaker), suggestions)


def _similarity(found: Candidates, rec_key: int) -> float | None:
    """Best cosine of a recording's chunks with the query (for keyword-only candidates)."""
    if found.rows is None or found.query_vector is None:
        return None
    own = np.flatnonzero((found.rows.rec_key == rec_key) & found.rows.alive)
    if own.size == 0:
        return None
    return float((np.asarray(found.rows.rows()[own]) @ found.query_vector).max())


def _centred(
    hit: SearchHit, words: WordsFound | None, terms: Sequence[Term], style: SnippetStyle
) -> SearchHit:
    """The hit with its snippet and time taken from the passage holding most query words."""
    if words is not None and words.terms:
        start_s, end_s = words.start_s, words.end_s
        if start_s is None and hit.chunk is not None:
            start_s, end_s = hit.chunk.start_s, hit.chunk.end_s
        snippet = make_snippet(words.text, terms, style)
        return dataclasses.replace(hit, snippet=snippet, start_s=start_s, end_s=end_s)
    if hit.chunk is not None:
        snippet = make_snippet(hit.chunk.text, terms, style)
        return dataclasses.replace(
            hit, snippet=snippet, start_s=hit.chunk.start_s, end_s=hit.chunk.end_s
        )
    return hit
