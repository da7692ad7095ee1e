"""Turning RECORDROUTE_WHISPER_MODEL into something an engine can load.

A model is named in one of three ways:

* ``bundled-tiny.en`` / ``bundled-base``: CTranslate2 models that ship in pip packages
  (faster-whisper only);
* a path: a CTranslate2 model folder (faster-whisper) or a ``.pt`` checkpoint file
  (openai-whisper);
* a standard Whisper name (``tiny``, ``base``, ``small``, ``large-v3``, ...): loaded from the
  engine's cache, downloaded there on first use when the machine is online.  faster-whisper
  also accepts a model repository id such as ``owner/faster-whisper-small``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from ..config import Settings
from ..errors import ProviderUnavailableError
from . import bundled

Source = Literal["bundled", "path", "standard"]
_FIX_NAME = (
    "Set RECORDROUTE_WHISPER_MODEL to bundled-base (multilingual) or bundled-tiny.en, "
    "to a standard Whisper name such as small or large-v3, or to a local model path."
)


@dataclasses.dataclass(frozen=True)
class WhisperModelRef:
    """A resolved model: what the user asked for and what the engine is given."""

    requested: str
    source: Source
    location: str  # a local path, or a name/repository id the engine downloads
    multilingual: bool | None  # None when only the loaded model can tell


def looks_like_path(name: str, standard_names: tuple[str, ...] = ()) -> bool:
    """Whether ``name`` is meant as a file-system path rather than a model name.

    Explicit paths (``/``, ``~``, ``.``, a drive letter) always are; a standard model name
    is not, even if a folder of that name happens to exist in the working directory.
    """
    if name.startswith(("/", "~", ".", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return name not in standard_names and Path(name).exists()


def resolve_for_faster_whisper(settings: Settings) -> WhisperModelRef:
    """The model faster-whisper should load for ``settings.whisper_model``."""
    name = settings.whisper_model.strip()
    if name.startswith("bundled-"):
        model = bundled.get_bundled(name, "speech")
        folder = bundled.locate(name, "speech", settings)
        return WhisperModelRef(name, "bundled", str(folder), model.multilingual)
    from faster_whisper.utils import available_models

    if looks_like_path(name, tuple(available_models())):
        folder = _existing_path(name)
        if not folder.is_dir():
            raise ProviderUnavailableError(
                f"Whisper model '{folder}' is a file, but faster-whisper needs a CTranslate2 "
                "model folder (config.json, model.bin, tokenizer.json).",
                "Point RECORDROUTE_WHISPER_MODEL at such a folder, or, for an openai-whisper "
                ".pt checkpoint, set RECORDROUTE_SPEECH_ENGINE=openai-whisper.",
            )
        if not (folder / "model.bin").is_file():
            raise ProviderUnavailableError(
                f"Whisper model folder '{folder}' has no model.bin, so it is not a CTranslate2 "
                "model.",
                "Convert the model with ctranslate2's ct2-transformers-converter, or use "
                "RECORDROUTE_WHISPER_MODEL=bundled-base.",
            )
        return WhisperModelRef(name, "path", str(folder), None)
    if name in available_models() or "/" in name:
        return WhisperModelRef(name, "standard", name, not name.endswith(".en"))
    raise ProviderUnavailableError(f"Whisper model '{name}' is not known.", _FIX_NAME)


def resolve_for_openai_whisper(settings: Settings) -> WhisperModelRef:
    """The model openai-whisper should load for ``settings.whisper_model``."""
    name = settings.whisper_model.strip()
    if name.startswith("bundled-"):
        raise ProviderUnavailableError(
            f"openai-whisper cannot load '{name}': the bundled models are CTranslate2 weights "
            "for faster-whisper.",
            "Set RECORDROUTE_SPEECH_ENGINE=faster-whisper, or set RECORDROUTE_WHISPER_MODEL to "
            "a standard Whisper name (e.g. small) or a .pt checkpoint file.",
        )
    import whisper

    if looks_like_path(name, tuple(whisper.available_models())):
        checkpoint = _existing_path(name)
        if not checkpoint.is_file():
            raise ProviderUnavailableError(
                f"Whisper model '{checkpoint}' is a folder, but openai-whisper needs a .pt "
                "checkpoint file.",
                "Point RECORDROUTE_WHISPER_MODEL at a .pt file, or, for a CTranslate2 folder, "
                "set RECORDROUTE_SPEECH_ENGINE=faster-whisper.",
            )
        return WhisperModelRef(name, "path", str(checkpoint), None)
    if name in whisper.available_models():
        return WhisperModelRef(name, "standard", name, not name.endswith(".en"))
    raise ProviderUnavailableError(
        f"Whisper model '{name}' is not known to openai-whisper.",
        f"Use one of {', '.join(whisper.available_models())}, or a path to a .pt checkpoint.",
    )


def offline_fix(engine: str) -> str:
    """How to get a standard model onto a machine without internet."""
    if engine == "openai-whisper":
        return (
            "Connect to the internet once so openai-whisper can cache the model, or set "
            "RECORDROUTE_WHISPER_MODEL to a local .pt checkpoint."
        )
    return (
        "Connect to the internet once so faster-whisper can cache the model, put a CTranslate2 "
        "model folder on this machine and set RECORDROUTE_WHISPER_MODEL to its path, or set "
        "RECORDROUTE_WHISPER_MODEL=bundled-base."
    )


def _existing_path(name: str) -> Path:
    path = Path(name).expanduser()
    if not path.exists():
        raise ProviderUnavailableError(
            f"Whisper model path '{path}' does not exist.",
            f"Check the path. {_FIX_NAME}",
        )
    return path
