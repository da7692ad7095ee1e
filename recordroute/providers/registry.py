"""Creating providers by name from Settings.

Creating a provider is cheap: adapters import their engine and load their model on first
use (or on ``load()``), and loaded models are shared through :mod:`.model_cache`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ..config import Settings, env_name
from ..engine_protocols import Diarizer, Embedder, LanguageModel, Transcriber
from ..errors import ConfigError


def _faster_whisper(settings: Settings) -> Transcriber:
    from .faster_whisper_engine import FasterWhisperTranscriber

    return FasterWhisperTranscriber(settings)


def _openai_whisper(settings: Settings) -> Transcriber:
    from .openai_whisper_engine import OpenAIWhisperTranscriber

    return OpenAIWhisperTranscriber(settings)


def _llama_cpp(settings: Settings) -> LanguageModel:
    from .llama_cpp_model import LlamaCppModel

    return LlamaCppModel(settings)


def _ollama_llm(settings: Settings) -> LanguageModel:
    from .ollama_models import OllamaLanguageModel

    return OllamaLanguageModel(settings)


def _use(settings: Settings) -> Embedder:
    from .sentence_encoder import USEEmbedder

    return USEEmbedder(settings)


def _ollama_embed(settings: Settings) -> Embedder:
    from .ollama_models import OllamaEmbedder

    return OllamaEmbedder(settings)


def _bundled_diarizer(settings: Settings) -> Diarizer:
    from .diarizer import BundledDiarizer

    return BundledDiarizer(settings)


def _pyannote_diarizer(settings: Settings) -> Diarizer:
    from .pyannote_diarizer import PyannoteDiarizer

    return PyannoteDiarizer(settings)


#: kind -> provider name -> factory
PROVIDERS: dict[str, dict[str, Callable[[Settings], Any]]] = {
    "speech": {"faster-whisper": _faster_whisper, "openai-whisper": _openai_whisper},
    "llm": {"llama-cpp": _llama_cpp, "ollama": _ollama_llm},
    "embed": {"use": _use, "ollama": _ollama_embed},
    "diarize": {"bundled": _bundled_diarizer, "pyannote": _pyannote_diarizer},
}
#: the setting that names the provider of each kind
SETTING_OF_KIND = {
    "speech": "speech_engine",
    "llm": "llm_provider",
    "embed": "embed_provider",
    "diarize": "diarize_provider",
}


def create(kind: str, name: str, settings: Settings) -> Any:
    """The provider ``name`` of ``kind`` ("speech", "llm", "embed", "diarize") from ``settings``."""
    factories = PROVIDERS.get(kind)
    if factories is None:
        raise ConfigError(
            f"Unknown kind of provider {kind!r}.", f"Use one of: {', '.join(PROVIDERS)}."
        )
    factory = factories.get(name)
    if factory is None:
        raise ConfigError(
            f"Unknown {kind} provider {name!r}.",
            f"Use one of: {', '.join(factories)} (set {env_name(SETTING_OF_KIND[kind])}).",
        )
    return factory(settings)


def create_transcriber(settings: Settings, name: str | None = None) -> Transcriber:
    """The speech engine ``name`` (default: ``settings.speech_engine``)."""
    return cast(Transcriber, create("speech", name or settings.speech_engine, settings))


def create_language_model(settings: Settings, name: str | None = None) -> LanguageModel:
    """The text generation provider ``name`` (default: ``settings.llm_provider``)."""
    return cast(LanguageModel, create("llm", name or settings.llm_provider, settings))


def create_embedder(settings: Settings, name: str | None = None) -> Embedder:
    """The embedding provider ``name`` (default: ``settings.embed_provider``)."""
    return cast(Embedder, create("embed", name or settings.embed_provider, settings))


def create_diarizer(settings: Settings, name: str | None = None) -> Diarizer:
    """The diarization provider ``name`` (default: ``settings.diarize_provider``)."""
    return cast(Diarizer, create("diarize", name or settings.diarize_provider, settings))
