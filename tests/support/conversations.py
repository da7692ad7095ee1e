"""Synthetic conversations with known speaker boundaries, built from the shared real recordings.

Seven real voices are cut from ``../shared/data/audio``: JFK (``jfk.flac``), the ComfyUI
speaker (``hotwords.mp3``), the English reader and the German reader of
``multilingual.mp3`` (0-29.1 s and 31.0-59.9 s: two different voices), the Korean FLEURS
reader (``ko_fleurs_1992.wav``), and the left and the right speaker of
``stereo_diarization.wav`` (each channel on its own).

Where each voice speaks inside its own clean clip is found once with the Silero VAD on that
clip alone (pauses of 0.25 s split it).  A turn is a run of those speech stretches, 2-15 s
long (a stretch longer than 15 s is cut at 15 s; the right stereo speaker has 2.3 s in all).
A conversation of ``speakers`` voices takes turns that alternate between speakers chosen at
random (each speaks at least twice); between two turns there is a pause (50 %: 0.2-1.0 s),
a quick hand-over (30 %: 0-0.2 s) or an overlap (20 %: the next speaker starts 0.3-1.0 s
before the previous one ends).  Each voice gets its own gain (-4 to +2 dB around -26 dBFS)
and the mix gets white noise 30 dB below the speech.  The reference is every turn's speech
stretches placed on the conversation's timeline, so overlaps are in the reference too.
"""

from __future__ import annotations

import dataclasses
import functools
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

RATE = 16_000
Turn = tuple[float, float, str]


@dataclasses.dataclass(frozen=True)
class Voice:
    name: str
    file: str
    channel: int | None  # None: all channels mixed
    start_s: float = 0.0
    end_s: float | None = None


VOICES = (
    Voice("jfk", "jfk.flac", None),
    Voice("comfy", "hotwords.mp3", None),
    Voice("en_reader", "multilingual.mp3", None, 0.0, 29.5),
    Voice("de_reader", "multilingual.mp3", None, 30.5, None),
    Voice("ko_reader", "ko_fleurs_1992.wav", None),
    Voice("left", "stereo_diarization.wav", 0),
    Voice("right", "stereo_diarization.wav", 1),
)


@dataclasses.dataclass(frozen=True)
class Conversation:
    name: str
    samples: np.ndarray
    reference: tuple[Turn, ...]
    voices: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return self.samples.size / RATE


def load_channel(path: Path, channel: int | None) -> np.ndarray:
    """16 kHz float32 samples of one channel (or the mono mix) of ``path``."""
    if path.suffix == ".wav" and channel is not None:
        with wave.open(str(path)) as handle:
            assert handle.getframerate() == RATE and handle.getsampwidth() == 2
            frames = handle.readframes(handle.getnframes())
            data = np.frombuffer(frames, dtype=np.int16).reshape(-1, handle.getnchannels())
        return (data[:, channel].astype(np.float32) / 32768.0).astype(np.float32)
    from recordroute.providers.media import decode_audio

    return decode_audio(path)


