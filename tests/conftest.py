"""Shared fixtures: an isolated environment and a RecordRoute on a fresh data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings

REPO = Path(__file__).resolve().parents[1]
SHARED_AUDIO = REPO.parent / "shared" / "data" / "audio"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No RECORDROUTE_* or DB_FOLDER_PATH from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("RECORDROUTE_") or key == "DB_FOLDER_PATH":
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "db", min_free_mb=0)


@pytest.fixture
def app(settings: Settings) -> Iterator[RecordRoute]:
    with RecordRoute(settings) as instance:
        yield instance


@pytest.fixture
def shared_audio() -> Path:
    if not SHARED_AUDIO.is_dir():
        pytest.skip(
            f"real recordings not available: {SHARED_AUDIO} is absent (../shared/data/audio)"
        )
    return SHARED_AUDIO


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path
