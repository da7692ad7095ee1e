"""Helpers shared by the tests: real recordings, a WER metric, test doubles for remote services."""

from __future__ import annotations

import shutil
import subprocess
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


def repeated_speech(path: Path, source: Path, times: int, gap_s: float = 1.0) -> Path:
    """A WAV file of ``source`` spoken ``times`` times with ``gap_s`` of silence between."""
    from recordroute.providers.media import SAMPLE_RATE, decode_audio

    speech = decode_audio(source)
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    return write_wav(path, np.concatenate([np.concatenate([speech, gap])] * times))
