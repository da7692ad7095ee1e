"""Turning ranked rows and passages into result objects (chunks, fused hybrid hits)."""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ..errors import CorruptDataError
from .catalog import ModelRows
from .ranking import fuse
from .results import ChunkHit, KeywordHit, SearchHit, SnippetStyle
from .snippets import make_snippet
from .words import Term

_REINDEX_FIX = "Run `recordroute reindex` to rebuild the search index from the stored chunks."


def chunk_hits(
    conn: sqlite3.Connection,
    rows: ModelRows,
    picks: Sequence[tuple[int, float]],
    id_of: Mapping[int, str],
) -> list[ChunkHit]:
    """The stored chunks behind ``(row, score)`` picks, in the same order."""
    if not picks:
        return []
    wanted = [int(rows.chunk_id[pos]) for pos, _ in picks]
    found: dict[int, tuple[Any, ...]] = {}
    for low in range(0, len(wanted), 500):
        part = wanted[low : low + 500]
        marks = ",".join("?" * len(part))
        for record in conn.execute(
            "SELECT id, artifact_id, ordinal, text, char_start, char_end, start_s, end_s "
            f"FROM chunks WHERE id IN ({marks})",
            part,
        ):
            found[int(record[0])] = tuple(record[1:])
    hits: list[ChunkHit] = []
    for (pos, score), chunk_id in zip(picks, wanted, strict=True):
        if chunk_id not in found:
            raise CorruptDataError(
                f"Row {pos} of the search matrix for model {rows.name!r} has no stored chunk.",
                _REINDEX_FIX,
            )
        artifact_id, ordinal, text, char_start, char_end, start_s, end_s = found[chunk_id]
        hits.append(
            ChunkHit(
                recording_id=id_of[int(rows.rec_key[pos])],
                artifact_id=str(artifact_id),
                ordinal=int(ordinal),
                score=float(score),
                text=str(text),
                char_start=int(char_start),
                char_end=int(char_end),
                start_s=None if start_s is None else float(start_s),
                end_s=None if end_s is None else float(end_s),
            )
        )
    return hits


def fused_hits(
    near: list[ChunkHit],
    words: list[KeywordHit],
    terms: Sequence[Term],
    style: SnippetStyle,
    k: int,
    snippets: bool = True,
) -> list[SearchHit]:
    """Fuse vector and keyword rankings; each hit gets its chunk, snippet and time.

    Without ``snippets`` a hit found by meaning only gets an empty snippet (the caller
    makes the snippets of the hits it keeps).
    """
    by_vector = {hit.recording_id: (rank, hit) for rank, hit in enumerate(near, start=1)}
    by_words = {hit.recording_id: (rank, hit) for rank, hit in enumerate(words, start=1)}
    ranked: list[list[Hashable]] = [
        [hit.recording_id for hit in near],
        [hit.recording_id for hit in words],
    ]
    hits: list[SearchHit] = []
    for recording_id, score in fuse(ranked)[:k]:
        vector_rank, chunk = by_vector.get(str(recording_id), (None, None))
        keyword_rank, match = by_words.get(str(recording_id), (None, None))
        if match is not None:
            snippet, start_s, end_s = match.snippet, match.start_s, match.end_s
            if start_s is None and chunk is not None:
                start_s, end_s = chunk.start_s, chunk.end_s
        else:
            assert chunk is not None
            snippet = make_snippet(chunk.text, terms, style) if snippets else ""
            start_s, end_s = chunk.start_s, chunk.end_s
        hits.append(
            SearchHit(
                recording_id=str(recording_id),
                score=score,
                snippet=snippet,
                start_s=start_s,
                end_s=end_s,
                chunk=chunk,
                keyword=match,
                vector_rank=vector_rank,
                keyword_rank=keyword_rank,
            )
        )
    return hits
