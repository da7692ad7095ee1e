"""Hybrid ranking (reciprocal rank fusion) and similar recordings."""

from __future__ import annotations

import numpy as np
import pytest

from recordroute.errors import InvalidInputError, NotFoundError
from recordroute.models import Segment
from recordroute.search import SearchFilters, SearchIndex, TextChunk, chunk_segments
from recordroute.search.ranking import RRF_K, fuse
from tests.search_support import MODEL, HashEmbedder, chunks_for, fill, info_for, unit

TALKS = {
    "rec-0": [
        Segment(0.0, 5.0, "오늘 회의록을 정리하고 예산을 검토합니다."),
        Segment(5.0, 11.0, "The quarterly budget review starts now."),
    ],
    "rec-1": [
        Segment(0.0, 6.0, "Hiring plans for the design team."),
        Segment(6.0, 12.0, "We need two more designers by spring."),
    ],
    "rec-2": [
        Segment(0.0, 7.0, "Budget budget budget: the budget numbers again."),
        Segment(7.0, 14.0, "Quarterly numbers look fine."),
    ],
    "rec-3": [Segment(0.0, 9.0, "Gardening tips: tomatoes need sun and water.")],
}


@pytest.fixture
def embed():
    return HashEmbedder(dim=64)


@pytest.fixture
def index(tmp_path, embed):
    with SearchIndex(tmp_path / "index") as opened:
        for number, (recording_id, segments) in enumerate(TALKS.items()):
            chunks = chunk_segments(segments, max_chars=60, overlap=0)
            vectors = embed([chunk.text for chunk in chunks])
            opened.add_recording(info_for(number), model=MODEL, chunks=chunks, vectors=vectors)
            opened.index_text(recording_id, "transcript", segments)
        yield opened


def test_fuse_sums_reciprocal_ranks():
    fused = dict(fuse([["a", "b", "c"], ["c", "a"]]))
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2))
    assert [item for item, _ in fuse([["x", "y"], ["y", "x"]])] == ["x", "y"]  # tie: first seen


def test_hybrid_fuses_keyword_and_vector_results(index, embed):
    hits = index.hybrid_search("budget review", model=MODEL, embed=embed, k=4)
    assert len(hits) == 4
    assert len({hit.recording_id for hit in hits}) == 4
    top = hits[0]
    assert top.recording_id == "rec-0"  # only passage with both words, and close in vectors
    assert top.keyword_rank == 1 and top.vector_rank is not None
    assert top.snippet == "The quarterly «budget» «review» starts now."
    assert (top.start_s, top.end_s) == (5.0, 11.0)
    assert top.chunk is not None and top.chunk.recording_id == "rec-0"
    assert top.score == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + top.vector_rank))
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    vector_only = [hit for hit in hits if hit.keyword is None]
    assert vector_only, "recordings without the words still come from the vector side"
    for hit in vector_only:
        assert hit.chunk is not None
        assert hit.start_s == hit.chunk.start_s
        plain = hit.snippet.replace("«", "").replace("»", "")
        assert plain == hit.chunk.text[: len(plain)]


def test_hybrid_korean_query_gets_snippet_and_time(index, embed):
    top = index.hybrid_search("회의록", model=MODEL, embed=embed, k=3)[0]
    assert top.recording_id == "rec-0"
    assert top.snippet == "오늘 «회의록»을 정리하고 예산을 검토합니다."
    assert (top.start_s, top.end_s) == (0.0, 5.0)


def test_hybrid_respects_filters_and_deletes(index, embed):
    index.set_deleted("rec-0")
    hits = index.hybrid_search("budget review", model=MODEL, embed=embed, k=4)
    assert "rec-0" not in {hit.recording_id for hit in hits}
    only_text = SearchFilters(kinds=("text",))
    hits = index.hybrid_search("budget", model=MODEL, embed=embed, filters=only_text)
    assert [hit.recording_id for hit in hits] == ["rec-2"]


def test_hybrid_without_vectors_is_keyword_only(tmp_path, embed):
    with SearchIndex(tmp_path) as index:
        index.put_recording(info_for(0))
        index.index_text("rec-0", "summary", "budget talk")
        hits = index.hybrid_search("budget", model=MODEL, embed=embed)
        assert [(hit.recording_id, hit.vector_rank, hit.keyword_rank) for hit in hits] == [
            ("rec-0", None, 1)
        ]
        assert embed.calls == 0
        assert index.hybrid_search(" ", model=MODEL, embed=embed) == []


