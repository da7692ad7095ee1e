"""The archive as answering sees it: the search index's chunks cut back into the
recordings' timed sentences (the :class:`~recordroute.ask.Archive` port)."""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ..ask import Chunk, Located, Scope, Unit, document_units, split_text, timed_units
from ..errors import NotFoundError
from ..models import Segment
from ..pipeline.speakers import Speakers
from ..search import SearchFilters
from .recordings import RecordingsService
from .search import SearchService
from .spoken import SpokenBy, check_known, names_in
from .transcripts import TranscriptsService

_SUMMARY_TIME = re.compile(
    r"\((\d{1,3}):(\d{2}):(\d{2})(?:\s*[-–~]\s*(\d{1,3}):(\d{2}):(\d{2}))?\)"
)
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)]|#+)\s*")
CACHE_SIZE = 256
#: with speakers in the scope, this many times more chunks are read (others' are dropped)
SPEAKER_WIDEN = 4


@dataclasses.dataclass(frozen=True)
class _Source:
    """What one recording offers for citing: its sentences, paragraphs and summary."""

    name: str
    timed: bool
    segments: tuple[Segment, ...]
    #: start times of the segments, for finding a chunk's span quickly
    starts: tuple[float, ...]
    #: documents: (char start, char end) of each paragraph in the indexed text
    paragraphs: tuple[tuple[int, int, str], ...]
    summary: str


