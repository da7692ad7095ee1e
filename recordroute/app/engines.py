"""The speech, text and embedding engines of one data folder: created by name from the
settings (with per-job overrides), once per process, and listed for the user."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..config import Settings
from ..engine_protocols import Diarizer, Embedder, LanguageModel, Transcriber
from ..errors import InvalidInputError

#: job options that may override a setting for one job, and the setting they override
JOB_OPTION_SETTINGS = {
    "speech_engine": "speech_engine",
    "whisper_model": "whisper_model",
    "language": "language",
    "device": "device",
    "llm_provider": "llm_provider",
    "llm_model": "llm_model",
    "summary_model": "llm_model",
    "diarize_provider": "diarize_provider",
}
OTHER_JOB_OPTIONS = {
    "initial_prompt",
    "word_timestamps",
    "summary_tokens",
    "num_speakers",
    "template",
    "summary_mode",
}


def check_job_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options of a job without empty values; unknown names are refused."""
    unknown = set(options) - set(JOB_OPTION_SETTINGS) - OTHER_JOB_OPTIONS
    if unknown:
        raise InvalidInputError(
            f"Unknown job options: {', '.join(sorted(unknown))}.",
            f"Use some of: {', '.join(sorted({*JOB_OPTION_SETTINGS, *OTHER_JOB_OPTIONS}))}.",
        )
    speakers = options.get("num_speakers")
    if speakers not in (None, "", 0) and (
        isinstance(speakers, bool)
        or not isinstance(speakers, int | str)
        or not str(speakers).isdigit()
        or not 1 <= int(speakers) <= 64
    ):
        raise InvalidInputError(
            f"num_speakers={speakers!r} is not a number of speakers.",
            "Give a whole number from 1 to 64, or leave it out to have it found.",
        )
    return {k: v for k, v in options.items() if v not in (None, "")}


class Engines:
    """Engines per effective settings, created once per process (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._made: dict[tuple[str, Settings], Any] = {}
        self._lock = threading.Lock()

    def _settings_for(self, options: dict[str, Any]) -> Settings:
        changes = {
            JOB_OPTION_SETTINGS[k]: v for k, v in options.items() if k in JOB_OPTION_SETTINGS
        }
        return self.settings.replace(**changes) if changes else self.settings

    def _get(self, kind: str, options: dict[str, Any], make: Callable[[Settings], Any]) -> Any:
        settings = self._settings_for(options)
        with self._lock:
            key = (kind, settings)
            if key not in self._made:
                self._made[key] = make(settings)
            return self._made[key]

    def transcriber(self, options: dict[str, Any]) -> Transcriber:
        from ..providers import create_transcriber

        result: Transcriber = self._get("speech", options, create_transcriber)
        return result

    def language_model(self, options: dict[str, Any]) -> LanguageModel:
        from ..providers import create_language_model

        result: LanguageModel = self._get("llm", options, create_language_model)
        return result

    def embedder(self, options: dict[str, Any] | None = None) -> Embedder:
        from ..providers import create_embedder

        result: Embedder = self._get("embed", options or {}, create_embedder)
        return result

    def diarizer(self, options: dict[str, Any] | None = None) -> Diarizer:
        from ..providers import create_diarizer

        result: Diarizer = self._get("diarize", options or {}, create_diarizer)
        return result

    def embed(self, texts: Sequence[str]) -> Any:
        """Vectors of these texts from the configured embedding model."""
        return self.embedder().embed(texts)

    def embedding_model_key(self) -> str:
        """The name vectors are filed under: one matrix per embedding provider and model."""
        return f"{self.settings.embed_provider}:{self.settings.embed_model}"

    def list_models(self, *, probe_ollama: bool = True) -> dict[str, Any]:
        """What each provider offers here and whether Ollama answers (JSON-ready; loads nothing)."""
        from ..providers import list_models

        return list_models(self.settings, probe_ollama=probe_ollama).to_dict()
