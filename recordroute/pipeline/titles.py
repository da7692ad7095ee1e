"""Titles from grounded candidates, in the recording's language; never generic, never empty.

Candidates come from the recording itself: its key sentences (whole when short, else
their most informative clause), then its keyphrases. A model's title (when a capable
model is used) is one more candidate, tried first. Each candidate passes the grounding
check; the first that passes and is not a generic phrase becomes the title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..grounding import EmbedFn, Grounder
from ..grounding.text import content_words, normalize
from .cues import PROCEDURE

MAX_CHARS = 72
_CLAUSE = re.compile(r"\s*[,;:，、]\s*|\s+[-–—]\s+")
GENERIC_WORDS = frozenset(
    """
    meeting meetings summary summaries recording recordings discussion discussions notes note
    lecture lectures interview interviews transcript transcripts audio title untitled overview
    minutes update updates session call agenda report topic topics general various misc
    회의 회의록 요약 녹음 강의 인터뷰 논의 내용 제목 기록 개요 토론 주제 정리 발표 대화 미팅
    """.split()
)


def is_generic(title: str) -> bool:
    """True when no word of the title is more than a generic label ("Meeting summary")."""
    words = content_words(title)
    return not words or all(w in GENERIC_WORDS for w in words)


def _shorten(sentence: str, embed: EmbedFn | None) -> str:
    """The sentence when short enough, else the clause closest in meaning to all of it."""
    text = " ".join(sentence.split()).rstrip(".!?。…")
    if len(text) <= MAX_CHARS:
        return text
    clauses = [c.strip() for c in _CLAUSE.split(text) if c and len(c.strip()) <= MAX_CHARS]
    clauses = [c for c in clauses if len(content_words(c)) >= 2]
    if len(clauses) <= 1 or embed is None:
        return clauses[0] if clauses else ""
    rows = embed([text, *clauses])
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    return clauses[int(np.argmax(rows[1:] @ rows[0]))]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def candidates(
    key_sentences: Sequence[str], phrases: Sequence[str], embed: EmbedFn | None = None
) -> list[str]:
    """Title candidates, best first: shortened key sentences, then keyphrases."""
    out: list[str] = []
    for sentence in key_sentences:
        if sentence.rstrip().endswith(("?", "？")) or PROCEDURE.search(sentence):
            continue  # a question or a greeting does not name what was said
        short = _capitalise(_shorten(sentence, embed))
        if short and short not in out:
            out.append(short)
    if phrases:
        out.append(_capitalise(" · ".join(phrases[:3])))
    return out


def clean_title(raw: str) -> str:
    """The first line of a model's answer, without quotes, emphasis or a "Title:" prefix."""
    for line in raw.splitlines():
        text = line.strip().strip("#*\"'“”‘’`").strip()
        for prefix in ("Title:", "제목:", "title:"):
            text = text.removeprefix(prefix).strip()
        if text:
            return text[:120]
    return ""


def choose_title(
    candidates: Sequence[str], grounder: Grounder, instructions: Sequence[str] = ()
) -> tuple[str, float | None]:
    """The first candidate that is grounded and not generic, with the time it came from.

    Returns ``("", None)`` when none qualifies; callers then have no title to give.
    """
    seen: set[str] = set()
    for candidate in candidates:
        key = normalize(candidate)
        if not key or key in seen or is_generic(candidate):
            continue
        seen.add(key)
        (verdict,) = grounder.check([candidate], instructions=instructions).lines
        if verdict.kept:
            return verdict.text, verdict.start
    return "", None
