"""The embedded llama.cpp models: SmolLM2 (chat template) and Gemma 3 270M (base, plain text)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recordroute.config import Settings
from recordroute.engine_protocols import LanguageModel
from recordroute.errors import InvalidInputError, JobCancelledError, ProviderUnavailableError
from recordroute.providers import create_language_model
from recordroute.providers.llama_cpp_model import LlamaCppModel


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("llm-data")


def llm(data_dir: Path, model: str = "bundled-smollm2", **changes: object) -> LlamaCppModel:
    # one thread: llama.cpp's threads wait on each other, which is slow on a busy shared CPU
    values: dict[str, object] = {"threads": 1, **changes}
    settings = Settings(data_dir=data_dir, llm_model=model, **values)  # type: ignore[arg-type]
    provider = create_language_model(settings)
    assert isinstance(provider, LlamaCppModel) and isinstance(provider, LanguageModel)
    return provider


@pytest.mark.slow
def test_smollm2_answers_a_short_question(data_dir: Path) -> None:
    model = llm(data_dir)
    assert model.has_chat_template
    answer = model.complete(
        "What is the capital of France? Answer in one short sentence.",
        system="You are a helpful assistant.",
        max_tokens=24,
        temperature=0.0,
    )
    assert "Paris" in answer


@pytest.mark.slow
def test_token_counting_and_context_window(data_dir: Path) -> None:
    model = llm(data_dir)
    assert model.context_window == 2048  # RECORDROUTE_LLM_CONTEXT, what the model is loaded with
    assert model.count_tokens("") == 0
    assert model.count_tokens("Hello world") == 2
    korean = model.count_tokens("오늘 회의에서 예산을 논의했습니다.")
    assert korean > model.count_tokens("Today we discussed the budget.")  # English tokenizer
    assert llm(data_dir, llm_context=4096).context_window == 4096


@pytest.mark.slow
def test_generation_stops_between_tokens_when_cancelled(data_dir: Path) -> None:
    model = llm(data_dir)
    asked: list[float] = []

    def should_cancel() -> bool:
        asked.append(time.monotonic())
        return len(asked) > 5

    with pytest.raises(JobCancelledError, match="Text generation was cancelled"):
        model.complete(
            "Write a long story about a lighthouse.", max_tokens=400, should_cancel=should_cancel
        )
    assert len(asked) == 6  # once before, then once per streamed token
    assert model.complete("Say hi.", max_tokens=4)  # the model is still usable


@pytest.mark.slow
def test_prompt_longer_than_the_context_window(data_dir: Path) -> None:
    model = llm(data_dir, llm_context=256)
    with pytest.raises(InvalidInputError) as caught:
        model.complete("budget " * 300)
    assert "more than the model's context window of 256 tokens allows" in caught.value.message
    assert "RECORDROUTE_LLM_CONTEXT" in caught.value.fix


@pytest.mark.slow
def test_gemma_base_model_continues_plain_text(data_dir: Path) -> None:
    model = llm(data_dir, "bundled-gemma3-270m")
    assert not model.has_chat_template
    text = model.complete("The three primary colors are red,", max_tokens=12, temperature=0.0)
    assert text.strip()
    assert (data_dir / "models" / "gemma-3-270m-q4_k_m.gguf").is_file()


def test_missing_model_file(data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "models" / "qwen.gguf"
    with pytest.raises(ProviderUnavailableError) as caught:
        llm(data_dir, str(missing)).load()
    assert caught.value.message == f"LLM model file '{missing}' does not exist."
    assert "bundled-smollm2" in caught.value.fix


def test_ollama_name_given_to_llama_cpp(data_dir: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        llm(data_dir, "gemma3:4b").complete("Hello")
    assert "'gemma3:4b' is neither a bundled model nor a .gguf file" in caught.value.message
    assert "RECORDROUTE_LLM_PROVIDER=ollama" in caught.value.message


def test_file_that_is_not_a_gguf_model(data_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "model.gguf"
    junk.write_bytes(b"GGUF" + bytes(1000))
    with pytest.raises(ProviderUnavailableError) as caught:
        llm(data_dir, str(junk)).load()
    assert f"llama.cpp could not load '{junk}'" in caught.value.message
    assert "complete GGUF model" in caught.value.fix
