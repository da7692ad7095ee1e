"""faster-whisper with the bundled models on real recordings: accuracy, languages, video,
progress, cancellation, the model cache and every error a user can meet."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from recordroute.config import Settings
from recordroute.errors import InvalidInputError, JobCancelledError, ProviderUnavailableError
from recordroute.providers import create_transcriber, model_cache
from recordroute.providers.faster_whisper_engine import FasterWhisperTranscriber
from tests.support import (
    JFK_TEXT,
    CancelAfterStart,
    ffmpeg,
    joined_recordings,
    recording,
    write_wav,
)
from tests.support.wer import word_error_rate

#: about 100 s of different speech (repeating one sentence would trigger Whisper's fallbacks)
LONG_MIX = ("jfk.flac", "hotwords.mp3", "stereo_diarization.wav", "multilingual.mp3")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder per module, so bundled-base is joined once."""
    return tmp_path_factory.mktemp("fw-data")


def transcriber(
    data_dir: Path, model: str = "bundled-tiny.en", **changes: object
) -> FasterWhisperTranscriber:
    settings = Settings(data_dir=data_dir, whisper_model=model, **changes)  # type: ignore[arg-type]
    provider = create_transcriber(settings)
    assert isinstance(provider, FasterWhisperTranscriber)
    return provider


@pytest.mark.slow
def test_jfk_with_tiny_en_matches_the_reference(data_dir: Path) -> None:
    progress: list[tuple[float, float | None]] = []
    result = transcriber(data_dir).transcribe(
        recording("jfk.flac"), on_progress=lambda done, total: progress.append((done, total))
    )

    wer = word_error_rate(JFK_TEXT, result.text)
    assert wer <= 0.1, (wer, result.text)
    assert result.language == "en" and result.languages == ((0.0, "en"),)
    assert result.engine == "faster-whisper" and result.model == "bundled-tiny.en"
    assert result.duration_s == pytest.approx(11.0, abs=0.05)
    assert all(0.0 <= s.start < s.end <= 11.05 for s in result.segments)
    assert progress[0] == (0.0, result.duration_s) and progress[-1][0] == result.duration_s
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)


@pytest.mark.slow
def test_word_timestamps_and_initial_prompt(data_dir: Path) -> None:
    result = transcriber(data_dir).transcribe(
        recording("jfk.flac"),
        language="en",
        initial_prompt="President Kennedy, inaugural address.",
        word_timestamps=True,
    )
    assert word_error_rate(JFK_TEXT, result.text) <= 0.1
    assert result.segments[0].start < 1.0


@pytest.mark.slow
def test_initial_prompt_teaches_a_product_name(data_dir: Path) -> None:
    provider = transcriber(data_dir)
    # the casing the model picks differs between CPUs (int8 kernels); the word does not
    assert "comfyui" not in provider.transcribe(recording("hotwords.mp3")).text.lower()
    prompted = provider.transcribe(recording("hotwords.mp3"), initial_prompt="ComfyUI")
    assert "comfyui" in prompted.text.lower()


@pytest.mark.slow
def test_multilingual_recording_reports_english_then_german(data_dir: Path) -> None:
    result = transcriber(data_dir, "bundled-base").transcribe(recording("multilingual.mp3"))

    assert [language for _start, language in result.languages] == ["en", "de"]
    assert result.languages[1][0] == pytest.approx(30.0, abs=3.0)
    assert result.language in ("en", "de")  # about 30 s of each
    assert "permission is hereby granted" in result.text.lower()
    assert "Software" in result.text and "Jeden" in result.text  # decoded as German
    forced = transcriber(data_dir, "bundled-base").transcribe(
        recording("multilingual.mp3"), language="en"
    )
    assert forced.language == "en" and forced.languages == ((0.0, "en"),)


@pytest.mark.slow
def test_video_file_is_transcribed(data_dir: Path, tmp_path: Path) -> None:
    video = tmp_path / "speech.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=green:s=128x96:r=10:d=11",
        "-i", str(recording("jfk.flac")),
        "-c:v", "libx264", "-c:a", "libopus", "-shortest", str(video),
    )  # fmt: skip
    result = transcriber(data_dir).transcribe(video)
    assert word_error_rate(JFK_TEXT, result.text) <= 0.1, result.text


