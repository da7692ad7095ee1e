"""Speech, text, embedding and diarization providers behind :mod:`recordroute.engine_protocols`.

Create them by name from Settings with the registry functions; each imports its engine and
loads its model lazily, once per process.
"""

from __future__ import annotations

from .catalog import ModelCatalog, list_models
from .registry import (
    create,
    create_diarizer,
    create_embedder,
    create_language_model,
    create_transcriber,
)

__all__ = [
    "ModelCatalog",
    "create",
    "create_diarizer",
    "create_embedder",
    "create_language_model",
    "create_transcriber",
    "list_models",
]
