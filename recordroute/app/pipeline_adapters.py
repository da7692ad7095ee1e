"""Adapters that give the pipeline its ports (recordings, jobs, the search index).

The pipeline knows only the protocols of :mod:`recordroute.pipeline.ports`; these
classes implement them over the storage and search packages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..engine_protocols import CancelCheck, Embedder
from ..errors import InvalidInputError, JobCancelledError
from ..models import Artifact, Job, Recording, Segment
from ..search import RecordingInfo, SearchIndex, chunk_segments, chunk_text
from ..storage import Library
from ..storage.jobs import JobRepository
from ..storage.keywords import KeywordRepository


def recording_info(rec: Recording) -> RecordingInfo:
    """What the search index keeps of a recording for its filters."""
    return RecordingInfo(rec.id, rec.created_at, rec.kind, rec.tags, rec.deleted)


class RecordingStoreAdapter:
    """The pipeline's view of the library (recordings, artifacts, keywords)."""

    def __init__(self, library: Library, keywords: KeywordRepository) -> None:
        self.library = library
        self.keywords = keywords

    def get_recording(self, recording_id: str) -> Recording:
        return self.library.get(recording_id)

    def source_path(self, recording_id: str) -> Path:
        source = self.library.repo.latest_artifact(recording_id, "source")
        if source is None:
            raise InvalidInputError(
                f"Recording {recording_id} has no stored file to process.",
                "Add the file again (the original import could not find it).",
            )
        return self.library.artifact_path(source)

    def find_artifact(self, recording_id: str, kind: str, fmt: str) -> Artifact | None:
        return self.library.repo.latest_artifact(recording_id, kind, fmt)

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
        self.keywords.set_keywords(recording_id, counts)

    def vocabulary(self, limit: int) -> list[str]:
        return self.keywords.vocabulary(limit)


class RingingJobStore:
    """The job repository, ringing the job doorbell after every change it makes, so that
    listeners in other processes (the API server's event hub) see it at once."""

    def __init__(self, repo: JobRepository, ring: Callable[[], object]) -> None:
        self.repo = repo
        self._ring = ring

    def get(self, job_id: str) -> Job:
        return self.repo.get(job_id)

    def claim_next(self, worker: str, job_ids: Sequence[str] | None = None) -> Job | None:
        job = self.repo.claim_next(worker, job_ids)
        if job is not None:
            self._ring()
        return job

    def progress(self, job_id: str, stage: str, percent: float, eta_s: float | None) -> bool:
        cancel = self.repo.progress(job_id, stage, percent, eta_s)
        self._ring()
        return cancel

    def cancel_requested(self, job_id: str) -> bool:
        return self.repo.cancel_requested(job_id)

    def steps_done(self, job_id: str) -> list[str]:
        return self.repo.steps_done(job_id)

    def step_done(self, job_id: str, step: str, note: str = "") -> None:
        self.repo.step_done(job_id, step, note)

    def finish(self, job_id: str, state: str, error: str = "") -> Job:
        job = self.repo.finish(job_id, state, error)
        self._ring()
        return job

    def requeue(self, job_id: str, delay_s: float, error: str) -> None:
        self.repo.requeue(job_id, delay_s, error)
        self._ring()

    def recover_interrupted(self, max_attempts: int) -> list[tuple[str, str]]:
        changed = self.repo.recover_interrupted(max_attempts)
        if changed:
            self._ring()
        return changed


class IndexSink:
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
