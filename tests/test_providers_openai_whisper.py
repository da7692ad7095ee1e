"""openai-whisper on a real checkpoint converted from the bundled CTranslate2 tiny.en weights.

openai-whisper's tokenizer opens its vocabulary file without closing it; the ResourceWarning
that raises (third-party code) is ignored for this module only, by its exact message.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from recordroute.config import Settings
from recordroute.errors import JobCancelledError, ProviderUnavailableError
from recordroute.providers import bundled, create_transcriber
from recordroute.providers.openai_whisper_engine import OpenAIWhisperTranscriber
from tests.support import JFK_TEXT, CancelAfterStart, joined_recordings, recording
from tests.support.wer import word_error_rate
from tests.support.whisper_checkpoint import build_checkpoint

pytestmark = pytest.mark.filterwarnings(
    r"ignore:unclosed file <_io\.TextIOWrapper name='[^']*gpt2\.tiktoken':ResourceWarning"
)


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny.en as an openai-whisper checkpoint, converted once per test session."""
    folder = bundled.locate("bundled-tiny.en", "speech", Settings())
    return build_checkpoint(folder, tmp_path_factory.mktemp("whisper") / "tiny.en.pt")


def transcriber(tmp_path: Path, model: str, **changes: object) -> OpenAIWhisperTranscriber:
    settings = Settings(
        data_dir=tmp_path / "db",
        speech_engine="openai-whisper",
        whisper_model=model,
        **changes,  # type: ignore[arg-type]
    )
    provider = create_transcriber(settings)
    assert isinstance(provider, OpenAIWhisperTranscriber)
    return provider


@pytest.mark.slow
def test_checkpoint_has_every_weight(checkpoint: Path) -> None:
    import torch
    import whisper

    saved = torch.load(checkpoint, weights_only=True)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**saved["dims"]))
    missing, unexpected = model.load_state_dict(saved["model_state_dict"], strict=False)
    assert missing == [] and unexpected == []
    assert saved["dims"]["n_vocab"] == 51864 and saved["dims"]["n_text_layer"] == 4


@pytest.mark.slow
def test_jfk_with_a_converted_checkpoint(checkpoint: Path, tmp_path: Path) -> None:
    progress: list[float] = []
    provider = transcriber(tmp_path, str(checkpoint))
    assert provider.available().ok

    result = provider.transcribe(
        recording("jfk.flac"), on_progress=lambda done, total: progress.append(done)
    )

    wer = word_error_rate(JFK_TEXT, result.text)
    assert wer <= 0.15, (wer, result.text)
    assert result.engine == "openai-whisper" and result.language == "en"
    assert result.languages == ((0.0, "en"),)
    assert progress[0] == 0.0 and progress[-1] == pytest.approx(11.0, abs=0.05)
    assert all(0.0 <= s.start < s.end <= 11.05 for s in result.segments)


@pytest.mark.slow
def test_initial_prompt_and_word_timestamps(checkpoint: Path, tmp_path: Path) -> None:
    result = transcriber(tmp_path, str(checkpoint)).transcribe(
        recording("hotwords.mp3"), initial_prompt="ComfyUI", word_timestamps=True
    )
    assert "ComfyUI" in result.text
    assert all(s.start < s.end for s in result.segments)


@pytest.mark.slow
def test_cancellation_between_tokens(checkpoint: Path, tmp_path: Path) -> None:
    audio = joined_recordings(
        tmp_path / "long.wav", ("jfk.flac", "hotwords.mp3", "multilingual.mp3")
    )
    canceller = CancelAfterStart(delay_s=1.0)
    with pytest.raises(JobCancelledError, match=r"Transcription of 'long\.wav' was cancelled"):
        transcriber(tmp_path, str(checkpoint)).transcribe(
            audio, on_progress=canceller.on_progress, should_cancel=canceller.should_cancel
        )
    assert canceller.seconds_since_flip() < 5.0
    # the decoder's key/value-cache hooks were removed: the model still transcribes cleanly
    again = transcriber(tmp_path, str(checkpoint)).transcribe(recording("jfk.flac"))
    assert word_error_rate(JFK_TEXT, again.text) <= 0.15


def test_bundled_names_are_for_faster_whisper(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(tmp_path, "bundled-base").load()
    assert "openai-whisper cannot load 'bundled-base'" in caught.value.message
    assert "RECORDROUTE_SPEECH_ENGINE=faster-whisper" in caught.value.fix


def test_folder_instead_of_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(tmp_path, str(tmp_path)).load()
    assert "openai-whisper needs a .pt checkpoint file" in caught.value.message


def test_file_that_is_not_a_checkpoint(tmp_path: Path) -> None:
    junk = tmp_path / "model.pt"
    junk.write_bytes(b"not a pickle" * 10)
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(tmp_path, str(junk)).load()
    assert f"'{junk}' is not an openai-whisper checkpoint" in caught.value.message
    assert "'dims' and 'model_state_dict'" in caught.value.fix


def test_standard_name_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download path is kept; without a network its failure says what to do."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # whisper's download folder
    provider = transcriber(tmp_path, "small")
    with pytest.raises(ProviderUnavailableError) as caught:
        provider.load()
    assert caught.value.message.startswith(
        "Whisper model 'small' is not on this machine and cannot be downloaded"
    )
    assert "local .pt checkpoint" in caught.value.fix

    status = provider.available()
    assert not status.ok and "not in openai-whisper's cache" in status.detail


def test_unknown_standard_name(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        transcriber(tmp_path, "large-v9").load()
    assert caught.value.message == "Whisper model 'large-v9' is not known to openai-whisper."
    assert "large-v3" in caught.value.fix


def test_cuda_requested_without_a_gpu(tmp_path: Path, checkpoint: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ProviderUnavailableError, match="openai-whisper cannot use a CUDA GPU"):
        transcriber(tmp_path, str(checkpoint), device="cuda").load()
