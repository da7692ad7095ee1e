"""What the two Whisper engines share: settings, status, loading and the decoded input."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..engine_protocols import CancelCheck, ProviderStatus
from .cancellation import raise_if_cancelled
from .languages import resolve_language
from .media import SAMPLE_RATE, decode_audio
from .status import status_of

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt


@dataclasses.dataclass(frozen=True)
class DecodedInput:
    """A recording ready for an engine: 16 kHz mono samples and what was asked for."""

    what: str  # names the work in cancellation messages
    forced_language: str | None
    samples: npt.NDArray[np.float32]

    @property
    def duration(self) -> float:
        return float(self.samples.shape[0] / SAMPLE_RATE)


class WhisperTranscriberBase:
    """Subclasses set ``name`` and ``requirement`` and implement ``_loaded``,
    ``_check_available`` and ``transcribe``."""

    name = ""
    requirement = ""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def model_name(self) -> str:
        return self._settings.whisper_model

    def available(self) -> ProviderStatus:
        """Whether the engine is installed and the model is on this machine (loads nothing)."""
        return status_of(self.name, self._check_available, self.requirement)

    def load(self) -> None:
        """Load the model now (it is otherwise loaded by the first transcription)."""
        self._loaded()

    def _loaded(self) -> Any:  # pragma: no cover - every engine overrides it
        raise NotImplementedError

    def _check_available(self) -> str:  # pragma: no cover - every engine overrides it
        raise NotImplementedError

    def _decode_input(
        self, audio: Path, language: str | None, should_cancel: CancelCheck | None
    ) -> DecodedInput:
        audio = Path(audio)
        what = f"Transcription of '{audio.name}'"
        forced = resolve_language(language, self._settings.language)
        raise_if_cancelled(should_cancel, what)
        samples = decode_audio(audio, should_cancel=should_cancel)
        return DecodedInput(what, forced, samples)
