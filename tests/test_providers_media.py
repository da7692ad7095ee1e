"""Decoding audio and video through PyAV: samples, durations, audio extraction, bad files."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from recordroute.errors import InvalidInputError, JobCancelledError, UnsupportedFileError
from recordroute.providers.media import SAMPLE_RATE, decode_audio, extract_audio, probe_duration
from tests.support import ffmpeg, recording, write_wav


def test_decode_flac_to_16k_mono_float32() -> None:
    samples = decode_audio(recording("jfk.flac"))  # 44.1 kHz stereo 24-bit FLAC
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(samples.shape[0] / SAMPLE_RATE - 11.0) < 0.05
    assert 0.05 < float(np.abs(samples).max()) < 1.5  # resampling may overshoot full scale


def test_decode_resamples_a_tone_exactly(tmp_path: Path) -> None:
    t = np.arange(8000 * 2) / 8000
    source = write_wav(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * 440 * t), rate=8000)
    samples = decode_audio(source)
    assert samples.shape[0] == 2 * SAMPLE_RATE
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / samples.shape[0] - 440) < 2


def test_probe_duration_reads_headers() -> None:
    assert probe_duration(recording("multilingual.mp3")) == pytest.approx(59.9, abs=0.1)
    assert probe_duration(recording("jfk.flac")) == pytest.approx(11.0, abs=0.05)


def test_extract_audio_from_video_writes_wav_atomically(tmp_path: Path) -> None:
    video = tmp_path / "talk.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=blue:s=160x120:r=10:d=11",
        "-i", str(recording("jfk.flac")),
        "-c:v", "libx264", "-c:a", "aac", "-shortest", str(video),
    )  # fmt: skip
    target = extract_audio(video, tmp_path / "talk.wav")
    assert target == tmp_path / "talk.wav"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.mp4", "talk.wav"]
    with wave.open(str(target)) as wav:
        assert wav.getnchannels() == 1 and wav.getframerate() == SAMPLE_RATE
        assert abs(wav.getnframes() / SAMPLE_RATE - 11.0) < 0.2
    assert probe_duration(video) == pytest.approx(11.0, abs=0.2)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        decode_audio(tmp_path / "nothing.mp3")
    assert "nothing.mp3' does not exist" in caught.value.message
    assert "Check the path" in caught.value.fix


def test_undecodable_file_is_named_with_a_fix(tmp_path: Path) -> None:
    junk = tmp_path / "notes.mp3"
    junk.write_bytes(b"this is not audio at all " * 200)
    with pytest.raises(UnsupportedFileError) as caught:
        decode_audio(junk)
    assert "'notes.mp3' is not an audio or video file that FFmpeg can read" in caught.value.message
    assert "ffmpeg -i INPUT -ar 16000 -ac 1 OUTPUT.wav" in caught.value.fix
    with pytest.raises(UnsupportedFileError, match=r"notes\.mp3"):
        probe_duration(junk)


def test_truncated_file_fails_instead_of_returning_part(tmp_path: Path) -> None:
    source = recording("jfk.flac").read_bytes()
    broken = tmp_path / "broken.flac"
    broken.write_bytes(source[:4096] + bytes(200_000) + source[-50_000:])
    with pytest.raises(UnsupportedFileError) as caught:
        decode_audio(broken)
    assert "'broken.flac'" in caught.value.message


def test_video_without_audio_track(tmp_path: Path) -> None:
    silent_video = tmp_path / "screen.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64:r=5:d=1", "-c:v", "libx264", str(silent_video))
    with pytest.raises(UnsupportedFileError) as caught:
        decode_audio(silent_video)
    assert caught.value.message == "'screen.mp4' has no audio track."
    assert "audio stream" in caught.value.fix


def test_decoding_can_be_cancelled() -> None:
    with pytest.raises(JobCancelledError, match=r"Decoding of 'jfk\.flac' was cancelled"):
        decode_audio(recording("jfk.flac"), should_cancel=lambda: True)
