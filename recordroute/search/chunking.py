"""Split transcripts into overlapping chunks for embedding, keeping offsets and times.

Chunks end at the strongest break found in the second half of the window
(paragraph, line, sentence, then word); the next chunk starts ``overlap``
characters earlier, at a word start.  When a token counter is given the window
also shrinks until the chunk fits ``max_tokens``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from ..errors import InvalidInputError
from ..models import Segment
from .results import TextChunk

_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "。", "다. ", " ")


def chunk_text(
    text: str,
    *,
    max_chars: int = 1000,
    overlap: int = 100,
    count_tokens: Callable[[str], int] | None = None,
    max_tokens: int | None = None,
) -> list[TextChunk]:
    """Split ``text`` into chunks of at most ``max_chars`` characters (and tokens)."""
    _check_sizes(max_chars, overlap, count_tokens, max_tokens)
    chunks: list[TextChunk] = []
    pos = _skip_space(text, 0)
    while pos < len(text):
        end = _window_end(text, pos, max_chars)
        if count_tokens is not None and max_tokens is not None:
            end = _fit_tokens(text, pos, end, count_tokens, max_tokens)
        stop = end
        while stop > pos and text[stop - 1].isspace():
            stop -= 1
        chunks.append(TextChunk(text[pos:stop], pos, stop))
        if end >= len(text) or _skip_space(text, end) >= len(text):
            break
        pos = _next_start(text, pos, end, overlap)
    return chunks


def chunk_segments(
    segments: Sequence[Segment],
    *,
    max_chars: int = 1000,
    overlap: int = 100,
    count_tokens: Callable[[str], int] | None = None,
    max_tokens: int | None = None,
) -> list[TextChunk]:
    """Chunk the text of timed segments; each chunk gets the times of the segments it covers.

    The segment texts are joined with single spaces; offsets refer to that joined text.
    """
    parts: list[str] = []
    starts: list[int] = []
    kept: list[Segment] = []
    offset = 0
    for segment in segments:
        piece = segment.text.strip()
        if not piece:
            continue
        if parts:
            offset += 1
        starts.append(offset)
        kept.append(segment)
        parts.append(piece)
        offset += len(piece)
    joined = " ".join(parts)
    timed: list[TextChunk] = []
    for chunk in chunk_text(
        joined,
        max_chars=max_chars,
        overlap=overlap,
        count_tokens=count_tokens,
        max_tokens=max_tokens,
    ):
        first = max(bisect.bisect_right(starts, chunk.char_start) - 1, 0)
        last = max(bisect.bisect_right(starts, chunk.char_end - 1) - 1, first)
        timed.append(
            TextChunk(
                chunk.text,
                chunk.char_start,
                chunk.char_end,
                float(kept[first].start),
                float(kept[last].end),
            )
        )
    return timed


def _check_sizes(
    max_chars: int,
    overlap: int,
    count_tokens: Callable[[str], int] | None,
    max_tokens: int | None,
) -> None:
    if max_chars < 1:
        raise InvalidInputError(
            f"Chunk size max_chars={max_chars} is too small.", "Use at least 1 character."
        )
    if not 0 <= overlap < max_chars:
        raise InvalidInputError(
            f"Chunk overlap {overlap} must be at least 0 and below max_chars={max_chars}.",
            "Use a smaller overlap, e.g. a tenth of max_chars.",
        )
    if (count_tokens is None) != (max_tokens is None) or (
        max_tokens is not None and max_tokens < 1
    ):
        raise InvalidInputError(
            f"Token limit max_tokens={max_tokens} needs a token counter and must be at least 1.",
            "Pass both count_tokens and a positive max_tokens, or neither.",
        )


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _window_end(text: str, pos: int, max_chars: int) -> int:
    end = min(pos + max_chars, len(text))
    if end >= len(text):
        return end
    low = pos + max(max_chars // 2, 1)
    for mark in _BREAKS:
        found = text.rfind(mark, low, end)
        if found >= 0:
            return found + len(mark)
    return end


def _fit_tokens(
    text: str, pos: int, end: int, count_tokens: Callable[[str], int], max_tokens: int
) -> int:
    while end - pos > 1:
        tokens = count_tokens(text[pos:end])
        if tokens <= max_tokens:
            break
        width = max(int((end - pos) * max_tokens / tokens * 0.9), 1)
        end = _window_end(text, pos, width)
    return end


def _next_start(text: str, pos: int, end: int, overlap: int) -> int:
    start = end - overlap
    if overlap and start > pos and not text[start - 1].isspace():
        boundary = start
        while boundary < end and not text[boundary].isspace():
            boundary += 1
        if boundary < end:
            start = boundary
    return _skip_space(text, max(start, pos + 1))
