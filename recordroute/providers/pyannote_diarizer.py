"""Diarization with a pyannote pipeline that the user already has in a local folder.

pyannote's own models are gated (an account and a token are needed to download them), so
RecordRoute never fetches them.  A user who has a pipeline folder (``config.yaml`` beside
the model checkpoints it names) sets ``RECORDROUTE_DIARIZE_PROVIDER=pyannote`` and
``RECORDROUTE_PYANNOTE_PIPELINE=/path/to/folder``; ``pyannote.audio`` must be installed.
The voice vector of each speaker (for voice profiles) comes from the bundled voice encoder,
so profiles stay comparable whichever engine found the turns.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings, env_name
from ..engine_protocols import CancelCheck, Diarization, ProgressCallback, ProviderStatus
from ..errors import ConfigError, ProviderError, ProviderUnavailableError
from ..models import SpeakerTurn
from . import model_cache, voice_encoder
from .cancellation import raise_if_cancelled, report_progress
from .diarizer import speaker_label
from .media import SAMPLE_RATE, decode_audio
from .status import status_of

ENGINE = "pyannote"
REQUIREMENT = "pyannote.audio"
_run_lock = threading.Lock()


class PyannoteDiarizer:
    """:class:`~recordroute.engine_protocols.Diarizer` running a local pyannote pipeline folder."""

    name = ENGINE

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._encoder = voice_encoder.VoiceEncoder()

    def pipeline_folder(self) -> Path:
        """The configured folder; raises when it is unset or holds no ``config.yaml``."""
        raw = self._settings.pyannote_pipeline.strip()
        if not raw:
            raise ConfigError(
                "The pyannote diarizer needs a local pipeline folder, and none is set.",
                f"Set {env_name('pyannote_pipeline')} to a folder holding the pipeline's "
                f"config.yaml, or set {env_name('diarize_provider')}=bundled.",
            )
        folder = Path(raw).expanduser()
        config = folder / "config.yaml" if folder.is_dir() else folder
        if not config.is_file():
            raise ProviderUnavailableError(
                f"The pyannote pipeline folder {folder} has no config.yaml.",
                f"Point {env_name('pyannote_pipeline')} at the folder of a downloaded pyannote "
                "pipeline (it holds config.yaml and the checkpoints it names).",
            )
        return config

    def available(self) -> ProviderStatus:
        return status_of(ENGINE, self._check, REQUIREMENT)

    def _check(self) -> str:
        config = self.pipeline_folder()
        import pyannote.audio  # noqa: F401

        return f"pyannote pipeline {config}"

    def load(self) -> Any:
        config = self.pipeline_folder()
        return model_cache.get_or_load((ENGINE, str(config), "cpu", "float32"), _loader(config))

    def diarize(
        self,
        audio: Path,
        *,
        num_speakers: int | None = None,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Diarization:
        import torch

        entry = self.load()
        samples = decode_audio(Path(audio), should_cancel=should_cancel)
        duration = samples.size / SAMPLE_RATE
        report_progress(on_progress, 0.0, duration)
        fixed = num_speakers or self._settings.diarize_speakers or None
        kwargs: dict[str, Any] = {"num_speakers": fixed} if fixed else {}
        waveform = torch.from_numpy(samples).unsqueeze(0)
        with _run_lock, entry.lock:
            output = entry.model({"waveform": waveform, "sample_rate": SAMPLE_RATE}, **kwargs)
        raise_if_cancelled(should_cancel, "Diarization")
        annotation = getattr(output, "speaker_diarization", output)  # pyannote 4 wraps it
        rename: dict[str, str] = {}
        turns: list[SpeakerTurn] = []
        for segment, _track, label in annotation.itertracks(yield_label=True):
            name = rename.setdefault(str(label), speaker_label(len(rename)))
            turns.append(SpeakerTurn(round(segment.start, 3), round(segment.end, 3), name))
        turns.sort(key=lambda t: (t.start, t.end))
        voices = self._voices(samples, turns)
        report_progress(on_progress, duration, duration)
        return Diarization(
            turns=tuple(turns),
            speakers=tuple(dict.fromkeys(t.speaker for t in turns)),
            voices=voices,
            duration_s=duration,
            engine=ENGINE,
            model=str(entry.key[1]),
            voice_model=voice_encoder.MODEL,
        )

    def _voices(
        self, samples: np.ndarray, turns: list[SpeakerTurn]
    ) -> dict[str, tuple[float, ...]]:
        voices: dict[str, tuple[float, ...]] = {}
        for name in dict.fromkeys(t.speaker for t in turns):
            pieces = [
                samples[int(t.start * SAMPLE_RATE) : int(t.end * SAMPLE_RATE)]
                for t in turns
                if t.speaker == name
            ]
            joined = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
            if joined.size >= SAMPLE_RATE // 2:
                voices[name] = tuple(float(x) for x in self._encoder.embed_utterance(joined))
        return voices


def _loader(config: Path) -> Any:
    def load() -> Any:
        from pyannote.audio import Pipeline

        try:
            pipeline = Pipeline.from_pretrained(str(config))
        except Exception as exc:  # pyannote raises many kinds; all mean the folder is unusable
            raise ProviderError(
                f"The pyannote pipeline at {config} could not be loaded ({exc}).",
                "Check that the folder is a complete pyannote pipeline for the installed "
                "pyannote.audio version.",
            ) from exc
        if pipeline is None:
            raise ProviderError(
                f"pyannote returned no pipeline for {config}.",
                "Check the folder's config.yaml names a pipeline class.",
            )
        return pipeline

    return load
