"""Who spoke when, offline: Silero VAD, the bundled voice encoder, clustering.

Steps of :meth:`BundledDiarizer.diarize`:

1. decode the file to 16 kHz mono (PyAV) and find the speech with the Silero VAD that
   faster-whisper bundles (tighter settings than for transcription: pauses of 0.3 s split);
2. join the speech, raise it to the encoder's loudness, and embed a 1.2 s window every
   0.6 s of speech (:mod:`.voice_encoder`);
3. group the windows by voice (:mod:`.speaker_clustering`): the number of speakers is found,
   or given by the user;
4. give every 10 ms of speech the speaker whose voice the windows covering it match best,
   drop flickers shorter than 0.3 s, and map the result back onto the recording's timeline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import Settings
from ..engine_protocols import CancelCheck, Diarization, ProgressCallback, ProviderStatus
from ..models import SpeakerTurn
from . import speaker_clustering, voice_encoder
from .cancellation import raise_if_cancelled, report_progress
from .media import SAMPLE_RATE, decode_audio
from .status import status_of

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

ENGINE = "bundled"
#: 10 ms encoder frames in one embedding window (1.2 s) and between two windows (0.6 s)
WINDOW = 120
WINDOW_STEP = 60
#: shortest run of one speaker kept (in 10 ms frames)
MIN_RUN = 30
#: a speaker found (not given) with less speech than this in all (100 frames = 1 s) is a
#: stray stretch of another voice (a breath, a word's tail), not a person of its own
MIN_SPEAKER_FRAMES = 100
_HOP = voice_encoder.HOP


@dataclasses.dataclass(frozen=True)
class DiarizeOptions:
    num_speakers: int | None = None
    max_speakers: int = 8
    threshold: float = speaker_clustering.DEFAULT_THRESHOLD
    vad_threshold: float = 0.5
    min_silence_ms: int = 300
    speech_pad_ms: int = 60
    #: embedding windows: length and step in 10 ms frames (1.2 s every 0.6 s: half the cost
    #: of the encoder's 1.6 s every 0.4 s, for the same DER on the benchmark's conversations)
    window_frames: int = WINDOW
    step_frames: int = WINDOW_STEP


def speaker_label(index: int) -> str:
    """The label of the ``index``-th speaker (from 0): "Speaker 1", "Speaker 2", ..."""
    return f"Speaker {index + 1}"


class BundledDiarizer:
    """The :class:`~recordroute.engine_protocols.Diarizer` on the voice encoder a package ships."""

    name = ENGINE

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._encoder = voice_encoder.VoiceEncoder()

    @property
    def model_name(self) -> str:
        return voice_encoder.MODEL

    def available(self) -> ProviderStatus:
        return status_of(ENGINE, self._check, voice_encoder.REQUIREMENT)

    def _check(self) -> str:
        import faster_whisper.vad  # noqa: F401  (the VAD ships with faster-whisper)

        path = voice_encoder.weights_path()
        voice_encoder.check_weights(path)
        return f"Silero VAD + voice encoder {voice_encoder.MODEL} ({path})"

    def load(self) -> None:
        self._encoder.loaded()

    def options(self, num_speakers: int | None) -> DiarizeOptions:
        s = self._settings
        fixed = num_speakers if num_speakers else (s.diarize_speakers or None)
        return DiarizeOptions(
            num_speakers=fixed, max_speakers=s.diarize_max_speakers, threshold=s.diarize_threshold
        )

    def diarize(
        self,
        audio: Path,
        *,
        num_speakers: int | None = None,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Diarization:
        samples = decode_audio(Path(audio), should_cancel=should_cancel)
        return self.diarize_samples(
            samples,
            self.options(num_speakers),
            on_progress=on_progress,
            should_cancel=should_cancel,
        )

    def diarize_samples(
        self,
        samples: npt.NDArray[np.float32],
        options: DiarizeOptions,
        *,
        on_progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Diarization:
        duration = samples.size / SAMPLE_RATE
        report_progress(on_progress, 0.0, duration)
        regions = speech_regions(samples, options)
        raise_if_cancelled(should_cancel, "Diarization")
        report_progress(on_progress, 0.15 * duration, duration)
        if not regions:
            return self._result((), {}, duration)
        speech = voice_encoder.normalize_volume(np.concatenate([samples[a:b] for a, b in regions]))
        frames = max(1, speech.size // _HOP)
        window, step = options.window_frames, options.step_frames
        starts = np.arange(0, max(1, frames - window + step), step, dtype=np.int64)
        mels = voice_encoder.mel_frames(speech)
        parts: list[npt.NDArray[np.float32]] = []
        chunk = 128
        for first in range(0, starts.size, chunk):
            raise_if_cancelled(should_cancel, "Diarization")
            part = starts[first : first + chunk]
            parts.append(self._encoder.embed_mel_windows(mels, part, window))
            done = 0.15 + 0.75 * min(1.0, (first + part.size) / starts.size)
            report_progress(on_progress, done * duration, duration)
        vectors = np.concatenate(parts)
        labels = speaker_clustering.cluster(
            vectors,
            num_speakers=options.num_speakers,
            max_speakers=options.max_speakers,
            threshold=options.threshold,
        )
        centres = _centres(vectors, labels)
        least = MIN_SPEAKER_FRAMES if options.num_speakers is None else 0
        frame_labels = frame_speakers(vectors @ centres.T, starts, frames, window, least)
        turns = to_turns(frame_labels, regions)
        # number the speakers by first appearance; a group left with no turn is dropped
        order = list(dict.fromkeys(t.speaker for t in turns))
        final = tuple(
            SpeakerTurn(t.start, t.end, speaker_label(order.index(t.speaker))) for t in turns
        )
        voices = {
            speaker_label(order.index(speaker_label(k))): tuple(float(x) for x in centres[k])
            for k in range(centres.shape[0])
            if speaker_label(k) in order
        }
        report_progress(on_progress, duration, duration)
        return self._result(final, voices, duration)

    def _result(
        self, turns: tuple[SpeakerTurn, ...], voices: dict[str, tuple[float, ...]], duration: float
    ) -> Diarization:
        speakers = tuple(dict.fromkeys(t.speaker for t in turns))
        return Diarization(
            turns=turns,
            speakers=speakers,
            voices=voices,
            duration_s=duration,
            engine=ENGINE,
            model=voice_encoder.MODEL,
            voice_model=voice_encoder.MODEL,
        )


def speech_regions(
    samples: npt.NDArray[np.float32], options: DiarizeOptions
) -> list[tuple[int, int]]:
    """(first sample, end sample) of each stretch of speech, from the Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(
        samples,
        VadOptions(
            threshold=options.vad_threshold,
            min_speech_duration_ms=150,
            min_silence_duration_ms=options.min_silence_ms,
            speech_pad_ms=options.speech_pad_ms,
        ),
    )
    return [(int(c["start"]), int(c["end"])) for c in found if c["end"] > c["start"]]