class IndexArchive:
    """Chunks from the search index, sentences from the library."""

    def __init__(
        self,
        search: SearchService,
        recordings: RecordingsService,
        transcripts: TranscriptsService,
        embed: Callable[[Sequence[str]], npt.NDArray[np.float32]],
    ) -> None:
        self._search = search
        self._recordings = recordings
        self._transcripts = transcripts
        self._embed = embed
        self._cache: dict[str, _Source] = {}
        #: each recording's speakers, read once until the library changes
        self._speakers: dict[str, Speakers | None] = {}
        self._queries: dict[str, npt.NDArray[np.float32]] = {}
        self._stamp = ""
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Forget what changed: called once per question (one cheap query)."""
        stamp = self._recordings.change_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._cache.clear()
                self._speakers.clear()
                self._stamp = stamp

    # -- the port ------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of ``texts``; a single text (a question) is remembered, so that the
        relevance bar does not embed the question a second time."""
        if len(texts) == 1:
            with self._lock:
                found = self._queries.get(texts[0])
            if found is not None:
                return found
        vectors = np.asarray(self._embed(texts), dtype=np.float32)
        if len(texts) == 1:
            with self._lock:
                if len(self._queries) >= CACHE_SIZE:
                    self._queries.clear()
                self._queries[texts[0]] = vectors
        return vectors

    def chunks(self, vector: npt.NDArray[np.float32], scope: Scope, k: int) -> list[Chunk]:
        spoken = self._spoken(scope)
        filters = self._filters(scope, spoken)
        if not self._search.exists() or filters is None:
            return []
        hits = self._search.index.vector_search(
            vector,
            model=self._search.model_key(),
            k=k * SPEAKER_WIDEN if spoken else k,
            filters=filters,
            per_recording=False,
        )
        if spoken:  # chunks they speak in (their sentences are picked in :meth:`locate`)
            hits = [h for h in hits if spoken.share(h.recording_id, h.start_s, h.end_s) > 0]
        return [
            Chunk(h.recording_id, h.text, h.score, h.char_start, h.char_end, h.start_s, h.end_s)
            for h in hits[:k]
        ]

    def relevant(self, question: str, scope: Scope) -> set[str] | None:
        """The recordings that clear the search's relevance bar for ``question`` (with
        speakers: by a passage one of them speaks in)."""
        spoken = self._spoken(scope)
        filters = self._filters(scope, spoken)
        if not self._search.exists() or filters is None:
            return set()
        outcome = self._search.index.search(
            question,
            model=self._search.model_key(),
            embed=self.embed,
            k=10 * SPEAKER_WIDEN if spoken else 10,
            filters=filters,
        )
        return {
            hit.recording_id
            for hit in outcome.hits
            if not spoken or spoken.share(hit.recording_id, hit.start_s, hit.end_s) > 0
        }

    def name(self, recording_id: str) -> str:
        return self._source(recording_id).name

    def locate(self, chunk: Chunk, scope: Scope) -> Located:
        """The chunk's sentences; with speakers in the scope only the transcript's
        sentences one of them said (a summary's or a document's are nobody's words)."""
        source = self._source(chunk.recording_id)
        spoken = self._spoken(scope)
        summary = source.summary
        if summary and summary[chunk.char_start : chunk.char_end] == chunk.text:
            return Located("summary", () if spoken else tuple(_summary_units(chunk.text)))
        if source.timed and chunk.start_s is not None and chunk.end_s is not None:
            low, high = chunk.start_s, chunk.end_s
            first = max(bisect.bisect_right(source.starts, low - 0.5) - 1, 0)
            last = bisect.bisect_right(source.starts, high + 0.5)
            span = [s for s in source.segments[first:last] if s.end > low - 0.5]
            units = timed_units(span)
            if spoken:
                rid = chunk.recording_id
                units = [
                    u
                    for u in units
                    if u.start_s is not None and spoken.said(rid, u.start_s, u.end_s)
                ]
            return Located("transcript", tuple(units))
        if spoken:
            return Located("document", ())
        picked = [
            (number, text)
            for number, (start, end, text) in enumerate(source.paragraphs, start=1)
            if start < chunk.char_end and end > chunk.char_start
        ]
        paragraphs = (u for number, text in picked for u in document_units([text], first=number))
        return Located("document", tuple(paragraphs))

    # -- speakers ------------------------------------------------------------------------
    def speaker_names(self) -> list[str]:
        """Every speaker name of the active recordings (given names and "Speaker N")."""
        ids = [r.id for r in self._recordings.list()]
        return names_in(ids, self._speakers_of)

    def check_speakers(self, names: Sequence[str]) -> None:
        """Refuse names no recording knows (the error lists the names there are)."""
        if names:
            check_known(names, self.speaker_names())

    def _speakers_of(self, recording_id: str) -> Speakers | None:
        with self._lock:
            if recording_id in self._speakers:
                return self._speakers[recording_id]
        try:
            found = self._transcripts.speakers(recording_id)
        except NotFoundError:
            found = None
        with self._lock:
            if len(self._speakers) >= CACHE_SIZE * 16:
                self._speakers.clear()
            self._speakers[recording_id] = found
        return found

    def _spoken(self, scope: Scope) -> SpokenBy:
        return SpokenBy(scope.speakers, self._speakers_of)

    def _filters(self, scope: Scope, spoken: SpokenBy) -> SearchFilters | None:
        """The index's filters for ``scope``; with speakers, only recordings where one of
        them speaks (None: there is none)."""
        recordings = tuple(scope.recordings)
        if spoken:
            ids = recordings or tuple(r.id for r in self._recordings.list())
            recordings = tuple(rid for rid in ids if spoken.speaks_in(rid))
            if not recordings:
                return None
        return SearchFilters(
            start=scope.start,
            end=scope.end,
            kinds=tuple(scope.kinds),  # type: ignore[arg-type]
            tags=tuple(scope.tags),
            recordings=recordings,
        )

    # -- the sources -----------------------------------------------------------------------
    def _source(self, recording_id: str) -> _Source:
        with self._lock:
            found = self._cache.get(recording_id)
        if found is not None:
            return found
        try:
            rec = self._recordings.get(recording_id)
        except NotFoundError:
            return _Source(recording_id, False, (), (), (), "")
        segments = self._transcripts.segments(recording_id)
        timed = any(s.end > 0 for s in segments)
        summary_artifact = self._recordings.latest_artifact(recording_id, "summary", "md")
        summary = self._recordings.read_text(summary_artifact.id) if summary_artifact else ""
        source = _Source(
            name=rec.display_name,
            timed=timed,
            segments=tuple(segments) if timed else (),
            starts=tuple(s.start for s in segments) if timed else (),
            paragraphs=() if timed else _paragraphs(segments),
            summary=summary,
        )
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[recording_id] = source
        return source


def _paragraphs(segments: Sequence[Segment]) -> tuple[tuple[int, int, str], ...]:
    """Each paragraph's span in the text the index chunked (paragraphs joined by newlines)."""
    out = []
    pos = 0
    for segment in segments:
        out.append((pos, pos + len(segment.text), segment.text))
        pos += len(segment.text) + 1
    return tuple(out)


def _summary_units(text: str) -> list[Unit]:
    """Summary lines that carry the time they came from; lines without one cannot be cited."""
    units = []
    for line in text.splitlines():
        match = _SUMMARY_TIME.search(line)
        if match is None:
            continue
        h, m, s = (int(g) for g in match.groups()[:3])
        start = float(h * 3600 + m * 60 + s)
        end = start
        if match.group(4) is not None:
            h2, m2, s2 = (int(g) for g in match.groups()[3:])
            end = float(h2 * 3600 + m2 * 60 + s2)
        body = _BULLET.sub("", _SUMMARY_TIME.sub("", line)).replace("**", "").strip()
        for sentence in split_text(body):
            units.append(Unit(sentence, start, end))
    return units
