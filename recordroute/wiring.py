"""Adapters that let the pipeline reach storage, providers and search through its ports.

Only the composition root (:mod:`recordroute.app`) uses this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings
from .errors import InvalidInputError, JobCancelledError
from .models import Artifact, Recording, Segment
from .protocols import CancelCheck, Embedder, LanguageModel, Transcriber
from .search import RecordingInfo, SearchIndex, chunk_segments, chunk_text
from .storage import Library
from .storage.jobs import JobRepository

#: job options that may override a setting for one job, and the setting they override
JOB_OPTION_SETTINGS = {
    "speech_engine": "speech_engine",
    "whisper_model": "whisper_model",
    "language": "language",
    "device": "device",
    "llm_provider": "llm_provider",
    "llm_model": "llm_model",
    "summary_model": "llm_model",
}
OTHER_JOB_OPTIONS = {"initial_prompt", "word_timestamps", "summary_tokens"}


def check_job_options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = set(options) - set(JOB_OPTION_SETTINGS) - OTHER_JOB_OPTIONS
    if unknown:
        raise InvalidInputError(
            f"Unknown job options: {', '.join(sorted(unknown))}.",
            f"Use some of: {', '.join(sorted({*JOB_OPTION_SETTINGS, *OTHER_JOB_OPTIONS}))}.",
        )
    return {k: v for k, v in options.items() if v not in (None, "")}


class LibraryPort:
    """The pipeline's view of the library (recordings, artifacts, keywords)."""

    def __init__(self, library: Library, jobs: JobRepository) -> None:
        self.library = library
        self.jobs = jobs

    def get_recording(self, recording_id: str) -> Recording:
        return self.library.get(recording_id)

    def source_path(self, recording_id: str) -> Path:
        sources = self.library.repo.artifacts_of(recording_id, "source")
        if not sources:
            raise InvalidInputError(
                f"Recording {recording_id} has no stored file to process.",
                "Add the file again (the original import could not find it).",
            )
        return self.library.artifact_path(sources[-1])

    def find_artifact(self, recording_id: str, kind: str, fmt: str) -> Artifact | None:
        found = [a for a in self.library.repo.artifacts_of(recording_id, kind) if a.format == fmt]
        return found[-1] if found else None

    def read_text(self, artifact: Artifact) -> str:
        return self.library.artifact_path(artifact).read_text(encoding="utf-8")

    def save_artifact(
        self,
        recording_id: str,
        kind: str,
        fmt: str,
        data: bytes,
        *,
        file_name: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Artifact:
        return self.library.save_artifact(
            recording_id, kind, fmt, data, file_name=file_name, meta=meta
        )

    def set_title(self, recording_id: str, title: str) -> None:
        self.library.set_title(recording_id, title)

    def set_duration(self, recording_id: str, seconds: float) -> None:
        self.library.set_duration(recording_id, seconds)

    def set_keywords(self, recording_id: str, counts: dict[str, int]) -> None:
        self.jobs.set_keywords(recording_id, counts)

    def vocabulary(self, limit: int) -> list[str]:
        return self.jobs.vocabulary(limit)


class ProviderCache:
    """Providers per effective settings, created once per process."""

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
        from .providers import create_transcriber

        result: Transcriber = self._get("speech", options, create_transcriber)
        return result

    def language_model(self, options: dict[str, Any]) -> LanguageModel:
        from .providers import create_language_model

        result: LanguageModel = self._get("llm", options, create_language_model)
        return result

    def embedder(self, options: dict[str, Any] | None = None) -> Embedder:
        from .providers import create_embedder

        result: Embedder = self._get("embed", options or {}, create_embedder)
        return result


def probe_duration(path: Path) -> float | None:
    from .providers.media import probe_duration as probe

    return probe(path)


def recording_info(rec: Recording) -> RecordingInfo:
    return RecordingInfo(rec.id, rec.created_at, rec.kind, rec.tags, rec.deleted)


class SearchPort:
    """Puts a recording's chunks into the search index (the pipeline's embed step)."""

    def __init__(self, index: Callable[[], SearchIndex], model_key: Callable[[], str]) -> None:
        self._index = index
        self._model_key = model_key

    def index_recording(
        self,
        recording: Recording,
        segments: Sequence[Segment],
        summary: str | None,
        embedder: Embedder,
        *,
        should_cancel: CancelCheck,
        report: Callable[[float, str], None],
    ) -> int:
        chunks = (
            chunk_segments(segments)
            if any(s.end for s in segments)
            else chunk_text("\n".join(s.text for s in segments))
        )
        summary_chunks = chunk_text(summary) if summary else []
        every = [*chunks, *summary_chunks]
        parts = []
        for start in range(0, len(every), 32):
            if should_cancel():
                raise JobCancelledError("Indexing was cancelled.", "Start it again when needed.")
            parts.append(embedder.embed([c.text for c in every[start : start + 32]]))
            report(min(0.95, (start + 32) / max(1, len(every))), "index: embedding")
        vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), np.float32)
        index = self._index()
        index.add_recording(
            recording_info(recording), model=self._model_key(), chunks=every, vectors=vectors
        )
        index.index_text(recording.id, "transcript", list(segments))
        if summary:
            index.index_text(recording.id, "summary", summary)
        return len(every)
