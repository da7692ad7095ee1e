"""Which files RecordRoute accepts, by suffix."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

from ..errors import UnsupportedFileError, echo
from ..models import RecordingKind

SUFFIXES: dict[str, tuple[str, ...]] = {
    "audio": (
        ".flac",
        ".m4a",
        ".mp3",
        ".mpeg",
        ".mpga",
        ".oga",
        ".ogg",
        ".opus",
        ".qta",
        ".wav",
        ".wma",
        ".aac",
        ".amr",
    ),
    "video": (".mp4", ".webm", ".mkv", ".mov", ".avi", ".m4v"),
    "text": (".md", ".txt", ".text", ".markdown"),
    "pdf": (".pdf",),
}


def detect_kind(file_name: str) -> RecordingKind:
    """The recording type of ``file_name``, or an error listing what is accepted."""
    suffix = PurePath(file_name).suffix.lower()
    for kind, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return kind  # type: ignore[return-value]
    accepted = " ".join(s for group in SUFFIXES.values() for s in group)
    raise UnsupportedFileError(
        f"{echo(file_name)} has a file type RecordRoute cannot process "
        f"({suffix[:20] or 'no suffix'}).",
        f"Convert it to one of: {accepted}.",
    )


#: longest stored file name, in UTF-8 bytes: file systems allow 255, and a recording's
#: outputs add ``.transcript.md`` and the like to its stem
MAX_NAME_BYTES = 200
#: longest display name, in characters
MAX_DISPLAY_CHARS = 300
_LONGEST_SUFFIX = 16


def base_name(name: str) -> str:
    """The last part of a file name as sent (NFC; no folders, control or reserved
    characters, no leading or trailing dots and spaces); may be empty."""
    base = PurePath(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '/\\:*?"<>|')
    return base.strip(" .")


def fit_name(name: str, *, max_bytes: int | None = None, max_chars: int | None = None) -> str:
    """``name`` cut to ``max_bytes`` UTF-8 bytes or ``max_chars`` characters, keeping its
    suffix (``.txt``) and never splitting a character."""
    suffix = PurePath(name).suffix
    if len(suffix) > _LONGEST_SUFFIX:
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    if max_chars is not None and len(name) > max_chars:
        stem = stem[: max(1, max_chars - len(suffix))]
    if max_bytes is not None and len((stem + suffix).encode("utf-8")) > max_bytes:
        room = max(1, max_bytes - len(suffix.encode("utf-8")))
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return (stem.rstrip(" .") or "file") + suffix


def clean_file_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A safe name for a stored file: no folders, no control characters, at most
    ``max_bytes`` bytes in UTF-8 (the suffix is kept)."""
    base = base_name(name)
    if not base:
        raise UnsupportedFileError(
            f"{echo(name)} is not a usable file name.", "Rename the file and try again."
        )
    return fit_name(base, max_bytes=max_bytes)
