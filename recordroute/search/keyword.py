"""Keyword search over transcript and summary passages (SQLite FTS5, trigram tokenizer).

The trigram tokenizer matches any substring of three or more characters, so it
works for Korean and other languages without word boundaries.  Query words shorter
than three characters cannot use the trigram index; they are matched with ``LIKE``
(a scan of the passages), alone or on top of the index match of the longer words.
A passage matches when it contains every word of the query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..models import Segment
from .catalog import BoolArray, Recordings
from .chunking import chunk_text
from .results import KeywordHit, SnippetStyle, TextChunk
from .snippets import make_snippet
from .words import query_terms

_TRIGRAM = 3


def passages_of(
    content: str | Sequence[Segment] | Sequence[TextChunk],
) -> list[tuple[str, float | None, float | None]]:
    """``(text, start_s, end_s)`` per passage: one per segment or chunk; plain text is chunked."""
    if isinstance(content, str):
        return [(chunk.text, None, None) for chunk in chunk_text(content, max_chars=600, overlap=0)]
    out: list[tuple[str, float | None, float | None]] = []
    for item in content:
        if isinstance(item, Segment):
            out.append((item.text, float(item.start), float(item.end)))
        else:
            out.append((item.text, item.start_s, item.end_s))
    return [passage for passage in out if passage[0].strip()]


def replace_passages(
    conn: sqlite3.Connection,
    rec_key: int,
    field: str,
    passages: Sequence[tuple[str, float | None, float | None]],
) -> None:
    conn.execute("DELETE FROM passages WHERE rec_key = ? AND field = ?", (rec_key, field))
    conn.executemany(
        "INSERT INTO passages (rec_key, field, ordinal, text, start_s, end_s) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(rec_key, field, i, text, start, end) for i, (text, start, end) in enumerate(passages)],
    )


def search(
    conn: sqlite3.Connection,
    query: str,
    recordings: Recordings,
    allowed: BoolArray,
    k: int,
    style: SnippetStyle,
) -> list[KeywordHit]:
    """At most one hit (the best passage) for each of the ``k`` best recordings."""
    terms = query.split()
    if not terms:
        return []
    matches = _matches(conn, terms)
    best: dict[int, tuple[int, float]] = {}
    counts: dict[int, int] = {}
    for passage_id, rec_key, score in matches:
        if rec_key >= allowed.shape[0] or not allowed[rec_key]:
            continue
        counts[rec_key] = counts.get(rec_key, 0) + 1
        if rec_key not in best:
            best[rec_key] = (passage_id, score)
    ranked = sorted(best.items(), key=lambda item: -item[1][1])[:k]
    words = query_terms(query)
    hits: list[KeywordHit] = []
    for rec_key, (passage_id, score) in ranked:
        field, text, start_s, end_s = conn.execute(
            "SELECT field, text, start_s, end_s FROM passages WHERE id = ?", (passage_id,)
        ).fetchone()
        hits.append(
            KeywordHit(
                recording_id=recordings.id_of[rec_key],
                field=field,
                snippet=make_snippet(text, words, style),
                start_s=start_s,
                end_s=end_s,
                matches=counts[rec_key],
                score=score,
            )
        )
    return hits


def _matches(conn: sqlite3.Connection, terms: list[str]) -> list[tuple[int, int, float]]:
    """``(passage id, recording key, score)`` of every matching passage, best first."""
    long_terms = [term for term in terms if len(term) >= _TRIGRAM]
    short_terms = [term for term in terms if len(term) < _TRIGRAM]
    likes = " AND ".join(["p.text LIKE ? ESCAPE '\\'"] * len(short_terms))
    like_args = [f"%{escape_like(term)}%" for term in short_terms]
    if long_terms:
        expression = " AND ".join('"' + term.replace('"', '""') + '"' for term in long_terms)
        sql = (
            "SELECT p.id, p.rec_key, -f.rank FROM "
            "(SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ?) AS f "
            "JOIN passages AS p ON p.id = f.rowid"
            + (f" WHERE {likes}" if likes else "")
            + " ORDER BY f.rank, p.id"
        )
        rows = conn.execute(sql, [expression, *like_args]).fetchall()
        return [(int(a), int(b), float(c)) for a, b, c in rows]
    rows = conn.execute(
        f"SELECT p.id, p.rec_key, p.text FROM passages AS p WHERE {likes} ORDER BY p.id",
        like_args,
    ).fetchall()
    folded = [term.casefold() for term in short_terms]
    scored = [
        (int(pid), int(key), float(sum(text.casefold().count(term) for term in folded)))
        for pid, key, text in rows
    ]
    scored.sort(key=lambda item: (-item[2], item[0]))
    return scored


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
