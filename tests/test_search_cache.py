"""Result and query-embedding caches: TTL, LRU, statistics, invalidation on every revision."""

from __future__ import annotations

import numpy as np
import pytest

from recordroute.errors import InvalidInputError
from recordroute.search import SearchFilters, SearchIndex
from recordroute.search.cache import TTLCache
from tests.search_support import MODEL, HashEmbedder, chunks_for, fill, info_for, unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ttl_lru_and_stats():
    clock = Clock()
    cache: TTLCache[str] = TTLCache(ttl_s=10, max_entries=2, clock=clock)
    assert cache.get("a") is None
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C")  # evicts b
    assert cache.get("b") is None
    clock.now += 10
    assert cache.get("a") is None  # expired
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.expired, stats.size) == (1, 3, 1, 1)
    cache.clear()
    cache.clear()  # clearing an empty cache is not counted
    assert cache.stats().invalidations == 1
    assert cache.stats().size == 0


def test_zero_sized_cache_stores_nothing_and_negative_is_refused():
    off: TTLCache[int] = TTLCache(ttl_s=0, max_entries=5)
    off.put("a", 1)
    assert off.get("a") is None
    with pytest.raises(InvalidInputError, match="ttl_s=-1 and max_entries=3 must not be negative"):
        TTLCache(ttl_s=-1, max_entries=3)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def index(tmp_path, clock):
    with SearchIndex(tmp_path / "ix", cache_ttl_s=60, clock=clock) as opened:
        yield opened


def test_repeated_search_is_served_from_cache_until_ttl(index, clock):
    fill(index, 5, dim=8)
    query = np.ones(8)
    first = index.vector_search(query, model=MODEL)
    assert index.vector_search(query, model=MODEL) == first
    assert index.cache_stats()["results"].hits == 1
    other_k = index.vector_search(query, model=MODEL, k=2)
    assert other_k == first[:2]
    other_filter = index.vector_search(query, model=MODEL, filters=SearchFilters(kinds=("audio",)))
    assert {h.recording_id for h in other_filter} == {"rec-0", "rec-4"}
    assert index.cache_stats()["results"].hits == 1
    clock.now += 61
    assert index.vector_search(query, model=MODEL) == first
    stats = index.cache_stats()["results"]
    assert (stats.hits, stats.expired) == (1, 1)


def test_delete_invalidates_cached_results(index):
    stored = fill(index, 5, dim=8)
    query = stored["rec-2"][0]
    assert index.vector_search(query, model=MODEL, k=1)[0].recording_id == "rec-2"
    index.index_text("rec-2", "transcript", "cached keyword")
    assert index.keyword_search("cached")[0].recording_id == "rec-2"
    index.set_deleted("rec-2")
    assert index.vector_search(query, model=MODEL, k=1)[0].recording_id != "rec-2"
    assert index.keyword_search("cached") == []
    assert index.cache_stats()["results"].invalidations >= 1
    assert index.cache_stats()["results"].hits == 0


def test_edit_invalidates_cached_results(index):
    stored = fill(index, 3, dim=8, chunks=2)
    old = stored["rec-1"][0]
    hits = index.vector_search(old, model=MODEL, k=3, per_recording=False)
    assert (hits[0].recording_id, hits[0].text) == ("rec-1", "rec-1 chunk 0")
    replacement = unit(-old.reshape(1, -1))
    chunks = [type(c)("edited text", 0, 11) for c in chunks_for("rec-1", 1)]
    index.add_recording(info_for(1), model=MODEL, chunks=chunks, vectors=replacement)
    hits = index.vector_search(old, model=MODEL, k=100, per_recording=False)
    assert "rec-1 chunk 0" not in {h.text for h in hits}
    assert [h.text for h in hits if h.recording_id == "rec-1"] == ["edited text"]
    assert hits[-1].recording_id == "rec-1"


def test_other_writer_invalidates_cache(tmp_path):
    with SearchIndex(tmp_path) as reader, SearchIndex(tmp_path) as other:
        stored = fill(other, 3, dim=8)
        query = stored["rec-0"][0]
        assert reader.vector_search(query, model=MODEL, k=1)[0].recording_id == "rec-0"
        other.set_deleted("rec-0")
        assert reader.vector_search(query, model=MODEL, k=1)[0].recording_id != "rec-0"
        other.put_recording(info_for(0))  # restores it and moves its tags
        assert reader.vector_search(query, model=MODEL, k=1)[0].recording_id == "rec-0"
        assert reader.cache_stats()["results"].hits == 0


def test_metadata_update_invalidates_filtered_results(index):
    fill(index, 4, dim=8)
    only_pdf = SearchFilters(kinds=("pdf",))
    assert [
        h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, filters=only_pdf)
    ] == ["rec-3"]
    info = info_for(0)
    index.put_recording(type(info)(info.recording_id, info.created_at, "pdf", ("moved",)))
    ids = {h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, filters=only_pdf)}
    assert ids == {"rec-0", "rec-3"}
    tagged = SearchFilters(tags=("moved",))
    assert [
        h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, filters=tagged)
    ] == ["rec-0"]


def test_query_embeddings_are_cached_and_rebuild_clears_them(index):
    embed = HashEmbedder(dim=16)
    fill(index, 3, dim=16)
    index.hybrid_search("budget", model=MODEL, embed=embed)
    index.hybrid_search("budget", model=MODEL, embed=embed, k=3)  # new result key, same query
    assert embed.calls == 1
    stats = index.cache_stats()["embeddings"]
    assert (stats.hits, stats.misses) == (1, 1)
    index.hybrid_search("budget", model=MODEL, embed=embed, k=3)
    assert index.cache_stats()["results"].hits == 1
    index.rebuild(MODEL, embed)
    calls = embed.calls
    again = index.hybrid_search("budget", model=MODEL, embed=embed, k=3)
    assert embed.calls == calls + 1  # embedding cache was cleared by the rebuild
    assert index.cache_stats()["results"].hits == 1  # and the result was computed afresh
    query = unit(embed(["budget"]))[0]
    chunks = [hit.chunk for hit in again if hit.chunk is not None]
    assert chunks
    for chunk in chunks:  # scores now come from the re-embedded chunk texts
        want = float(unit(embed([chunk.text]))[0] @ query)
        assert chunk.score == pytest.approx(want, abs=1e-5)


def test_similar_results_are_cached_and_invalidated(index):
    stored = fill(index, 4, dim=8)
    first = index.similar_recordings("rec-0", model=MODEL)
    assert index.similar_recordings("rec-0", model=MODEL) == first
    assert index.cache_stats()["results"].hits == 1
    index.set_deleted(first[0].recording_id)
    again = index.similar_recordings("rec-0", model=MODEL)
    assert first[0].recording_id not in {hit.recording_id for hit in again}
    assert len(stored) == 4
