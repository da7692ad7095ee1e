"""The bundled multilingual Universal Sentence Encoder: Korean and English in one space."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recordroute.config import Settings
from recordroute.engine_protocols import Embedder
from recordroute.errors import ProviderUnavailableError
from recordroute.providers import create_embedder
from recordroute.providers.sentence_encoder import USEEmbedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    provider = create_embedder(Settings(data_dir=Path("unused")))
    assert isinstance(provider, USEEmbedder) and provider.dimension == 512
    return provider


@pytest.mark.slow
def test_translation_pairs_score_higher_than_unrelated_pairs(embedder: Embedder) -> None:
    korean = "다음 주 월요일까지 예산 보고서를 제출해야 합니다."
    english = "The budget report must be submitted by next Monday."
    unrelated = "My cat likes to sleep in the sun on the balcony."
    vectors = embedder.embed([korean, english, unrelated])

    translation = float(vectors[0] @ vectors[1])
    assert translation > float(vectors[0] @ vectors[2]) + 0.2
    assert translation > float(vectors[1] @ vectors[2]) + 0.2


@pytest.mark.slow
def test_vectors_are_normalised_float32(embedder: Embedder) -> None:
    vectors = embedder.embed(["회의록", "meeting notes", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    assert vectors.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, rtol=1e-5)
    assert embedder.embed([]).shape == (0, 512)
    np.testing.assert_allclose(embedder.embed(["회의록"])[0], vectors[0], atol=1e-6)


def test_unknown_embedding_model(tmp_path: Path) -> None:
    provider = create_embedder(Settings(data_dir=tmp_path, embed_model="bge-m3"))
    with pytest.raises(ProviderUnavailableError) as caught:
        provider.embed(["x"])
    assert caught.value.message == "The embedded encoder has no model 'bge-m3'."
    assert "RECORDROUTE_EMBED_PROVIDER=ollama" in caught.value.fix
    assert not provider.available().ok
