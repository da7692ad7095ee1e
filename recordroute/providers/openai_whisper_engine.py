"""Speech to text with openai-whisper (PyTorch): standard model names or a ``.pt`` checkpoint.

openai-whisper reports progress only by printing (the original RecordRoute redirected the
process-wide ``sys.stdout`` to parse it).  Here nothing is printed (``verbose=None``):

* the audio is cut into windows of at most 30 s at their quietest moment
  (:mod:`.audio_windows`) and each window is one ``whisper.transcribe`` call, so progress is
  reported after every window, and each window's detected language is recorded;
* the model is wrapped so that ``should_cancel`` is checked (at most every 0.2 s) before
  each decoder step, i.e. between generated tokens, so cancelling waits at most for one
  encoder pass or one token;
* nearly silent windows are skipped (openai-whisper has no VAD and invents text there).

Whisper's decoder installs hooks on the shared model while it runs, so one model serves
one transcription at a time (its cache entry's lock).
"""

from __future__ import annotations

import logging
import urllib.error
from pathlib import Path
from typing import Any

from ..engine_protocols import CancelCheck, ProgressCallback, Transcript
from ..errors import ProviderUnavailableError
from ..models import Segment
from . import model_cache
from .audio_windows import is_silent, plan_windows
from .cancellation import raise_if_cancelled, report_progress, throttled
from .devices import resolve_device, torch_has_cuda
from .language_windows import LanguageWindow, dominant_language, language_runs
from .languages import UNDETERMINED, check_model_language
from .media import SAMPLE_RATE
from .text_filters import clean_segments
from .whisper_base import WhisperTranscriberBase
from .whisper_models import WhisperModelRef, offline_fix, resolve_for_openai_whisper

log = logging.getLogger(__name__)

ENGINE = "openai-whisper"
REQUIREMENT = "openai-whisper==20250625"
BEAM_SIZE = 5
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


class OpenAIWhisperTranscriber(WhisperTranscriberBase):
    """:class:`~recordroute.engine_protocols.Transcriber` backed by openai-whisper."""

    name = ENGINE
    requirement = REQUIREMENT

    def transcribe(
        self,
        audio: Path,
        *,
        language: str | None = None,
        initial_prompt: str | None = None,
        word_timestamps: bool = False,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Transcript:
        decoded = self._decode_input(audio, language, should_cancel)
        what, forced, samples, duration = (
            decoded.what,
            decoded.forced_language,
            decoded.samples,
            decoded.duration,
        )
        entry = self._loaded()
        model = entry.model
        multilingual = bool(model.is_multilingual)
        check_model_language(self.model_name, multilingual, forced)
        watched = _CancellableModel(model, should_cancel, what)
        report_progress(on_progress, 0.0, duration)

        found: list[Segment] = []
        windows: list[LanguageWindow] = []
        options = {
            "language": forced,
            "initial_prompt": initial_prompt or None,
            "word_timestamps": word_timestamps,
            "fp16": str(model.device).startswith("cuda"),
        }
        with entry.lock:
            for start, end in plan_windows(samples):
                raise_if_cancelled(should_cancel, what)
                offset, piece = start / SAMPLE_RATE, samples[start:end]
                if not is_silent(piece):
                    segments, spoken = _transcribe_window(watched, piece, offset, options)
                    found.extend(segments)
                    if segments:
                        windows.append(LanguageWindow(offset, (end - start) / SAMPLE_RATE, spoken))
                report_progress(on_progress, end / SAMPLE_RATE, duration)
        default = forced or ("en" if not multilingual else UNDETERMINED)
        main_language = dominant_language(windows, default)
        return Transcript(
            segments=tuple(clean_segments(found)),
            language=main_language,
            duration_s=duration,
            engine=ENGINE,
            model=self.model_name,
            languages=language_runs(windows) or ((0.0, main_language),),
        )

    def _loaded(self) -> model_cache.LoadedModel[Any]:
        ref = resolve_for_openai_whisper(self._settings)
        device = resolve_device(self._settings.device, ENGINE, torch_has_cuda)
        compute_type = "float16" if device == "cuda" else "float32"
        key = (ENGINE, ref.location, device, compute_type)
        threads = self._settings.threads
        return model_cache.get_or_load(key, lambda: _load(ref, device, threads))

    def _check_available(self) -> str:
        ref = resolve_for_openai_whisper(self._settings)
        if ref.source == "standard":
            import whisper

            # where whisper.load_model keeps downloads by default (XDG_CACHE_HOME may move it)
            file_name = Path(whisper._MODELS[ref.location]).name
            cached = Path.home() / ".cache" / "whisper" / file_name
            if not cached.is_file():
                raise ProviderUnavailableError(
                    f"Whisper model '{ref.requested}' is not in openai-whisper's cache "
                    f"({cached.parent}); it would be downloaded on first use.",
                    offline_fix(ENGINE),
                )
        return f"model {ref.requested} ({ref.location})"


def _transcribe_window(
    model: Any, piece: Any, offset: float, options: dict[str, Any]
) -> tuple[list[Segment], str]:
    """The segments (on the recording's clock) and the language of one window of <= 30 s."""
    import whisper

    result = whisper.transcribe(
        model,
        piece,
        verbose=None,  # print nothing
        condition_on_previous_text=False,
        temperature=TEMPERATURES,
        beam_size=BEAM_SIZE,
        best_of=BEAM_SIZE,
        **options,
    )
    segments = [
        Segment(offset + float(s["start"]), offset + float(s["end"]), str(s["text"]))
        for s in result["segments"]
        if str(s["text"]).strip()
    ]
    return segments, str(result["language"])


def _load(ref: WhisperModelRef, device: str, threads: int) -> Any:
    import torch
    import whisper

    if device == "cpu":
        torch.set_num_threads(threads)  # process-wide: PyTorch has no per-model setting
    try:
        return whisper.load_model(ref.location, device=device)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise ProviderUnavailableError(
            f"Whisper model '{ref.requested}' is not on this machine and cannot be "
            f"downloaded ({exc}).",
            offline_fix(ENGINE),
        ) from exc
    except Exception as exc:
        if ref.source == "standard":
            raise
        raise ProviderUnavailableError(
            f"'{ref.location}' is not an openai-whisper checkpoint ({type(exc).__name__}: {exc}).",
            "Give a .pt file saved by openai-whisper: a dict with 'dims' and 'model_state_dict'.",
        ) from exc


class _CancellableModel:
    """A Whisper model that checks for cancellation before each decoding step.

    ``decode`` runs whisper's decoding with this wrapper as the model, so every decoder
    forward pass (one per generated token) goes through :class:`_CancellableDecoder`;
    whisper removes its key/value-cache hooks in a ``finally`` when the check raises.
    Everything else is delegated to the real model.
    """

    def __init__(self, model: Any, should_cancel: CancelCheck | None, what: str) -> None:
        self._model = model
        self._check = throttled(should_cancel)
        self._what = what
        self.decoder = _CancellableDecoder(model.decoder, self._check, what)

    def decode(self, mel: Any, options: Any) -> Any:
        from whisper.decoding import decode

        raise_if_cancelled(self._check, self._what)
        return decode(self, mel, options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._model(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


class _CancellableDecoder:
    """The text decoder of a Whisper model, checking for cancellation before each step."""

    def __init__(self, decoder: Any, check: CancelCheck, what: str) -> None:
        self._decoder = decoder
        self._check = check
        self._what = what

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise_if_cancelled(self._check, self._what)
        return self._decoder(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decoder, name)
