"""Logging set-up for entry points: a rotating file under ``<data>/log/`` and stderr, with
secrets (the access token) redacted from every record."""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Iterable
from pathlib import Path

from .config import Settings

_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
#: where a token shows up in a log line: a query parameter, an Authorization header, our
#: own header
_SECRET_PATTERNS = (
    re.compile(r"(?i)([?&;]token=)[^&#\s'\"]+"),
    re.compile(r"(?i)(\b(?:bearer|token)\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"(?i)(x-recordroute-token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)
#: the loggers of the HTTP layer: their records are created with full URLs
SERVER_LOGGERS = ("tornado.access", "tornado.application", "tornado.general")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with tokens (in URLs, headers, or any of ``secrets``) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and traceback) without secrets."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


#: the one filter of this process (``protect`` adds it where records are made)
REDACTION = RedactSecrets()


def protect(*secrets: str, loggers: Iterable[str] = ("recordroute", *SERVER_LOGGERS)) -> None:
    """Redact ``secrets`` (and anything token-shaped) from these loggers' records."""
    REDACTION.secrets.update(s for s in secrets if s)
    for name in loggers:
        logger = logging.getLogger(name)
        if REDACTION not in logger.filters:
            logger.addFilter(REDACTION)
        for handler in logger.handlers:
            if REDACTION not in handler.filters:
                handler.addFilter(REDACTION)


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
    protect(settings.token)
    return path
