"""Vector search: exact ranking against brute force, filters, deletes, batches, int8 mode."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordroute.errors import InvalidInputError, NotFoundError
from recordroute.search import RecordingInfo, RecordingVectors, SearchFilters, SearchIndex
from tests.search_support import (
    BASE_DATE,
    MODEL,
    assert_same_ranking,
    chunks_for,
    fill,
    info_for,
    reference_chunks,
    unit,
)


@pytest.fixture
def index(tmp_path):
    with SearchIndex(tmp_path / "index") as opened:
        yield opened


def as_triples(hits):
    return [(h.recording_id, h.ordinal, h.score) for h in hits]


def test_top_k_equals_brute_force_on_seeded_data(index):
    stored = fill(index, 60, dim=32, seed=7, chunks=5)
    rng = np.random.default_rng(11)
    for _ in range(10):
        query = rng.standard_normal(32)
        hits = index.vector_search(query, model=MODEL, k=15, per_recording=False)
        assert_same_ranking(as_triples(hits), reference_chunks(stored, query)[:15])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recordings=st.integers(1, 12),
    chunks=st.integers(1, 6),
    dim=st.integers(2, 24),
    k=st.integers(1, 40),
    seed=st.integers(0, 2**16),
)
def test_ranking_matches_reference_for_any_shape(recordings, chunks, dim, k, seed):
    with tempfile.TemporaryDirectory() as folder, SearchIndex(folder) as index:
        stored = fill(index, recordings, dim=dim, seed=seed, chunks=chunks)
        query = np.random.default_rng(seed + 1).standard_normal(dim) + 0.01
        hits = index.vector_search(query, model=MODEL, k=k, per_recording=False)
        assert_same_ranking(as_triples(hits), reference_chunks(stored, query)[:k])
        grouped = index.vector_search(query, model=MODEL, k=k)
        best: dict[str, tuple[str, int, float]] = {}
        for item in reference_chunks(stored, query):
            best.setdefault(item[0], item)
        assert_same_ranking(as_triples(grouped), list(best.values())[:k])


def test_per_recording_hits_carry_best_chunk_and_times(index):
    rng = np.random.default_rng(3)
    vectors = unit(rng.standard_normal((3, 8)))
    info = RecordingInfo("talk", BASE_DATE, "audio")
    index.add_recording(
        info, model=MODEL, chunks=chunks_for("talk", 3), vectors=vectors, artifact_id="tr-1"
    )
    [hit] = index.vector_search(vectors[2], model=MODEL, k=5)
    assert (hit.recording_id, hit.ordinal, hit.artifact_id) == ("talk", 2, "tr-1")
    assert (hit.start_s, hit.end_s, hit.char_start, hit.char_end) == (60.0, 90.0, 40, 55)
    assert hit.text == "talk chunk 2"
    assert hit.score == pytest.approx(1.0, abs=1e-6)


def test_batch_search_equals_single_queries(index):
    fill(index, 30, dim=16, seed=2)
    queries = np.random.default_rng(5).standard_normal((70, 16))
    batch = index.vector_search_batch(queries, model=MODEL, k=7, per_recording=False)
    for query, hits in zip(queries, batch, strict=True):
        single = index.vector_search(query, model=MODEL, k=7, per_recording=False)
        assert [(h.recording_id, h.ordinal) for h in hits] == [
            (h.recording_id, h.ordinal) for h in single
        ]
    grouped = index.vector_search_batch(queries[:5], model=MODEL, k=4)
    for query, hits in zip(queries[:5], grouped, strict=True):
        single = index.vector_search(query, model=MODEL, k=4)
        assert [h.recording_id for h in hits] == [h.recording_id for h in single]
        assert [h.score for h in hits] == pytest.approx([h.score for h in single], abs=1e-6)
        assert len({h.recording_id for h in hits}) == 4


def test_filters_by_date_type_and_tags(index):
    stored = fill(index, 24, dim=16, seed=4)
    query = np.random.default_rng(9).standard_normal(16)

    def ids(filters):
        hits = index.vector_search(query, model=MODEL, k=100, filters=filters)
        return {h.recording_id for h in hits}

    start, end = BASE_DATE + timedelta(days=5), BASE_DATE + timedelta(days=9)
    assert ids(SearchFilters(start=start, end=end)) == {f"rec-{i}" for i in range(5, 10)}
    whole_days = SearchFilters(start=date(2024, 3, 6), end=date(2024, 3, 10))
    assert ids(whole_days) == {f"rec-{i}" for i in range(5, 10)}
    assert ids(SearchFilters(kinds=("video",))) == {f"rec-{i}" for i in range(1, 24, 4)}
    assert ids(SearchFilters(kinds=("pdf", "text"))) == {
        f"rec-{i}" for i in range(24) if i % 4 in (2, 3)
    }
    assert ids(SearchFilters(tags=("all",))) == {f"rec-{i}" for i in range(1, 24, 2)}
    assert ids(SearchFilters(tags=("ALL ", "t1"))) == {
        f"rec-{i}" for i in range(24) if i % 2 and i % 3 == 1
    }
    assert ids(SearchFilters(tags=("nope",))) == set()
    assert ids(SearchFilters()) == set(stored)
    combined = SearchFilters(start=start, kinds=("audio",), tags=("t2",))
    assert ids(combined) == {f"rec-{i}" for i in range(5, 24) if i % 4 == 0 and i % 3 == 2}


def test_filter_ranking_equals_reference_on_the_allowed_subset(index):
    stored = fill(index, 40, dim=16, seed=8)
    query = np.random.default_rng(1).standard_normal(16)
    allowed = [f"rec-{i}" for i in range(40) if i % 4 == 1]
    hits = index.vector_search(
        query, model=MODEL, k=9, filters=SearchFilters(kinds=("video",)), per_recording=False
    )
    assert_same_ranking(as_triples(hits), reference_chunks(stored, query, allowed)[:9])


def test_deleted_recordings_are_never_returned_until_restored(index):
    stored = fill(index, 10, dim=8, seed=1)
    target = stored["rec-3"][0]
    assert index.vector_search(target, model=MODEL, k=1)[0].recording_id == "rec-3"
    index.set_deleted("rec-3")
    for query in [*stored["rec-3"], *np.random.default_rng(0).standard_normal((20, 8))]:
        hits = index.vector_search(query, model=MODEL, k=100, per_recording=False)
        assert "rec-3" not in {h.recording_id for h in hits}
        assert len(hits) == 36
    with_deleted = SearchFilters(include_deleted=True)
    hits = index.vector_search(target, model=MODEL, k=1, filters=with_deleted)
    assert hits[0].recording_id == "rec-3"
    index.set_deleted("rec-3", deleted=False)
    assert index.vector_search(target, model=MODEL, k=1)[0].recording_id == "rec-3"


def test_recording_added_as_deleted_is_hidden(index):
    vectors = unit(np.ones((1, 4)))
    index.add_recording(
        info_for(0, deleted=True), model=MODEL, chunks=chunks_for("rec-0", 1), vectors=vectors
    )
    assert index.vector_search(vectors[0], model=MODEL) == []


def test_purge_removes_recording_everywhere(index):
    stored = fill(index, 5, dim=8)
    index.index_text("rec-2", "transcript", "the purge keyword is here")
    index.purge("rec-2")
    hits = index.vector_search(stored["rec-2"][0], model=MODEL, k=100, per_recording=False)
    assert "rec-2" not in {h.recording_id for h in hits}
    assert index.keyword_search("purge keyword") == []
    with pytest.raises(NotFoundError, match="'rec-2' is not in the search index"):
        index.set_deleted("rec-2")


def test_filtered_search_with_few_rows_uses_the_gathered_path(index):
    stored = fill(index, 50, dim=8, chunks=2)
    query = stored["rec-7"][1]
    only = SearchFilters(start=BASE_DATE + timedelta(days=7), end=BASE_DATE + timedelta(days=7))
    hits = index.vector_search(query, model=MODEL, k=5, filters=only, per_recording=False)
    assert [(h.recording_id, h.ordinal) for h in hits] == [("rec-7", 1), ("rec-7", 0)]


def test_empty_index_returns_nothing_and_unknown_model_is_named(index):
    assert index.vector_search(np.ones(4), model=MODEL) == []
    fill(index, 2, dim=4)
    with pytest.raises(NotFoundError) as caught:
        index.vector_search(np.ones(4), model="other-model")
    assert "no vectors for embedding model 'other-model'" in caught.value.message
    assert "'test-model'" in caught.value.message
    assert "recordroute reindex" in caught.value.fix


def test_dimension_mismatch_is_a_clear_error(index):
    fill(index, 2, dim=16)
    with pytest.raises(InvalidInputError) as caught:
        index.vector_search(np.ones(8), model=MODEL)
    assert caught.value.message == (
        "The query vectors for embedding model 'test-model' have 8 dimensions, but the "
        "search index holds 16-dimensional vectors for that model."
    )
    assert "recordroute reindex" in caught.value.fix
    with pytest.raises(InvalidInputError, match="vectors for embedding model 'test-model' have 4"):
        fill(index, 1, dim=4)
    # another model keeps its own matrix and dimension
    fill(index, 2, dim=4, model="small-model")
    assert {m.model: m.dimension for m in index.models()} == {
        "small-model": 4,
        "test-model": 16,
    }


@pytest.mark.parametrize(
    ("vector", "message"),
    [
        (np.zeros(4), "contain a zero vector (row 0)"),
        (np.array([1.0, np.nan, 0, 0]), "contain NaN or infinite values"),
        (np.array([[[1.0]]]), "have shape (1, 1, 1)"),
        (np.array(["a", "b"]), "are not numbers"),
        (np.ones((2, 4)), "vector_search takes one query vector, got 2"),
    ],
)
def test_bad_query_vectors_are_refused(index, vector, message):
    fill(index, 1, dim=4)
    with pytest.raises(InvalidInputError) as caught:
        index.vector_search(vector, model=MODEL)
    assert message in caught.value.message


@pytest.mark.parametrize("k", [0, -1, 1001])
def test_k_out_of_range(index, k):
    with pytest.raises(InvalidInputError, match=f"k={k} is out of range"):
        index.vector_search(np.ones(4), model=MODEL, k=k)


def test_bad_additions_are_refused(index):
    info = info_for(0)
    with pytest.raises(InvalidInputError, match="has 2 chunks but 3 vectors"):
        index.add_recording(
            info, model=MODEL, chunks=chunks_for("rec-0", 2), vectors=np.ones((3, 4))
        )
    with pytest.raises(InvalidInputError, match="has vectors but no chunks"):
        index.add_recording(info, model=MODEL, chunks=[], vectors=np.ones((1, 4)))
    with pytest.raises(InvalidInputError, match=r"different dimensions \[3, 4\]"):
        index.add_recordings(
            [
                RecordingVectors(info_for(0), chunks_for("rec-0", 1), np.ones((1, 4))),
                RecordingVectors(info_for(1), chunks_for("rec-1", 1), np.ones((1, 3))),
            ],
            model=MODEL,
        )
    with pytest.raises(InvalidInputError, match="Embedding model name is empty"):
        index.add_recording(info, model=" ", chunks=chunks_for("rec-0", 1), vectors=np.ones(4))
    assert index.models() == []


def test_recording_without_chunks_is_stored_for_keyword_search(index):
    index.add_recording(info_for(0), model=MODEL, chunks=[], vectors=[])
    index.index_text("rec-0", "summary", "a plain text note about budgets")
    assert [h.recording_id for h in index.keyword_search("budgets")] == ["rec-0"]
    assert index.models() == []


def test_quantized_mode_recall_and_memory(tmp_path):
    rng = np.random.default_rng(21)
    hubs = unit(rng.standard_normal((40, 64)))
    vectors = unit(hubs[rng.integers(0, 40, 4000)] + 0.8 * rng.standard_normal((4000, 64)) / 8)
    items = [
        RecordingVectors(info_for(i), chunks_for(f"rec-{i}", 20), vectors[i * 20 : (i + 1) * 20])
        for i in range(200)
    ]
    with SearchIndex(tmp_path / "ix") as exact:
        exact.add_recordings(items, model=MODEL)
    queries = unit(hubs[rng.integers(0, 40, 30)] + rng.standard_normal((30, 64)) / 8)
    with (
        SearchIndex(tmp_path / "ix") as exact,
        SearchIndex(tmp_path / "ix", quantized=True, rescore_factor=5) as quant,
    ):
        recalls = []
        for query in queries:
            want = exact.vector_search(query, model=MODEL, k=10, per_recording=False)
            got = quant.vector_search(query, model=MODEL, k=10, per_recording=False)
            recalls.append(
                len(
                    {(h.recording_id, h.ordinal) for h in want}
                    & {(h.recording_id, h.ordinal) for h in got}
                )
                / 10
            )
            # scores of returned rows are exact float32 cosines, not int8 estimates
            for hit in got:
                true = float(vectors[int(hit.recording_id[4:]) * 20 + hit.ordinal] @ query)
                assert hit.score == pytest.approx(true, abs=1e-5)
        assert np.mean(recalls) >= 0.99
        grouped = quant.vector_search(queries[0], model=MODEL, k=5)
        assert len({h.recording_id for h in grouped}) == 5
        rows = quant._view.models[MODEL]
        assert rows.quantized is not None
        assert rows.quantized.nbytes <= 0.27 * rows.rows().nbytes
        # appended rows are quantized too
        fresh = unit(rng.standard_normal((1, 64)))
        quant.add_recording(
            RecordingInfo("late", datetime(2025, 1, 1)),
            model=MODEL,
            chunks=chunks_for("late", 1),
            vectors=fresh,
        )
        assert quant.vector_search(fresh[0], model=MODEL, k=1)[0].recording_id == "late"


def test_rescore_factor_must_be_positive(tmp_path):
    with pytest.raises(InvalidInputError, match="rescore_factor=0 must be at least 1"):
        SearchIndex(tmp_path, rescore_factor=0)
