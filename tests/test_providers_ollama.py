"""The Ollama providers against a local replay of Ollama's REST protocol (not a real Ollama)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from recordroute.config import Settings
from recordroute.engine_protocols import Embedder, LanguageModel
from recordroute.errors import (
    InvalidInputError,
    JobCancelledError,
    ProviderError,
    ProviderUnavailableError,
    TransientProviderError,
)
from recordroute.providers import create_embedder, create_language_model, list_models
from recordroute.providers.ollama_models import OllamaEmbedder, OllamaLanguageModel
from recordroute.providers.token_estimate import estimate_tokens
from tests.support.ollama_replay import OllamaReplay, closed_port_url, fake_embedding


@pytest.fixture(scope="module")
def replay() -> Iterator[OllamaReplay]:
    with OllamaReplay(slow_s=3.0) as server:
        yield server


def ollama_settings(tmp_path: Path, host: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "db",
        "llm_provider": "ollama",
        "llm_model": "gemma3:4b",
        "embed_provider": "ollama",
        "embed_model": "bge-m3",
        "ollama_host": host,
        "ollama_timeout_s": 30.0,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def test_ollama_protocol_chat_streams_the_answer(tmp_path: Path, replay: OllamaReplay) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url))
    assert isinstance(model, LanguageModel) and isinstance(model, OllamaLanguageModel)

    answer = model.complete("Summarise the meeting.", system="Be brief.", max_tokens=64)

    assert answer == "The meeting agreed to ship the release on Friday."
    request = replay.bodies("/api/chat")[-1]
    assert request["stream"] is True
    assert request["messages"][0] == {"role": "system", "content": "Be brief."}
    assert request["options"]["num_predict"] == 64
    assert request["options"]["num_ctx"] == 2048  # the setting, below the model's 131072


def test_ollama_protocol_context_window_and_token_estimate(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    small = create_language_model(ollama_settings(tmp_path, replay.url, llm_context=4096))
    assert small.context_window == 4096
    assert small.count_tokens("The meeting agreed.") == estimate_tokens("The meeting agreed.")

    big = OllamaLanguageModel(ollama_settings(tmp_path, replay.url, llm_context=1 << 20))
    assert big.context_window == 1 << 20  # the setting; known without a request
    assert big.model_info().context_length == 131072
    big.complete("Hello")
    assert replay.bodies("/api/chat")[-1]["options"]["num_ctx"] == 131072  # the model's limit


def test_ollama_protocol_prompt_longer_than_the_context(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_context=256))
    with pytest.raises(InvalidInputError) as caught:
        model.complete("word " * 400)
    assert "more than the context window of 256 tokens" in caught.value.message
    assert "split the text" in caught.value.fix


def test_ollama_protocol_base_model_uses_generate(tmp_path: Path, replay: OllamaReplay) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="gemma3-base"))

    answer = model.complete("Transcript: ...\nSummary:", system="Summaries are short.")

    assert answer.startswith("The meeting agreed")
    request = replay.bodies("/api/generate")[-1]
    assert request["prompt"] == "Transcript: ...\nSummary:"
    assert request["system"] == "Summaries are short."


def test_ollama_protocol_load_sends_a_non_streaming_generate(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    model = OllamaLanguageModel(ollama_settings(tmp_path, replay.url))
    model.load()
    assert replay.bodies("/api/generate")[-1]["stream"] is False


def test_ollama_protocol_cancel_between_chunks(tmp_path: Path, replay: OllamaReplay) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="endless"))
    deadline = time.monotonic() + 0.5
    started = time.monotonic()

    with pytest.raises(JobCancelledError, match="was cancelled"):
        model.complete("Talk forever.", should_cancel=lambda: time.monotonic() > deadline)

    assert time.monotonic() - started < 3.0
    assert replay.stream_closed.wait(5.0), "the server should see the stream closed"


def test_ollama_protocol_embed_is_normalised_float32(tmp_path: Path, replay: OllamaReplay) -> None:
    embedder = create_embedder(ollama_settings(tmp_path, replay.url))
    assert isinstance(embedder, Embedder) and isinstance(embedder, OllamaEmbedder)

    vectors = embedder.embed(["회의록 요약", "meeting summary"])

    assert vectors.dtype == np.float32 and vectors.shape == (2, 1024)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    expected = np.asarray(fake_embedding("meeting summary", 1024), dtype=np.float32)
    np.testing.assert_allclose(vectors[1], expected / np.linalg.norm(expected), rtol=1e-4)
    assert embedder.dimension == 1024
    assert embedder.embed([]).shape == (0, 1024)
    assert replay.bodies("/api/embed")[-1]["input"] == ["회의록 요약", "meeting summary"]


def test_ollama_protocol_bundled_names_map_to_ollama_defaults(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    settings = ollama_settings(
        tmp_path, replay.url, llm_model="bundled-smollm2", embed_model="bundled-use-multilingual"
    )
    assert OllamaLanguageModel(settings).model_name == "gemma3:4b"
    embedder = OllamaEmbedder(settings)
    assert embedder.model_name == "bge-m3"
    assert embedder.dimension == 1024


def test_ollama_protocol_available_and_model_list(tmp_path: Path, replay: OllamaReplay) -> None:
    settings = ollama_settings(tmp_path, replay.url)
    status = create_language_model(settings).available()
    assert status.ok, status
    assert create_embedder(settings).available().ok  # "bge-m3" matches "bge-m3:latest"

    missing = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="qwen3:8b"))
    status = missing.available()
    assert not status.ok
    assert "has no model 'qwen3:8b'" in status.detail
    assert "ollama pull qwen3:8b" in status.fix

    catalog = list_models(settings)
    assert catalog.ollama is not None and catalog.ollama.reachable
    assert "gemma3:4b" in catalog.ollama.models and "bge-m3:latest" in catalog.ollama.models


def test_ollama_protocol_model_not_found(tmp_path: Path, replay: OllamaReplay) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="llama9"))
    with pytest.raises(ProviderUnavailableError) as caught:
        model.complete("Hello")
    assert "has no model 'llama9'" in caught.value.message
    assert "ollama pull llama9" in caught.value.fix

    embedder = create_embedder(ollama_settings(tmp_path, replay.url, embed_model="nomic"))
    with pytest.raises(ProviderUnavailableError, match="ollama pull nomic"):
        embedder.embed(["x"])


def test_ollama_protocol_server_error_is_transient(tmp_path: Path, replay: OllamaReplay) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="broken"))
    with pytest.raises(TransientProviderError) as caught:
        model.complete("Hello")
    assert "HTTP 500" in caught.value.message
    assert "llama runner process has terminated" in caught.value.message
    assert caught.value.fix.startswith("Retry")


def test_ollama_protocol_error_inside_stream_is_transient(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="midstream"))
    with pytest.raises(TransientProviderError, match="error was encountered while running"):
        model.complete("Hello")


def test_ollama_protocol_bad_request_is_a_provider_error(
    tmp_path: Path, replay: OllamaReplay
) -> None:
    model = create_language_model(ollama_settings(tmp_path, replay.url, llm_model="refuses"))
    with pytest.raises(ProviderError) as caught:
        model.complete("Hello")
    assert type(caught.value) is ProviderError
    assert "HTTP 400" in caught.value.message and "Check the model name" in caught.value.fix


def test_ollama_protocol_not_an_embedding_model(tmp_path: Path, replay: OllamaReplay) -> None:
    embedder = create_embedder(ollama_settings(tmp_path, replay.url, embed_model="gemma3:4b"))
    with pytest.raises(ProviderError, match="does not support embeddings"):
        embedder.embed(["x"])


def test_ollama_protocol_timeout_is_transient(tmp_path: Path, replay: OllamaReplay) -> None:
    settings = ollama_settings(tmp_path, replay.url, llm_model="slow", ollama_timeout_s=1.0)
    started = time.monotonic()
    with pytest.raises(TransientProviderError) as caught:
        create_language_model(settings).complete("Hello")
    assert time.monotonic() - started < 2.9
    assert "did not answer in time" in caught.value.message
    assert "RECORDROUTE_OLLAMA_TIMEOUT_S" in caught.value.fix


def test_ollama_protocol_connection_refused(tmp_path: Path) -> None:
    settings = ollama_settings(tmp_path, closed_port_url())
    with pytest.raises(ProviderUnavailableError) as caught:
        create_language_model(settings).complete("Hello")
    assert f"Cannot reach Ollama at {settings.ollama_host}" in caught.value.message
    assert "ollama serve" in caught.value.fix and "RECORDROUTE_OLLAMA_HOST" in caught.value.fix

    with pytest.raises(ProviderUnavailableError, match="Cannot reach Ollama"):
        create_embedder(settings).embed(["x"])

    status = create_language_model(settings).available()
    assert not status.ok and "Cannot reach Ollama" in status.detail
    listing = list_models(settings).ollama
    assert listing is not None and not listing.reachable
    assert "RECORDROUTE_OLLAMA_HOST" in listing.fix


def test_token_estimate_errs_high_for_korean_and_english() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("hello world") == 4  # ceil(5/3) * 2
    assert estimate_tokens("회의 요약") == 4  # one per Hangul syllable
    assert estimate_tokens("2025") == 2
