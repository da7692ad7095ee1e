"""Search: vector, keyword and hybrid search over recordings, and similar recordings.

Imports only the standard library, numpy and the leaf modules ``errors`` and
``models``.  Open a :class:`SearchIndex` on a folder; it owns that folder.
"""

from __future__ import annotations

from .calibration import Calibration, Scale
from .chunking import chunk_segments, chunk_text
from .index import EmbedFn, ProgressFn, SearchIndex
from .results import (
    CacheStats,
    ChunkHit,
    Evidence,
    KeywordHit,
    ModelInfo,
    RecordingInfo,
    RecordingVectors,
    SearchFilters,
    SearchHit,
    SearchOutcome,
    SimilarRecording,
    SnippetStyle,
    TextChunk,
)

__all__ = [
    "CacheStats",
    "Calibration",
    "ChunkHit",
    "EmbedFn",
    "Evidence",
    "KeywordHit",
    "ModelInfo",
    "ProgressFn",
    "RecordingInfo",
    "RecordingVectors",
    "Scale",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchOutcome",
    "SimilarRecording",
    "SnippetStyle",
    "TextChunk",
    "chunk_segments",
    "chunk_text",
]
