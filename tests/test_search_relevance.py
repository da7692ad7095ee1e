"""The relevance bar: calibration per embedding model, shown vs weaker hits, nothing found.

Real parts: the bundled USE model through RecordRoute's provider, a real index folder,
and (for the Ollama model) RecordRoute's Ollama provider against the recorded-protocol
replay server answering with vectors recorded from all-MiniLM-L6-v2 (Ollama cannot run
here; see tests/support/recorded_vectors.py).  Texts come from the evaluation set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from benchmarks.search_eval import Document, build_index, load_archive
from recordroute.config import Settings
from recordroute.errors import CorruptDataError
from recordroute.providers import create_embedder
from recordroute.search import RecordingInfo, SearchIndex
from recordroute.search.calibration import PAIRINGS, calibration_path
from recordroute.search.matrix import model_slug
from tests.support.ollama_replay import OllamaReplay
from tests.support.recorded_vectors import MODELS_WITH_MINILM, RecordedVectors

USE_MODEL = "use:bundled-use-multilingual"
MINILM_MODEL = "ollama:all-minilm"
PICKED = ("e03", "e11", "e19", "k01", "k03", "k06", "s_jfk")


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    by_id = {doc.id: doc for doc in load_archive()}
    return [by_id[name] for name in PICKED]


@pytest.fixture(scope="module")
def use_embed(tmp_path_factory: pytest.TempPathFactory):
    provider = create_embedder(Settings(data_dir=tmp_path_factory.mktemp("use") / "db"))
    return provider.embed


@pytest.fixture
def minilm_embed(tmp_path: Path) -> Iterator[object]:
    vectors = RecordedVectors()
    with OllamaReplay(MODELS_WITH_MINILM, vectors={"all-minilm:latest": vectors}) as replay:
        settings = Settings(
            data_dir=tmp_path / "db",
            embed_provider="ollama",
            embed_model="all-minilm",
            ollama_host=replay.url,
        )
        yield create_embedder(settings).embed


@pytest.fixture
def use_index(tmp_path: Path, docs, use_embed) -> Iterator[SearchIndex]:
    with build_index(tmp_path / "index", USE_MODEL, use_embed, docs) as index:
        yield index


def ids(hits) -> list[str]:
    return [hit.recording_id for hit in hits]


def test_each_model_gets_its_own_scale_and_keeps_it(tmp_path, use_embed, minilm_embed):
    with SearchIndex(tmp_path / "index") as index:
        use = index.calibration(USE_MODEL, use_embed)
        minilm = index.calibration(MINILM_MODEL, minilm_embed)
    # the bundled model relates Korean and English text; unrelated pairs sit near 0
    assert all(use.scales[key].usable for key in PAIRINGS)
    assert abs(use.scales["en-en"].unrelated) < 0.1 < use.scales["en-en"].related
    # all-MiniLM reads English only: its Korean pairings are flagged unusable
    assert minilm.scales["en-en"].usable
    assert not minilm.scales["ko-en"].usable and not minilm.scales["ko-ko"].usable
    assert minilm.meaning(0.3, True, False) is None
    # the same cosine means different things to the two models
    assert use.meaning(0.3, False, False) != pytest.approx(minilm.meaning(0.3, False, False))
    stored = calibration_path(tmp_path / "index", model_slug(USE_MODEL))
    assert json.loads(stored.read_text())["model"] == USE_MODEL

    def refuse(texts):
        raise AssertionError("a stored calibration must not be measured again")

    with SearchIndex(tmp_path / "index") as reopened:
        assert reopened.calibration(USE_MODEL, refuse) == use


def test_a_damaged_calibration_file_is_named_and_not_read_as_missing(tmp_path, use_embed):
    with SearchIndex(tmp_path / "index") as index:
        index.calibration(USE_MODEL, use_embed)
    stored = calibration_path(tmp_path / "index", model_slug(USE_MODEL))
    stored.write_text("{not json", encoding="utf-8")
    with SearchIndex(tmp_path / "index") as index, pytest.raises(CorruptDataError) as caught:
        index.calibration(USE_MODEL, use_embed)
    assert str(stored) in str(caught.value) and "Delete it" in str(caught.value)
    stored.write_text(json.dumps({"model": USE_MODEL, "scales": {}}), encoding="utf-8")
    with SearchIndex(tmp_path / "index") as index, pytest.raises(CorruptDataError, match="damaged"):
        index.calibration(USE_MODEL, use_embed)
    assert stored.read_text(encoding="utf-8").startswith('{"model"')  # left for the user


def test_bundled_model_shows_the_one_relevant_recording(use_index, use_embed):
    outcome = use_index.search("sourdough starter", model=USE_MODEL, embed=use_embed)
    assert ids(outcome.hits) == ["e03"]
    assert not outcome.nothing_found and outcome.suggestions == ()
    # the plain top-k lists every recording
    plain = use_index.hybrid_search("sourdough starter", model=USE_MODEL, embed=use_embed)
    assert len(plain) == len(PICKED)
    assert outcome.weaker and all(not hit.relevant for hit in outcome.weaker)
    assert outcome.hits[0].evidence is not None and outcome.hits[0].evidence.relevant
    # weaker matches keep the fused order of the plain list
    order = [i for i in ids(plain) if i in ids(outcome.weaker)]
    assert ids(outcome.weaker) == order
    assert outcome.shown(weaker=True) == [*outcome.hits, *outcome.weaker]


def test_korean_particles_and_cross_language_with_the_bundled_model(use_index, use_embed):
    outcome = use_index.search("예산 승인", model=USE_MODEL, embed=use_embed)
    assert ids(outcome.hits) == ["k03"]
    assert "«예산»" in outcome.hits[0].snippet
    cross = use_index.search("summer vacation on Jeju island", model=USE_MODEL, embed=use_embed)
    assert ids(cross.hits) == ["k01"]
    evidence = cross.hits[0].evidence
    assert evidence is not None and evidence.words_found == 0 and evidence.meaning > 0.55


def test_unrelated_query_finds_nothing_with_the_bundled_model(use_index, use_embed):
    outcome = use_index.search(
        "quantum chromodynamics lattice simulation", model=USE_MODEL, embed=use_embed
    )
    assert outcome.nothing_found and outcome.hits == ()
    assert outcome.weaker  # still there for "show weaker matches"
    plain = use_index.hybrid_search(
        "quantum chromodynamics lattice simulation", model=USE_MODEL, embed=use_embed
    )
    assert len(plain) == len(PICKED)


def test_ollama_model_cut_off_on_its_own_scale(tmp_path, docs, minilm_embed):
    """Protocol test: Ollama's all-minilm through the replay server (recorded vectors)."""
    with build_index(tmp_path / "index", MINILM_MODEL, minilm_embed, docs) as index:
        english = index.search("sourdough starter", model=MINILM_MODEL, embed=minilm_embed)
        assert ids(english.hits) == ["e03"]
        # the model cannot relate Korean to English: a cross-language query finds nothing
        cross = index.search("사워도우 빵 굽기", model=MINILM_MODEL, embed=minilm_embed)
        assert cross.nothing_found
        # Korean words still count where they occur
        korean = index.search("예산 승인", model=MINILM_MODEL, embed=minilm_embed)
        assert ids(korean.hits) == ["k03"]
        evidence = korean.hits[0].evidence
        assert evidence is not None and evidence.similarity is not None
        assert evidence.meaning == 0.0 and evidence.coverage == pytest.approx(1.0)
        unrelated = index.search(
            "quantum chromodynamics lattice simulation", model=MINILM_MODEL, embed=minilm_embed
        )
        assert unrelated.nothing_found


