"""Logging set-up for entry points: a rotating file under ``<data>/log/`` and stderr."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .config import Settings

_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, *, stderr: bool = False) -> Path:
    """Attach a size-limited rotating file handler to the ``recordroute`` logger.

    Safe to call more than once: an existing handler for the same file is reused.
    Returns the log file path.
    """
    folder = settings.data_path / "log"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "recordroute.log"
    logger = logging.getLogger("recordroute")
    logger.setLevel(settings.log_level)
    for handler in logger.handlers:
        if (
            isinstance(handler, logging.handlers.RotatingFileHandler)
            and Path(handler.baseFilename) == path
        ):
            handler.maxBytes = settings.log_max_bytes
            handler.backupCount = settings.log_backup_count
            break
    else:
        file_handler = logging.handlers.RotatingFileHandler(
            path,
            maxBytes=settings.log_max_bytes,
            backupCount=settings.log_backup_count,
            encoding="utf-8",
        )
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(file_handler)
    if stderr and not any(type(h) is logging.StreamHandler for h in logger.handlers):
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.setLevel(logging.WARNING)
        logger.addHandler(stream)
    return path