def _centres(
    vectors: npt.NDArray[np.float32], labels: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    rows = [vectors[labels == k].mean(axis=0) for k in range(int(labels.max()) + 1)]
    return speaker_clustering.normalize_rows(np.stack(rows))


def frame_speakers(
    scores: npt.NDArray[np.float32],
    starts: npt.NDArray[np.int64],
    frames: int,
    window: int,
    min_speaker_frames: int = 0,
) -> npt.NDArray[np.int64]:
    """The best speaker of each 10 ms frame: the mean score of the windows that cover it.

    A speaker who would hold fewer than ``min_speaker_frames`` frames in all gives them to
    the next best speaker of each frame (while another speaker is left).
    """
    speakers = scores.shape[1]
    total = np.zeros((frames + window + 1, speakers))
    count = np.zeros(frames + window + 1)
    np.add.at(total, starts, scores)
    np.add.at(total, starts + window, -scores)
    np.add.at(count, starts, 1)
    np.add.at(count, starts + window, -1)
    mean = np.cumsum(total, axis=0)[:frames] / np.maximum(np.cumsum(count)[:frames, None], 1)
    labels = np.argmax(mean, axis=1).astype(np.int64)
    while True:
        held = np.bincount(labels, minlength=speakers)
        present = np.flatnonzero(held)
        if present.size < 2 or held[present].min() >= min_speaker_frames:
            break
        mean[:, present[np.argmin(held[present])]] = -np.inf
        labels = np.argmax(mean, axis=1).astype(np.int64)
    return remove_flicker(labels, MIN_RUN)


def remove_flicker(labels: npt.NDArray[np.int64], min_run: int) -> npt.NDArray[np.int64]:
    """Runs shorter than ``min_run`` frames take the speaker of the run before (or after)."""
    labels = labels.copy()
    while True:
        change = np.flatnonzero(np.diff(labels)) + 1
        bounds = np.concatenate([[0], change, [labels.size]])
        lengths = np.diff(bounds)
        short = [i for i in np.argsort(lengths) if lengths[i] < min_run and len(lengths) > 1]
        if not short:
            return labels
        i = int(short[0])
        a, b = int(bounds[i]), int(bounds[i + 1])
        labels[a:b] = labels[a - 1] if a > 0 else labels[b]


def to_turns(
    frame_labels: npt.NDArray[np.int64], regions: list[tuple[int, int]]
) -> list[SpeakerTurn]:
    """Turns on the recording's timeline from labels on the joined speech's 10 ms frames."""
    turns: list[SpeakerTurn] = []
    offset = 0  # samples of joined speech before this region
    for a, b in regions:
        first = offset // _HOP
        last = min(frame_labels.size, -(-(offset + b - a) // _HOP))
        labels = frame_labels[first:last]
        position = a
        for run_start, run_end, label in _runs(labels):
            start_s = max(a, a + (first + run_start) * _HOP - offset) / SAMPLE_RATE
            end_s = min(b, a + (first + run_end) * _HOP - offset) / SAMPLE_RATE
            start_s = max(start_s, position / SAMPLE_RATE)
            if end_s > start_s:
                _append(
                    turns, SpeakerTurn(round(start_s, 3), round(end_s, 3), speaker_label(label))
                )
            position = int(end_s * SAMPLE_RATE)
        offset += b - a
    return turns


def _runs(labels: npt.NDArray[np.int64]) -> list[tuple[int, int, int]]:
    if labels.size == 0:
        return []
    change = np.flatnonzero(np.diff(labels)) + 1
    bounds = [0, *change.tolist(), labels.size]
    return [(bounds[i], bounds[i + 1], int(labels[bounds[i]])) for i in range(len(bounds) - 1)]


def _append(turns: list[SpeakerTurn], turn: SpeakerTurn) -> None:
    """Add ``turn``, joining it to the previous one when the same speaker goes on."""
    if turns and turns[-1].speaker == turn.speaker and turn.start - turns[-1].end <= 0.05:
        turns[-1] = SpeakerTurn(turns[-1].start, turn.end, turn.speaker)
    else:
        turns.append(turn)
