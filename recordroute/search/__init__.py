"""Search: vector, keyword and hybrid search over recordings, and similar recordings.

Imports only the standard library, numpy and the leaf modules ``errors`` and
``models``.  Open a :class:`SearchIndex` on a folder; it owns that folder.
"""

from __future__ import annotations

from .chunking import chunk_segments, chunk_text
from .index import EmbedFn, ProgressFn, SearchIndex
from .results import (
    CacheStats,
    ChunkHit,
    KeywordHit,
    ModelInfo,
    RecordingInfo,
    RecordingVectors,
    SearchFilters,
    SearchHit,
    SimilarRecording,
    SnippetStyle,
    TextChunk,
)

__all__ = [
    "CacheStats",
    "ChunkHit",
    "EmbedFn",
    "KeywordHit",
    "ModelInfo",
    "ProgressFn",
    "RecordingInfo",
    "RecordingVectors",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SimilarRecording",
    "SnippetStyle",
    "TextChunk",
    "chunk_segments",
    "chunk_text",
]
