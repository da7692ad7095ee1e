"""Reading an original RecordRoute data folder (see the spec, section 2) without writing.

Everything is parsed and checked before anything is imported, so a corrupt file
stops the import with a clear message and changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..errors import CorruptDataError, InvalidInputError

#: ids of records whose original id was not a UUID are derived from it in this namespace
LEGACY_NAMESPACE = uuid.UUID("5b0b7f0e-6d1c-4f43-9a55-6f2b3b1d9e27")


@dataclasses.dataclass(frozen=True)
class LegacyFolder:
    root: Path
    history: list[dict[str, Any]]
    registry: dict[str, dict[str, Any]]
    index: dict[str, dict[str, Any]]
    raw: dict[str, str]  # file name -> verbatim JSON text


def _load_json(path: Path, expected: type, default: Any) -> tuple[Any, str | None]:
    if not path.exists():
        return default, None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorruptDataError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}).",
            "Restore the file from a backup; nothing was imported.",
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptDataError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            "Repair or restore the file, then import again; nothing was imported.",
        ) from None
    if not isinstance(value, expected):
        raise CorruptDataError(
            f"{path} holds a JSON {type(value).__name__}, expected a {expected.__name__}.",
            "Check that this is the original RecordRoute's file; nothing was imported.",
        )
    return value, text


def read_legacy_folder(root: Path) -> LegacyFolder:
    if not root.is_dir():
        raise InvalidInputError(
            f"{str(root)!r} is not a folder.",
            "Give the original RecordRoute's DB folder (the one holding upload_history.json).",
        )
    history_path = root / "upload_history.json"
    if not history_path.exists():
        raise InvalidInputError(
            f"{str(root)!r} has no upload_history.json, so it is not an original RecordRoute "
            "data folder.",
            "Give the folder set as DB_FOLDER_PATH in the original (by default its DB folder).",
        )
    raw: dict[str, str] = {}
    history, text = _load_json(history_path, list, [])
    raw["upload_history.json"] = text or "[]"
    registry, text = _load_json(root / "file_registry.json", dict, {})
    if text is not None:
        raw["file_registry.json"] = text
    index, text = _load_json(root / "vector_store" / "index.json", dict, {})
    if text is not None:
        raw["vector_store/index.json"] = text
    for number, record in enumerate(history):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise CorruptDataError(
                f"{history_path}: record {number} has no string 'id' ({str(record)[:80]!r}).",
                "Repair the record or remove it, then import again; nothing was imported.",
            )
    for key, entry in [*registry.items(), *index.items()]:
        if not isinstance(entry, dict):
            raise CorruptDataError(
                f"Entry {key!r} of the original data is a {type(entry).__name__}, not an object.",
                "Repair or remove that entry, then import again; nothing was imported.",
            )
    return LegacyFolder(root.resolve(), history, registry, index, raw)


def recording_id_for(legacy_id: str) -> str:
    try:
        return str(uuid.UUID(legacy_id))
    except ValueError:
        return str(uuid.uuid5(LEGACY_NAMESPACE, legacy_id))


def resolve_legacy_path(root: Path, stored: str | None) -> Path | None:
    """Where a stored ``DB/...`` path (or legacy variant) lies, if inside ``root``."""
    if not stored or not isinstance(stored, str):
        return None
    text = stored.replace("\\", "/")
    if text.startswith("/download/"):
        text = text[len("/download/") :]
    candidate = Path(text)
    if candidate.is_absolute():
        parts = candidate.parts
        # an absolute path written by the original: keep what follows the DB folder name
        for marker in ("uploads", "whisper_output", "deleted", "vector_store"):
            if marker in parts:
                text = "/".join(parts[parts.index(marker) :])
                break
        else:
            return None
    text = text.lstrip("/")
    if text.startswith("DB/"):
        text = text[3:]
    path = (root / PurePosixPath(text)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def load_vector(path: Path) -> np.ndarray[Any, Any]:
    try:
        vector: np.ndarray[Any, Any] = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise CorruptDataError(
            f"The vector file {path} cannot be read as a NumPy array ({exc}).",
            "Remove or restore that file, then import again; nothing was imported.",
        ) from None
    if vector.ndim != 1 or vector.size == 0 or not np.issubdtype(vector.dtype, np.floating):
        raise CorruptDataError(
            f"The vector file {path} holds a {vector.dtype} array of shape {vector.shape}, "
            "not a 1-D float vector.",
            "Remove or restore that file, then import again; nothing was imported.",
        )
    return vector
