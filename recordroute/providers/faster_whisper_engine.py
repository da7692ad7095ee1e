"""Speech to text with faster-whisper (CTranslate2): the default engine.

Steps of :meth:`FasterWhisperTranscriber.transcribe`:

1. decode the file (any audio or video format) to 16 kHz mono through PyAV;
2. find the speech with the bundled Silero VAD and join it (silence cannot hallucinate);
3. unless a language is forced, detect the language of every 30 s of speech, so a
   recording that switches language reports each one; when more than one is found, the
   decoder re-detects the language per window (``multilingual=True``);
4. decode lazily: faster-whisper yields segments one by one, so progress (the end time of
   each segment) and cancellation (checked between segments) come naturally;
5. drop hallucinations and repetition loops (:mod:`.text_filters`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine_protocols import CancelCheck, ProgressCallback, Transcript
from ..errors import ProviderUnavailableError
from ..models import Segment
from . import model_cache
from .cancellation import raise_if_cancelled, report_progress
from .devices import ctranslate2_has_cuda, resolve_device
from .language_windows import LanguageWindow, dominant_language, language_runs
from .languages import UNDETERMINED, check_model_language
from .media import SAMPLE_RATE
from .text_filters import clean_segments
from .whisper_base import WhisperTranscriberBase
from .whisper_models import WhisperModelRef, offline_fix, resolve_for_faster_whisper

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

log = logging.getLogger(__name__)

ENGINE = "faster-whisper"
#: seconds of speech per language-detection window (Whisper's input length)
DETECT_WINDOW_S = 30.0
#: a last detection window shorter than this is left to the previous one's guess
MIN_DETECT_WINDOW_S = 5.0
BEAM_SIZE = 5
REQUIREMENT = "faster-whisper==1.2.1"


class FasterWhisperTranscriber(WhisperTranscriberBase):
    """:class:`~recordroute.engine_protocols.Transcriber` backed by faster-whisper."""

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
        model = self._loaded().model
        multilingual = bool(model.model.is_multilingual)
        check_model_language(self.model_name, multilingual, forced)
        report_progress(on_progress, 0.0, duration)

        from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

        raise_if_cancelled(should_cancel, what)
        speech_chunks = get_speech_timestamps(samples, VadOptions())
        if not speech_chunks:
            report_progress(on_progress, duration, duration)
            no_speech = forced or ("en" if not multilingual else UNDETERMINED)
            return self._transcript((), no_speech, duration, ())
        speech = np.concatenate([samples[c["start"] : c["end"]] for c in speech_chunks])
        timeline = SpeechTimestampsMap(speech_chunks, SAMPLE_RATE)

        if forced or not multilingual:
            fixed = forced or "en"
            windows = [LanguageWindow(0.0, duration, fixed)]
        else:
            windows = _detect_windows(model, speech, timeline, should_cancel, what)
        spoken = {w.language for w in windows}
        main_language = dominant_language(windows, UNDETERMINED)
        segments = self._decode(
            model,
            speech,
            speech_chunks,
            language=None if len(spoken) > 1 else main_language,
            initial_prompt=initial_prompt,
            word_timestamps=word_timestamps,
            progress=(on_progress, duration),
            should_cancel=should_cancel,
            what=what,
        )
        report_progress(on_progress, duration, duration)
        return self._transcript(tuple(segments), main_language, duration, language_runs(windows))

    def _decode(
        self,
        model: Any,
        speech: npt.NDArray[np.float32],
        speech_chunks: list[dict[str, int]],
        *,
        language: str | None,
        initial_prompt: str | None,
        word_timestamps: bool,
        progress: tuple[ProgressCallback | None, float],
        should_cancel: CancelCheck | None,
        what: str,
    ) -> list[Segment]:
        from faster_whisper.transcribe import restore_speech_timestamps

        on_progress, duration = progress
        found: list[Segment] = []
        # faster-whisper computes the features of everything it is given before the first
        # segment comes out; feeding it blocks of speech keeps that (and so the delay before
        # a cancellation is seen) short however long the recording is
        lengths = [c["end"] - c["start"] for c in speech_chunks]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
        for first, last in _blocks(lengths, BLOCK_SAMPLES):
            raise_if_cancelled(should_cancel, what)
            block = speech_chunks[first:last]
            block_speech = speech[offsets[first] : offsets[last]]
            lazy_segments, _info = model.transcribe(
                block_speech,
                language=language,
                multilingual=language is None,
                initial_prompt=initial_prompt or None,
                word_timestamps=word_timestamps,
                beam_size=BEAM_SIZE,
                vad_filter=False,  # done above, once
                condition_on_previous_text=False,
            )
            restored = restore_speech_timestamps(lazy_segments, block, SAMPLE_RATE)
            for piece in _in_background(restored, lazy_segments, should_cancel, what):
                found.append(Segment(float(piece.start), float(piece.end), piece.text))
                report_progress(on_progress, float(piece.end), duration)
        return clean_segments(found)

    def _transcript(
        self,
        segments: tuple[Segment, ...],
        language: str,
        duration: float,
        languages: tuple[tuple[float, str], ...],
    ) -> Transcript:
        return Transcript(
            segments=segments,
            language=language,
            duration_s=duration,
            engine=ENGINE,
            model=self.model_name,
            languages=languages or ((0.0, language),),
        )

    def _loaded(self) -> model_cache.LoadedModel[Any]:
        ref = resolve_for_faster_whisper(self._settings)
        device = resolve_device(self._settings.device, ENGINE, ctranslate2_has_cuda)
        compute_type = "float16" if device == "cuda" else "int8"
        key = (ENGINE, ref.location, device, compute_type)
        threads = self._settings.threads
        return model_cache.get_or_load(key, lambda: _load(ref, device, compute_type, threads))

    def _check_available(self) -> str:
        ref = resolve_for_faster_whisper(self._settings)
        if ref.source == "standard":
            from faster_whisper.utils import download_model

            try:
                download_model(ref.location, local_files_only=True)
            except Exception as exc:
                raise ProviderUnavailableError(
                    f"Whisper model '{ref.requested}' is not on this machine; faster-whisper "
                    "would download it on first use.",
                    offline_fix(ENGINE),
                ) from exc
        return f"model {ref.requested} ({ref.location})"


_DONE = object()


def _in_background(
    pieces: Iterator[Any], lazy: Any, should_cancel: CancelCheck | None, what: str
) -> Iterator[Any]:
    """Iterate ``pieces`` in a helper thread while this one watches for cancellation.

    A 30-second window cannot be interrupted inside CTranslate2 and takes seconds on a
    busy CPU; this way a cancellation is seen within 0.1 s, and the helper thread stops
    after the window it is decoding (its result is discarded).
    """
    results: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    break
                results.put(piece)
            results.put(_DONE)
        except BaseException as exc:  # handed to the consuming thread, which raises it
            results.put(exc)
        finally:
            pieces.close()  # type: ignore[attr-defined]
            lazy.close()

    worker = threading.Thread(target=produce, name="faster-whisper-decode", daemon=True)
    worker.start()
    try:
        while True:
            raise_if_cancelled(should_cancel, what)
            try:
                item = results.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


#: at most this much speech (two minutes) goes to faster-whisper at once
BLOCK_SAMPLES = 120 * SAMPLE_RATE


def _blocks(lengths: list[int], limit: int) -> list[tuple[int, int]]:
    """Index ranges of consecutive speech chunks holding at most ``limit`` samples each
    (a single longer chunk forms a range of its own)."""
    ranges: list[tuple[int, int]] = []
    start, size = 0, 0
    for index, length in enumerate(lengths):
        if index > start and size + length > limit:
            ranges.append((start, index))
            start, size = index, 0
        size += length
    if lengths:
        ranges.append((start, len(lengths)))
    return ranges


def _load(ref: WhisperModelRef, device: str, compute_type: str, threads: int) -> Any:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            ref.location, device=device, compute_type=compute_type, cpu_threads=threads
        )
    except Exception as exc:
        if ref.source == "standard":
            raise ProviderUnavailableError(
                f"Whisper model '{ref.requested}' is not on this machine and cannot be "
                f"downloaded ({type(exc).__name__}: {exc}).",
                offline_fix(ENGINE),
            ) from exc
        raise ProviderUnavailableError(
            f"faster-whisper could not load the Whisper model at '{ref.location}' ({exc}).",
            "Check that it is a complete CTranslate2 Whisper model folder (config.json, "
            "model.bin, tokenizer.json), or set RECORDROUTE_WHISPER_MODEL=bundled-base.",
        ) from exc


def _detect_windows(
    model: Any,
    speech: npt.NDArray[np.float32],
    timeline: Any,
    should_cancel: CancelCheck | None,
    what: str,
) -> list[LanguageWindow]:
    """The language of each :data:`DETECT_WINDOW_S` s of ``speech``, timed on the original clock."""
    size = int(DETECT_WINDOW_S * SAMPLE_RATE)
    windows: list[LanguageWindow] = []
    for offset in range(0, speech.shape[0], size):
        piece = speech[offset : offset + size]
        seconds = piece.shape[0] / SAMPLE_RATE
        if windows and seconds < MIN_DETECT_WINDOW_S:
            last = windows[-1]
            windows[-1] = LanguageWindow(
                last.start_s, last.duration_s + seconds, last.language, last.probability
            )
            break
        raise_if_cancelled(should_cancel, what)
        language, probability, _all = model.detect_language(audio=piece)
        start = float(timeline.get_original_time(offset / SAMPLE_RATE))
        windows.append(LanguageWindow(start, seconds, str(language), float(probability)))
    return windows
