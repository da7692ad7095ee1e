"""Plain data passed into and out of the search index.

Inputs (:class:`RecordingInfo`, :class:`TextChunk`, :class:`SearchFilters`,
:class:`SnippetStyle`) are validated where they are built; outputs (the ``*Hit``
classes, :class:`SimilarRecording`, :class:`CacheStats`, :class:`ModelInfo`) are
frozen so cached results can be shared safely between callers.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence
from datetime import date, datetime, time

import numpy.typing as npt

from ..errors import InvalidInputError, echo
from ..models import Recording, RecordingKind

#: the recording kinds a filter may name (same order as ``models.RecordingKind``)
RECORDING_KINDS: tuple[RecordingKind, ...] = ("audio", "video", "text", "pdf", "unknown")


def check_kind(kind: str) -> RecordingKind:
    """Return ``kind`` as a :data:`RecordingKind` or raise naming the allowed values."""
    for known in RECORDING_KINDS:
        if kind == known:
            return known
    raise InvalidInputError(
        f"Recording type {echo(kind)} is not known.",
        f"Use one of: {', '.join(RECORDING_KINDS)}.",
    )


@dataclasses.dataclass(frozen=True)
class RecordingInfo:
    """What the index keeps about a recording to filter on."""

    recording_id: str
    created_at: datetime
    kind: RecordingKind = "unknown"
    tags: tuple[str, ...] = ()
    deleted: bool = False

    @classmethod
    def from_recording(cls, recording: Recording) -> RecordingInfo:
        """The filter fields of a stored :class:`~recordroute.models.Recording`."""
        return cls(
            recording.id, recording.created_at, recording.kind, recording.tags, recording.deleted
        )

    def __post_init__(self) -> None:
        if not self.recording_id.strip():
            raise InvalidInputError("Recording id is empty.", "Pass the id of a stored recording.")
        check_kind(self.kind)


@dataclasses.dataclass(frozen=True)
class TextChunk:
    """A piece of text with its character span and, for speech, its time span."""

    text: str
    char_start: int
    char_end: int
    start_s: float | None = None
    end_s: float | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class RecordingVectors:
    """One recording's chunks and their vectors, one row per chunk, in the same order."""

    info: RecordingInfo
    chunks: Sequence[TextChunk]
    vectors: npt.ArrayLike
    artifact_id: str = ""