def test_hybrid_uses_chunk_time_when_keyword_passage_has_none(tmp_path, embed):
    with SearchIndex(tmp_path) as index:
        chunks = [TextChunk("budget numbers", 0, 14, 30.0, 45.0)]
        index.add_recording(
            info_for(0), model=MODEL, chunks=chunks, vectors=embed(["budget numbers"])
        )
        index.index_text("rec-0", "summary", "budget numbers")
        [hit] = index.hybrid_search("budget numbers", model=MODEL, embed=embed)
        assert hit.keyword is not None and hit.keyword.start_s is None
        assert (hit.start_s, hit.end_s) == (30.0, 45.0)


def test_embedding_errors_are_reported(index):
    with pytest.raises(InvalidInputError, match="returned 2 vectors for 1 texts"):
        index.hybrid_search("x", model=MODEL, embed=lambda texts: np.ones((2, 64)))
    with pytest.raises(InvalidInputError, match="have 8 dimensions"):
        index.hybrid_search("x", model=MODEL, embed=lambda texts: np.ones((1, 8)))
    with pytest.raises(InvalidInputError, match="embeddings from model 'test-model' contain NaN"):
        index.hybrid_search("x", model=MODEL, embed=lambda texts: np.full((1, 64), np.nan))


def reference_similarity(source: np.ndarray, other: np.ndarray) -> float:
    sims = np.asarray(source, dtype=np.float64) @ np.asarray(other, dtype=np.float64).T
    return float(sims.max(axis=1).mean())


def test_similar_recordings_match_reference_and_exclude_self_and_deleted(tmp_path):
    with SearchIndex(tmp_path) as index:
        stored = fill(index, 12, dim=16, seed=5, chunks=3)
        rng = np.random.default_rng(2)
        # a near-copy of rec-0 must come first
        twin = unit(stored["rec-0"] + 0.05 * rng.standard_normal((3, 16)))
        index.add_recording(info_for(20), model=MODEL, chunks=chunks_for("rec-20", 3), vectors=twin)
        stored["rec-20"] = twin
        hits = index.similar_recordings("rec-0", model=MODEL, k=20)
        want = sorted(
            (
                (rid, reference_similarity(stored["rec-0"], vec))
                for rid, vec in stored.items()
                if rid != "rec-0"
            ),
            key=lambda item: -item[1],
        )
        assert [hit.recording_id for hit in hits] == [rid for rid, _ in want]
        assert [hit.score for hit in hits] == pytest.approx([s for _, s in want], abs=1e-5)
        assert hits[0].recording_id == "rec-20"
        best = hits[0].best_chunk
        sims = stored["rec-0"] @ twin[best.ordinal]
        assert best.score == pytest.approx(float(sims.max()), abs=1e-5)
        assert best.score == pytest.approx(float((stored["rec-0"] @ twin.T).max()), abs=1e-5)

        index.set_deleted("rec-20")
        ids = [hit.recording_id for hit in index.similar_recordings("rec-0", model=MODEL, k=20)]
        assert "rec-20" not in ids and "rec-0" not in ids
        assert len(ids) == 11
        filtered = index.similar_recordings(
            "rec-0", model=MODEL, k=20, filters=SearchFilters(kinds=("audio",))
        )
        assert {hit.recording_id for hit in filtered} == {"rec-4", "rec-8"}


def test_similar_recordings_with_no_other_recording_is_empty(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 1, dim=4)
        assert index.similar_recordings("rec-0", model=MODEL) == []


def test_similar_recordings_errors(tmp_path):
    with SearchIndex(tmp_path) as index:
        with pytest.raises(NotFoundError, match="'ghost' is not in the search index"):
            index.similar_recordings("ghost", model=MODEL)
        index.put_recording(info_for(0))
        with pytest.raises(NotFoundError) as caught:
            index.similar_recordings("rec-0", model=MODEL)
        assert caught.value.message == (
            "Recording 'rec-0' has no vectors for embedding model 'test-model'."
        )
        fill(index, 2, dim=4)
        index.add_recording(
            info_for(5), model="other", chunks=chunks_for("rec-5", 1), vectors=np.ones(4)
        )
        with pytest.raises(NotFoundError, match="no vectors for embedding model 'test-model'"):
            index.similar_recordings("rec-5", model=MODEL)
