"""What an engine is: the protocols for speech, text, embedding and diarization engines
(the pipeline talks to these; the adapters live in ``providers/``).

Every provider is created by name from :class:`~recordroute.config.Settings`,
imports its engine lazily and loads its model once per process behind a lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .models import Segment, SpeakerTurn

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt

#: called with (seconds of audio done, total seconds or None)
ProgressCallback = Callable[[float, float | None], None]
#: returns True when the work should stop; the provider then raises JobCancelledError
CancelCheck = Callable[[], bool]


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What a speech provider returns."""

    segments: tuple[Segment, ...]
    language: str
    duration_s: float
    engine: str
    model: str
    #: per-window language guesses (start second, language) where the engine gives them
    languages: tuple[tuple[float, str], ...] = ()

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())


@dataclasses.dataclass(frozen=True)
class ProviderStatus:
    """The answer of ``available()``: whether it can run, and if not, how to fix it."""

    ok: bool
    name: str
    detail: str = ""
    fix: str = ""


@runtime_checkable
class Transcriber(Protocol):
    name: str

    def available(self) -> ProviderStatus: ...

    def transcribe(
        self,
        audio: Path,
        *,
        language: str | None = None,
        initial_prompt: str | None = None,
        word_timestamps: bool = False,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Transcript: ...


@runtime_checkable
class LanguageModel(Protocol):
    name: str

    @property
    def context_window(self) -> int: ...

    def available(self) -> ProviderStatus: ...

    def count_tokens(self, text: str) -> int: ...

    def complete(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        should_cancel: CancelCheck | None = None,
    ) -> str: ...


@runtime_checkable
class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def available(self) -> ProviderStatus: ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclasses.dataclass(frozen=True)
class Diarization:
    """What a diarization provider returns: who spoke when, and a voice vector per speaker."""

    turns: tuple[SpeakerTurn, ...]
    #: speaker labels in order of first appearance ("Speaker 1", "Speaker 2", ...)
    speakers: tuple[str, ...]
    #: label -> L2-normalised voice vector (empty when the engine gives none)
    voices: dict[str, tuple[float, ...]]
    duration_s: float
    engine: str
    model: str
    #: the model that made ``voices`` (profiles compare only vectors of one model)
    voice_model: str = ""

    def speaking_time(self) -> dict[str, float]:
        totals = dict.fromkeys(self.speakers, 0.0)
        for turn in self.turns:
            totals[turn.speaker] = totals.get(turn.speaker, 0.0) + turn.end - turn.start
        return totals


@runtime_checkable
class Diarizer(Protocol):
    name: str

    def available(self) -> ProviderStatus: ...

    def diarize(
        self,
        audio: Path,
        *,
        num_speakers: int | None = None,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Diarization: ...