@dataclasses.dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied before ranking.

    ``start``/``end`` bound the recording's created date, both inclusive; a plain
    :class:`~datetime.date` means the whole day, naive datetimes are local time.
    ``kinds`` keeps recordings of any of the given types; ``tags`` keeps
    recordings that carry *all* of the given tags; ``recordings`` keeps only the
    recordings with these ids.  Deleted recordings are left out unless
    ``include_deleted`` is set.
    """

    start: date | datetime | None = None
    end: date | datetime | None = None
    kinds: tuple[RecordingKind, ...] = ()
    tags: tuple[str, ...] = ()
    include_deleted: bool = False
    recordings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for kind in self.kinds:
            check_kind(kind)
        low, high = self.bounds()
        if low is not None and high is not None and low > high:
            raise InvalidInputError(
                f"Date filter start {self.start} is after its end {self.end}.",
                "Swap the two dates or leave one of them out.",
            )

    def bounds(self) -> tuple[float | None, float | None]:
        """The date range as POSIX seconds (inclusive), ``None`` where open."""
        return _to_seconds(self.start, end_of_day=False), _to_seconds(self.end, end_of_day=True)


def _to_seconds(value: date | datetime | None, *, end_of_day: bool) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    moment = datetime.combine(value, time.max if end_of_day else time.min)
    return moment.timestamp()


def _identity(text: str) -> str:
    return text


@dataclasses.dataclass(frozen=True)
class SnippetStyle:
    """How snippets mark a match: the two markers and an escape for the text around them."""

    open: str = "«"
    close: str = "»"
    escape: Callable[[str], str] = _identity
    width: int = 120

    @classmethod
    def html(cls, width: int = 120) -> SnippetStyle:
        """``<mark>`` markers with the text HTML-escaped, safe to insert into a page."""
        return cls("<mark>", "</mark>", html.escape, width)


@dataclasses.dataclass(frozen=True)
class ChunkHit:
    """A chunk found by vector search, with its cosine similarity."""

    recording_id: str
    artifact_id: str
    ordinal: int
    score: float
    text: str
    char_start: int
    char_end: int
    start_s: float | None
    end_s: float | None


@dataclasses.dataclass(frozen=True)
class KeywordHit:
    """The best matching passage of one recording for a keyword query."""

    recording_id: str
    field: str
    snippet: str
    start_s: float | None
    end_s: float | None
    #: how many indexed passages of the recording match
    matches: int
    #: higher is better (negated bm25, or the number of occurrences for short queries)
    score: float


@dataclasses.dataclass(frozen=True)
class Evidence:
    """Why a hit is or is not shown (see :mod:`recordroute.search.relevance`)."""

    #: best chunk cosine, None when the recording has no vectors for the model
    similarity: float | None
    #: the similarity on the model's calibrated scale: 0 typical of unrelated text, 1 of related
    meaning: float
    #: the query's content words found in the recording as whole words, of how many
    words_found: int
    words_total: int
    #: the found words' share of the query, each word weighted by its rarity in the archive
    coverage: float
    #: whether the hit clears the relevance bar
    relevant: bool

    @property
    def words(self) -> float:
        """Share of the query's content words found (0 when the query has none)."""
        return self.words_found / self.words_total if self.words_total else 0.0


@dataclasses.dataclass(frozen=True)
class SearchHit:
    """One recording in a hybrid result: fused score, best chunk, snippet and time."""

    recording_id: str
    score: float
    snippet: str
    start_s: float | None
    end_s: float | None
    chunk: ChunkHit | None
    keyword: KeywordHit | None
    vector_rank: int | None
    keyword_rank: int | None
    #: the relevance judgement; None from :meth:`SearchIndex.hybrid_search` (no cut-off)
    evidence: Evidence | None = None

    @property
    def relevant(self) -> bool:
        """Whether the hit cleared the relevance bar (hits without a judgement count as shown)."""
        return self.evidence is None or self.evidence.relevant


@dataclasses.dataclass(frozen=True)
class SearchOutcome:
    """What a search found: hits that clear the relevance bar, weaker ones, suggestions.

    ``hits`` and ``weaker`` keep the fused (RRF) order.  When nothing clears the bar,
    ``hits`` is empty and ``suggestions`` holds words of the archive close to the query's
    (spelling) for the user to try instead.
    """

    query: str
    model: str
    hits: tuple[SearchHit, ...]
    weaker: tuple[SearchHit, ...] = ()
    suggestions: tuple[str, ...] = ()

    @property
    def nothing_found(self) -> bool:
        """True when no hit cleared the bar (weaker matches may still exist)."""
        return not self.hits

    def shown(self, weaker: bool = False) -> list[SearchHit]:
        """The hits to list: those that clear the bar, then the weaker ones if asked for."""
        return [*self.hits, *self.weaker] if weaker else list(self.hits)


@dataclasses.dataclass(frozen=True)
class SimilarRecording:
    """Another recording like the given one; ``score`` is in [-1, 1]."""

    recording_id: str
    score: float
    #: the chunk of the other recording that best matches any chunk of the source
    best_chunk: ChunkHit


@dataclasses.dataclass(frozen=True)
class CacheStats:
    """Counters of one cache since the index was opened."""

    hits: int
    misses: int
    expired: int
    invalidations: int
    size: int


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """One embedding model's matrix: its dimension and row counts."""

    model: str
    dimension: int
    rows: int
    live_rows: int
    generation: int
