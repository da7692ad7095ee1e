"""The RecordRoute exception tree.

Every error says what was wrong (naming the bad value) and how to fix it.  Edges
map the classes to exit codes or HTTP statuses through one table each; the core
never swallows an exception and never reads corrupt data as empty.
"""

from __future__ import annotations

#: how much of a bad value a message repeats
ECHO_CHARS = 80


def echo(value: object, limit: int = ECHO_CHARS) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters, saying how long it was.

    Messages repeat the bad value so the user sees what was wrong, but never a whole
    100 KB input.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, str | bytes | list | tuple | dict) else len(text)
    unit = "bytes" if isinstance(value, bytes) else "characters"
    return f"{text[:limit]}... ({size} {unit})"


def size_text(size: int) -> str:
    """A size for people: ``2.9 MB``, ``512 KB``, ``37 bytes`` (1 MB = 1024 KB)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{size} bytes"


class RecordRouteError(Exception):
    """Base class: ``message`` says what went wrong, ``fix`` says what to do."""

    #: stable machine-readable code, used in JSON error bodies
    code = "error"

    def __init__(self, message: str, fix: str = "") -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} {fix}".strip() if fix else message)


class ConfigError(RecordRouteError):
    """A setting has a value that is not allowed."""

    code = "config_invalid"


class InvalidInputError(RecordRouteError):
    """An argument or request value is malformed or out of range."""

    code = "invalid_input"


class UnsafePathError(InvalidInputError):
    """A path or identifier from outside would escape the data folder."""

    code = "unsafe_path"


class UnsupportedFileError(InvalidInputError):
    """A file's type is not one RecordRoute can process."""

    code = "unsupported_file"


class EmptyFileError(InvalidInputError):
    """A file to add has no content."""

    code = "empty_file"


class NotFoundError(RecordRouteError):
    """A recording, artifact or job does not exist (or is not visible)."""

    code = "not_found"


class ConflictError(RecordRouteError):
    """The request contradicts the current state (e.g. purge of an active recording)."""

    code = "conflict"


class DuplicateRecordingError(ConflictError):
    """An upload has the same content as an existing, non-deleted recording."""

    code = "duplicate"

    def __init__(self, message: str, fix: str = "", *, existing_id: str = "") -> None:
        super().__init__(message, fix)
        self.existing_id = existing_id


class StorageError(RecordRouteError):
    """The data folder or database cannot be read or written."""

    code = "storage_error"


class CorruptDataError(StorageError):
    """A file that should hold structured data cannot be parsed."""

    code = "corrupt_data"


class StorageBusyError(StorageError):
    """The database stayed locked by another process for too long."""

    code = "storage_busy"


class DiskFullError(StorageError):
    """The disk holding the data folder is (nearly) full."""

    code = "disk_full"


class TooLargeError(InvalidInputError):
    """An upload exceeds the configured size limit."""

    code = "too_large"


class ProviderError(RecordRouteError):
    """A speech, text or embedding provider failed."""

    code = "provider_error"


class ProviderUnavailableError(ProviderError):
    """A provider's package, model or service is missing or unreachable."""

    code = "provider_unavailable"


class TransientProviderError(ProviderError):
    """A provider failed in a way that may succeed when retried (timeouts, 5xx)."""

    code = "provider_transient"


class JobCancelledError(RecordRouteError):
    """A job was cancelled while it ran."""

    code = "cancelled"


class AuthError(RecordRouteError):
    """A request lacks a valid token or comes from a refused origin."""

    code = "unauthorized"


__all__ = [
    "ECHO_CHARS",
    "AuthError",
    "ConfigError",
    "ConflictError",
    "CorruptDataError",
    "DiskFullError",
    "DuplicateRecordingError",
    "EmptyFileError",
    "InvalidInputError",
    "JobCancelledError",
    "NotFoundError",
    "ProviderError",
    "ProviderUnavailableError",
    "RecordRouteError",
    "StorageBusyError",
    "StorageError",
    "TooLargeError",
    "TransientProviderError",
    "UnsafePathError",
    "UnsupportedFileError",
    "echo",
    "size_text",
]