def test_nothing_found_suggests_archive_words_close_to_a_misspelling(use_index, use_embed):
    outcome = use_index.search("Americnas quantum", model=USE_MODEL, embed=use_embed)
    assert outcome.nothing_found
    assert "americans quantum" in outcome.suggestions
    korean = use_index.search("얘산 양자역학", model=USE_MODEL, embed=use_embed)
    assert korean.nothing_found
    assert any(s.startswith("예산") for s in korean.suggestions)


def test_snippet_centres_on_the_best_passage_with_its_time(use_index, use_embed):
    outcome = use_index.search("drain pump filter", model=USE_MODEL, embed=use_embed)
    [hit] = outcome.hits
    assert hit.recording_id == "e11"
    assert "«drain» «pump»" in hit.snippet and "«filter»" in hit.snippet
    segment = next(s for s in load_archive()[10].segments if "drain pump" in s.text)
    assert (hit.start_s, hit.end_s) == (segment.start, segment.end)


def test_blank_query_is_an_empty_outcome(use_index, use_embed):
    outcome = use_index.search("  ", model=USE_MODEL, embed=use_embed)
    assert outcome.hits == () and outcome.nothing_found and outcome.suggestions == ()
    assert np.isfinite(len(outcome.weaker))


def test_a_recording_found_by_words_only_is_judged_by_its_words(tmp_path, docs, use_embed):
    with build_index(tmp_path / "index", USE_MODEL, use_embed, docs[:2]) as index:
        info = RecordingInfo("words-only", datetime(2025, 1, 1), "text")
        index.put_recording(info)  # keyword passages, but no vectors
        index.index_text("words-only", "transcript", "The sourdough starter bubbles overnight.")
        outcome = index.search("sourdough starter", model=USE_MODEL, embed=use_embed)
        assert ids(outcome.hits) == ["e03"]
        # every word is there, but with no meaning to add it is far behind the best hit
        [words_only] = [hit for hit in outcome.weaker if hit.recording_id == "words-only"]
        evidence = words_only.evidence
        assert evidence is not None and evidence.similarity is None
        assert evidence.meaning == 0.0 and evidence.coverage == pytest.approx(1.0)
        assert words_only.snippet == "The «sourdough» «starter» bubbles overnight."
        # alone, it clears the bar on its words
        alone = index.search("overnight bubbles", model=USE_MODEL, embed=use_embed)
        assert "words-only" in ids(alone.hits)
