"""What the pipeline needs from the rest of the core, as protocols (no concrete classes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..engine_protocols import CancelCheck, Embedder
from ..models import Artifact, Job, Recording, Segment


class RecordingStore(Protocol):
    def get_recording(self, recording_id: str) -> Recording: ...

    def source_path(self, recording_id: str) -> Path: ...

    def find_artifact(self, recording_id: str, kind: str, fmt: str) -> Artifact | None: ...

    def read_text(self, artifact: Artifact) -> str: ...

    def save_artifact(
        self,
        recording_id: str,
        kind: str,
        fmt: str,
        data: bytes,
        *,
        file_name: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Artifact: ...

    def set_title(self, recording_id: str, title: str) -> None: ...

    def set_duration(self, recording_id: str, seconds: float) -> None: ...

    def set_keywords(self, recording_id: str, counts: dict[str, int]) -> None: ...

    def vocabulary(self, limit: int) -> list[str]: ...


class JobStore(Protocol):
    def get(self, job_id: str) -> Job: ...

    def claim_next(self, worker: str, job_ids: Sequence[str] | None = None) -> Job | None: ...

    def progress(self, job_id: str, stage: str, percent: float, eta_s: float | None) -> bool: ...

    def cancel_requested(self, job_id: str) -> bool: ...

    def steps_done(self, job_id: str) -> list[str]: ...

    def step_done(self, job_id: str, step: str, note: str = "") -> None: ...

    def finish(self, job_id: str, state: str, error: str = "") -> Job: ...

    def requeue(self, job_id: str, delay_s: float, error: str) -> None: ...

    def recover_interrupted(self, max_attempts: int) -> list[tuple[str, str]]: ...


class SearchSink(Protocol):
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
        """Replace the recording's chunks in the index; returns how many were indexed."""
        ...


class VoiceBook(Protocol):
    """The stored voice profiles, for naming known voices in new recordings."""

    #: the cosine similarity from which a voice is named (below it: only suggested)
    threshold: float

    def vectors(self, model: str) -> dict[str, list[list[float]]]: ...


class DurationProbe(Protocol):
    def __call__(self, path: Path) -> float | None: ...