@pytest.mark.slow
def test_silence_gives_no_segments(data_dir: Path, tmp_path: Path) -> None:
    noise = np.random.default_rng(0).normal(0, 1e-4, 10 * 16_000).astype(np.float32)
    result = transcriber(data_dir).transcribe(write_wav(tmp_path / "quiet.wav", noise))
    assert result.segments == () and result.text == ""
    assert result.duration_s == pytest.approx(10.0)


@pytest.mark.slow
def test_cancellation_stops_within_seconds(data_dir: Path, tmp_path: Path) -> None:
    long_audio = joined_recordings(tmp_path / "long.wav", LONG_MIX)
    canceller = CancelAfterStart(delay_s=1.0)
    with pytest.raises(JobCancelledError) as caught:
        transcriber(data_dir).transcribe(
            long_audio, on_progress=canceller.on_progress, should_cancel=canceller.should_cancel
        )
    assert canceller.seconds_since_flip() < 5.0
    assert caught.value.message == "Transcription of 'long.wav' was cancelled."


def test_cancelled_before_start_decodes_nothing(data_dir: Path) -> None:
    with pytest.raises(JobCancelledError):
        transcriber(data_dir).transcribe(recording("jfk.flac"), should_cancel=lambda: True)


@pytest.mark.slow
def test_model_is_loaded_once_for_all_threads(data_dir: Path) -> None:
    provider = transcriber(data_dir, "bundled-tiny.en", threads=1)
    seen: list[object] = []

    def load() -> None:
        seen.append(provider._loaded().model)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and all(model is seen[0] for model in seen)
    other = transcriber(data_dir, "bundled-tiny.en", threads=1)
    assert other._loaded().model is seen[0]
    keys = [k for k in model_cache.loaded_keys() if k[0] == "faster-whisper"]
    assert len(keys) == len(set(keys))
    assert all(k[3] == "int8" and k[2] == "cpu" for k in keys)


def test_unsupported_language_code(data_dir: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        transcriber(data_dir).transcribe(recording("jfk.flac"), language="kr")
    assert caught.value.message == "Language code 'kr' is not one Whisper knows."
    assert "'auto'" in caught.value.fix and "ko" in caught.value.fix


@pytest.mark.slow
def test_english_only_model_refuses_another_language(data_dir: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        transcriber(data_dir).transcribe(recording("jfk.flac"), language="ko")
    assert caught.value.message == (
        "Whisper model 'bundled-tiny.en' understands only English, but language 'ko' was requested."
    )
    assert "RECORDROUTE_WHISPER_MODEL=bundled-base" in caught.value.fix


def test_missing_model_path(data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "models" / "whisper-small"
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, str(missing)).load()
    assert caught.value.message == f"Whisper model path '{missing}' does not exist."
    assert "bundled-base" in caught.value.fix


def test_model_path_that_is_not_a_ctranslate2_folder(data_dir: Path, tmp_path: Path) -> None:
    checkpoint = tmp_path / "tiny.pt"
    checkpoint.write_bytes(b"x")
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, str(checkpoint)).load()
    assert "faster-whisper needs a CTranslate2 model folder" in caught.value.message
    assert "RECORDROUTE_SPEECH_ENGINE=openai-whisper" in caught.value.fix

    with pytest.raises(ProviderUnavailableError, match=r"has no model\.bin"):
        transcriber(data_dir, str(tmp_path)).load()

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, str(broken)).load()
    assert f"could not load the Whisper model at '{broken}'" in caught.value.message


def test_standard_model_name_fails_clearly_offline(data_dir: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, "large-v3").load()
    assert time.monotonic() - started < 30
    assert caught.value.message.startswith(
        "Whisper model 'large-v3' is not on this machine and cannot be downloaded"
    )
    assert "RECORDROUTE_WHISPER_MODEL=bundled-base" in caught.value.fix


def test_unknown_model_name(data_dir: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, "whisper-huge").load()
    assert caught.value.message == "Whisper model 'whisper-huge' is not known."
    assert "bundled-base" in caught.value.fix and "large-v3" in caught.value.fix


def test_cuda_requested_without_a_gpu(data_dir: Path) -> None:
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(data_dir, device="cuda").load()
    assert caught.value.message == (
        "RECORDROUTE_DEVICE=cuda, but faster-whisper cannot use a CUDA GPU on this machine."
    )
    assert "RECORDROUTE_DEVICE=auto or cpu" in caught.value.fix
