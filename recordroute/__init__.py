"""RecordRoute: a local, offline workbench for recordings.

Open a data folder with :meth:`RecordRoute.open`; everything else is a method of
that facade.
"""

from .app import RecordRoute
from .config import Settings
from .errors import (
    ConfigError,
    ConflictError,
    CorruptDataError,
    DiskFullError,
    DuplicateRecordingError,
    InvalidInputError,
    NotFoundError,
    RecordRouteError,
    StorageError,
    UnsafePathError,
    UnsupportedFileError,
)
from .models import Artifact, ImportReport, Job, Recording, Segment

__all__ = [
    "Artifact",
    "ConfigError",
    "ConflictError",
    "CorruptDataError",
    "DiskFullError",
    "DuplicateRecordingError",
    "ImportReport",
    "InvalidInputError",
    "Job",
    "NotFoundError",
    "RecordRoute",
    "RecordRouteError",
    "Recording",
    "Segment",
    "Settings",
    "StorageError",
    "UnsafePathError",
    "UnsupportedFileError",
]
__version__ = "0.1.0"
