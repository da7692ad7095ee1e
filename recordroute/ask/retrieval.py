"""Retrieval for answers: chunks from the search index, cut back into sentences, ranked.

The archive is reached through the :class:`Archive` port (the app layer implements it over
the search index and the library), so this module knows neither SQLite nor the index:

1. the question's vector finds the best chunks (transcripts, summaries, documents), each
   recording at most ``per_recording`` times, within the :class:`Scope`;
2. the relevance cut-off of the search decides which recordings may answer at all: when
   no recording clears it, nothing is found (and that is the answer);
3. each chunk is cut into its sentences (:mod:`.units`) with their times, and every
   sentence is scored by the chunk's similarity and the share of the question's words
   it contains (a sentence that is itself a question scores less); unless the words
   already decide clearly, the best few are re-scored by their own embedding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from .answers import Citation, Passage
from .units import Unit, features, lexical_score, rarity, unique

#: the longest speaker name a scope takes (names given to speakers have at most 80)
MAX_NAME = 80
EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclasses.dataclass(frozen=True)
class Scope:
    """The part of the archive a question is asked of.

    ``speakers`` keeps only what those people said (any of them): the archive retrieves,
    and cites, only sentences one of them said (see :meth:`Archive.locate`).
    """

    start: date | datetime | None = None
    end: date | datetime | None = None
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    recordings: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()

    def check(self) -> Scope:
        """The scope with the speakers' names tidied (spaces, empty names, repeats)."""
        names = tuple(dict.fromkeys(n for n in (" ".join(s.split()) for s in self.speakers) if n))
        for name in names:
            if len(name) > MAX_NAME:
                raise InvalidInputError(
                    f"The speaker name {name[:40]!r}... is {len(name)} characters long.",
                    f"Speaker names have at most {MAX_NAME} characters.",
                )
        return dataclasses.replace(self, speakers=names)

    def to_dict(self) -> dict[str, object]:
        return {
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "tags": list(self.tags),
            "kinds": list(self.kinds),
            "recordings": list(self.recordings),
            "speakers": list(self.speakers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Scope:
        def moment(value: object) -> date | datetime | None:
            if not value:
                return None
            text = str(value)
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)

        def strings(value: object) -> tuple[str, ...]:
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        return cls(
            start=moment(data.get("start")),
            end=moment(data.get("end")),
            tags=strings(data.get("tags")),
            kinds=strings(data.get("kinds")),
            recordings=strings(data.get("recordings")),
            speakers=strings(data.get("speakers")),
        )


@dataclasses.dataclass(frozen=True)
class Chunk:
    """A chunk the index found: which recording, its text, its span, its similarity."""

    recording_id: str
    text: str
    score: float
    char_start: int
    char_end: int
    start_s: float | None
    end_s: float | None


@dataclasses.dataclass(frozen=True)
class Located:
    """The sentences a chunk covers, and what kind of source they come from."""

    source: str
    units: tuple[Unit, ...]


class Archive(Protocol):
    """What answering needs from the archive (implemented by the app layer)."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...

    def chunks(self, vector: npt.NDArray[np.float32], scope: Scope, k: int) -> list[Chunk]:
        """The ``k`` chunks most similar to ``vector`` within ``scope`` (several per
        recording; with speakers in the scope, chunks one of them speaks in)."""
        ...

    def relevant(self, question: str, scope: Scope) -> set[str] | None:
        """Recordings that clear the search's relevance bar (with speakers in the scope:
        by a passage one of them speaks in); None when there is no bar."""
        ...

    def locate(self, chunk: Chunk, scope: Scope) -> Located:
        """The sentences of the recording that ``chunk`` covers (with speakers in the
        scope: only those one of them said)."""
        ...

    def name(self, recording_id: str) -> str: ...


@dataclasses.dataclass(frozen=True)
class Retrieval:
    """The ranked passages for a question, and whether the archive holds an answer."""

    passages: tuple[Passage, ...]
    #: recordings that cleared the relevance bar (None: no bar was applied)
    relevant: frozenset[str] | None
    chunks: int


@dataclasses.dataclass(frozen=True)
class Weights:
    chunk: float = 0.35
    lexical: float = 0.25
    sentence: float = 0.4
    #: a sentence that is itself a question rarely answers one
    question_penalty: float = 0.15
    #: with this much word evidence for the best sentence, embedding sentences is skipped
    confident_lexical: float = 0.6


class Retriever:
    def __init__(
        self,
        archive: Archive,
        *,
        chunk_k: int = 16,
        rerank: int = 6,
        weights: Weights | None = None,
    ) -> None:
        self.archive = archive
        self.chunk_k = chunk_k
        self.rerank = rerank
        self.weights = weights or Weights()

    def retrieve(self, question: str, scope: Scope, *, k: int = 8, context: str = "") -> Retrieval:
        """The ``k`` best passages for ``question`` (``context``: earlier questions)."""
        query = f"{context} {question}".strip() if context else question
        vector = np.asarray(self.archive.embed([query])[0], dtype=np.float32)
        relevant = self.archive.relevant(query, scope)
        if relevant is not None and not relevant:
            return Retrieval((), frozenset(), 0)
        chunks = self.archive.chunks(vector, scope, self.chunk_k)
        if relevant is not None:
            chunks = [c for c in chunks if c.recording_id in relevant]
        wanted = features(question) or features(query)
        candidates: list[tuple[Chunk, str, Unit]] = []
        seen: set[tuple[str, str, float | None, int | None]] = set()
        for chunk in chunks:
            located = self.archive.locate(chunk, scope)
            for unit in unique(located.units):
                key = (chunk.recording_id, unit.text, unit.start_s, unit.paragraph)
                if key not in seen:
                    seen.add(key)
                    candidates.append((chunk, located.source, unit))
        weights = rarity(wanted, (unit.text for _, _, unit in candidates))
        scored: list[tuple[float, float, Chunk, str, Unit]] = []
        for chunk, source, unit in candidates:
            lexical = lexical_score(wanted, unit.text, weights)
            first = self.weights.chunk * chunk.score + self.weights.lexical * lexical
            if unit.text.rstrip().endswith(("?", "？")):
                first -= self.weights.question_penalty
            scored.append((first, lexical, chunk, source, unit))
        scored.sort(key=lambda item: -item[0])
        head = scored[: max(self.rerank, k)]
        confident = bool(head) and head[0][1] >= self.weights.confident_lexical
        if head and not confident:
            rows = self.archive.embed([unit.text for *_, unit in head])
            rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
            near = rows @ (vector / max(float(np.linalg.norm(vector)), 1e-9))
            head = [
                (first + self.weights.sentence * float(cos), lexical, chunk, source, unit)
                for (first, lexical, chunk, source, unit), cos in zip(head, near, strict=True)
            ]
            head.sort(key=lambda item: -item[0])
        elif head:  # the words decide: the sentences' own similarity is not needed
            head = [
                (first + self.weights.sentence * lexical, lexical, chunk, source, unit)
                for first, lexical, chunk, source, unit in head
            ]
            head.sort(key=lambda item: -item[0])
        names: dict[str, str] = {}
        passages = []
        for score, _lexical, chunk, source, unit in head[:k]:
            rid = chunk.recording_id
            if rid not in names:
                names[rid] = self.archive.name(rid)
            citation = Citation(rid, names[rid], source, unit.start_s, unit.end_s, unit.paragraph)
            passages.append(Passage(unit.text, citation, round(score, 4)))
        return Retrieval(
            tuple(passages), None if relevant is None else frozenset(relevant), len(chunks)
        )
