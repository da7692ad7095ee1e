"""Which files RecordRoute accepts, by suffix."""

from __future__ import annotations

from pathlib import PurePath

from ..errors import UnsupportedFileError
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
        f"{file_name!r} has a file type RecordRoute cannot process ({suffix or 'no suffix'}).",
        f"Convert it to one of: {accepted}.",
    )


def clean_file_name(name: str) -> str:
    """A safe base name for a stored file: no folders, no control characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '/\\:*?"<>|')
    base = base.strip(" .")
    if not base:
        raise UnsupportedFileError(
            f"{name!r} is not a usable file name.", "Rename the file and try again."
        )
    return base[:200]
