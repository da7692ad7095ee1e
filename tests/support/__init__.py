"""Helpers shared by the tests: real recordings, a WER metric, test doubles for remote services."""

from __future__ import annotations

import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest

#: real recordings with reference transcripts, beside the repository (never copied into it)
AUDIO_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "audio"

JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def recording(name: str) -> Path:
    """The shared recording ``name``; skips the test when the shared folder is absent."""
    path = AUDIO_DIR / name
    if not path.is_file():
        pytest.skip(f"real recording {name} not available: {path} is absent (../shared/data/audio)")
    return path


def ffmpeg(*args: str) -> None:
    """Run the ffmpeg program quietly; skips the test when it is not installed."""
    program = shutil.which("ffmpeg")
    if program is None:
        pytest.skip("the ffmpeg program is not installed (apt-get install ffmpeg)")
    subprocess.run(
        [program, "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=120,
    )


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Write mono float samples in [-1, 1] as a 16-bit WAV file."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def joined_recordings(path: Path, names: tuple[str, ...], gap_s: float = 0.5) -> Path:
    """A WAV file of the shared recordings ``names`` one after another (distinct speech)."""
    from recordroute.providers.media import SAMPLE_RATE, decode_audio

    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    parts = [np.concatenate([decode_audio(recording(name)), gap]) for name in names]
    return write_wav(path, np.concatenate(parts))


class CancelAfterStart:
    """A progress callback and cancel check that cancel ``delay_s`` after the first report."""

    def __init__(self, delay_s: float = 1.0) -> None:
        self.delay_s = delay_s
        self.flip_at: float | None = None

    def on_progress(self, done: float, total: float | None) -> None:
        if self.flip_at is None:
            self.flip_at = time.monotonic() + self.delay_s

    def should_cancel(self) -> bool:
        return self.flip_at is not None and time.monotonic() >= self.flip_at

    def seconds_since_flip(self) -> float:
        assert self.flip_at is not None, "no progress was reported"
        return time.monotonic() - self.flip_at