def speech_stretches(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where a clean single-voice clip has speech (Silero VAD, pauses of 0.25 s split)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(
        samples, VadOptions(min_silence_duration_ms=250, speech_pad_ms=30)
    )
    return [(c["start"] / RATE, c["end"] / RATE) for c in found]


#: voices with too little speech to split into an enrolment half and a test half
SHORT_VOICES = ("right", "comfy")


@functools.cache
def voice_material(
    audio_dir: Path, name: str, part: str | None = None
) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """The voice's clean samples (scaled to -26 dBFS speech) and its speech stretches.

    ``part`` "a" keeps the first half of the voice's speech time and "b" the second half
    (a stretch is cut where the halves meet), so enrolment and tests never share audio.
    """
    samples, stretches = _material(audio_dir, name)
    if part is None or name in SHORT_VOICES:
        return samples, stretches
    half = sum(b - a for a, b in stretches) / 2
    first: list[tuple[float, float]] = []
    second: list[tuple[float, float]] = []
    spent = 0.0
    for a, b in stretches:
        if spent >= half:
            second.append((a, b))
        elif spent + (b - a) <= half:
            first.append((a, b))
        else:
            cut = a + (half - spent)
            first.append((a, cut))
            second.append((cut, b))
        spent += b - a
    return samples, tuple(first if part == "a" else second)


@functools.cache
def _material(audio_dir: Path, name: str) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """The voice's clean samples (scaled to -26 dBFS speech) and its speech stretches."""
    voice = next(v for v in VOICES if v.name == name)
    samples = load_channel(audio_dir / voice.file, voice.channel)
    first = int(voice.start_s * RATE)
    last = samples.size if voice.end_s is None else int(voice.end_s * RATE)
    samples = samples[first:last]
    stretches = tuple(speech_stretches(samples))
    speech = np.concatenate([samples[int(a * RATE) : int(b * RATE)] for a, b in stretches])
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
    return (samples * (10 ** (-26 / 20) / rms)).astype(np.float32), stretches


def pick_turn(
    stretches: tuple[tuple[float, float], ...], rng: np.random.Generator
) -> tuple[float, float, list[tuple[float, float]]]:
    """(start, end, speech inside) of a 2-15 s run of stretches starting at a random one."""
    goal = float(rng.uniform(2.0, 15.0))
    for _ in range(50):
        first = int(rng.integers(len(stretches)))
        start = stretches[first][0]
        inside: list[tuple[float, float]] = []
        for a, b in stretches[first:]:
            if a - start >= goal and inside[-1][1] - start >= 2.0:
                break
            inside.append((a, min(b, start + 15.0)))
            if b - start >= 15.0:
                break
        if inside[-1][1] - start >= 2.0:
            return start, inside[-1][1], inside
    raise ValueError("this voice has no 2 s of speech")


def build(
    audio_dir: Path,
    seed: int,
    speakers: int,
    turns: int = 10,
    noise_db: float = 30.0,
    *,
    part: str | None = None,
    voices: Sequence[str] | None = None,
) -> Conversation:
    """A conversation of ``speakers`` random voices (or the given ``voices``)."""
    rng = np.random.default_rng(seed)
    if voices is None:
        chosen = [VOICES[i].name for i in rng.choice(len(VOICES), size=speakers, replace=False)]
    else:
        chosen = list(voices)
    order = _turn_order(chosen, turns, rng)
    gains = {name: 10 ** (float(rng.uniform(-4, 2)) / 20) for name in chosen}
    pieces: list[tuple[float, np.ndarray]] = []
    reference: list[Turn] = []
    cursor = 0.5
    previous_length = 0.0
    for index, name in enumerate(order):
        samples, stretches = voice_material(audio_dir, name, part)
        start, end, inside = pick_turn(stretches, rng)
        if index:
            roll = rng.uniform()
            if roll < 0.5:
                cursor += float(rng.uniform(0.2, 1.0))
            elif roll < 0.8:
                cursor += float(rng.uniform(0.0, 0.2))
            else:
                overlap = min(float(rng.uniform(0.3, 1.0)), 0.5 * min(previous_length, end - start))
                cursor -= overlap
        clip = samples[int(start * RATE) : int(end * RATE)] * gains[name]
        pieces.append((cursor, clip))
        reference += [(cursor + a - start, cursor + b - start, name) for a, b in inside]
        previous_length = end - start
        cursor += end - start
    total = int((cursor + 0.5) * RATE)
    mix = np.zeros(total, dtype=np.float32)
    for at, clip in pieces:
        first = int(at * RATE)
        mix[first : first + clip.size] += clip
    speech_rms = 10 ** (-26 / 20)
    mix += rng.normal(0, speech_rms * 10 ** (-noise_db / 20), total).astype(np.float32)
    return Conversation(
        name=f"conv{seed:02d}-{len(chosen)}spk{part or ''}",
        samples=mix,
        reference=tuple(sorted(reference)),
        voices=tuple(chosen),
    )


def _turn_order(chosen: list[str], turns: int, rng: np.random.Generator) -> list[str]:
    while True:
        order = [str(rng.choice(chosen))]
        while len(order) < turns:
            order.append(str(rng.choice([c for c in chosen if c != order[-1]])))
        if all(order.count(c) >= 2 for c in chosen):
            return order


def stereo_reference(audio_dir: Path) -> tuple[np.ndarray, tuple[Turn, ...]]:
    """``stereo_diarization.wav`` mixed to mono, and who speaks when from its two channels."""
    path = audio_dir / "stereo_diarization.wav"
    left, right = load_channel(path, 0), load_channel(path, 1)
    reference = [(a, b, "left") for a, b in speech_stretches(left)]
    reference += [(a, b, "right") for a, b in speech_stretches(right)]
    return ((left + right) / 2).astype(np.float32), tuple(sorted(reference))
