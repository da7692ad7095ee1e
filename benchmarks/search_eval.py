"""The search evaluation set: its archive, its labelled queries, and the measures.

The archive (``benchmarks/data/search_eval/``) holds 40 short texts on distinct topics,
20 English and 20 Korean, most written for this set and a few public-domain texts (each
says its source), plus the reference transcripts of four of the shared recordings
(``../shared/data/audio``: jfk.flac, stereo_diarization.wav, multilingual.mp3,
ko_fleurs_1992.wav).  The reference transcripts stand in for Whisper's output so that
the evaluation measures search, not speech recognition.  Texts written as sentences get
times of a few seconds per sentence, as a transcript would.

``queries.tsv`` holds 158 queries: English, Korean, across the two languages, and 22
with no relevant document.  Each relevant document has a grade: 2 for what the query is
about, 1 for a document a person would accept as related.

Measures, per query, then averaged:

* nDCG@10 of the list shown (graded gains, ideal order from the labels);
* recall@3: the share of grade-2 documents among the first three shown;
* precision of the results shown: shown results with a grade >= 1 over all shown
  results, pooled over the queries that have a relevant document;
* for the queries with no relevant document, the share answered with nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recordroute.config import Settings
from recordroute.models import Segment
from recordroute.providers import create_embedder
from recordroute.search import (
    RecordingInfo,
    RecordingVectors,
    SearchIndex,
    chunk_segments,
)
from recordroute.search.probes import probe_texts

DATA = Path(__file__).parent / "data" / "search_eval"
ARCHIVE_FILES = ("archive_en.json", "archive_ko.json", "archive_shared.json")
EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]
K = 10


@dataclasses.dataclass(frozen=True)
class Document:
    id: str
    lang: str
    kind: str
    title: str
    source: str
    segments: tuple[Segment, ...]


@dataclasses.dataclass(frozen=True)
class Query:
    id: str
    kind: str  # en | ko | cross | none
    text: str
    relevant: dict[str, int]


def load_archive() -> list[Document]:
    docs: list[Document] = []
    for name in ARCHIVE_FILES:
        for item in json.loads((DATA / name).read_text(encoding="utf-8")):
            if "segments" in item:
                segments = tuple(
                    Segment(float(a), float(b), str(t)) for a, b, t in item["segments"]
                )
            else:
                segments = _timed(item["sentences"], item["lang"])
            docs.append(
                Document(
                    item["id"], item["lang"], item["kind"], item["title"], item["source"], segments
                )
            )
    return docs


def _timed(sentences: Sequence[str], lang: str) -> tuple[Segment, ...]:
    """Times for written sentences: about 14 characters (Korean) or 2.6 words a second."""
    out: list[Segment] = []
    clock = 0.0
    for sentence in sentences:
        length = len(sentence) / 7.0 if lang == "ko" else len(sentence.split()) / 2.6
        duration = round(max(2.0, length), 1)
        out.append(Segment(round(clock, 1), round(clock + duration, 1), sentence))
        clock += duration
    return tuple(out)


def load_queries() -> list[Query]:
    queries: list[Query] = []
    for line in (DATA / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        relevant: dict[str, int] = {}
        if len(parts) > 3 and parts[3].strip():
            for pair in parts[3].split(","):
                doc, grade = pair.split(":")
                relevant[doc.strip()] = int(grade)
        queries.append(Query(parts[0], parts[1], parts[2], relevant))
    return queries


def chunks_of(doc: Document) -> list[str]:
    return [chunk.text for chunk in chunk_segments(doc.segments)]


def embedded_texts() -> list[str]:
    """Every text the evaluation sends to an embedder (chunks, queries, probe set)."""
    texts = [text for doc in load_archive() for text in chunks_of(doc)]
    texts += [query.text for query in load_queries()]
    queries, passages, _qt, _pt = probe_texts()
    return [*texts, *queries, *passages]


def build_index(folder: Path, model: str, embed: EmbedFn, docs: Iterable[Document]) -> SearchIndex:
    """An index of ``docs`` (vectors and keyword passages), as the embed step builds it."""
    index = SearchIndex(folder)
    base = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    items: list[RecordingVectors] = []
    for number, doc in enumerate(docs):
        info = RecordingInfo(doc.id, base + timedelta(days=number), doc.kind)  # type: ignore[arg-type]
        chunks = chunk_segments(doc.segments)
        vectors = np.asarray(embed([chunk.text for chunk in chunks]), dtype=np.float32)
        items.append(RecordingVectors(info, chunks, vectors))
    index.add_recordings(items, model=model)
    for doc in docs:
        index.index_text(doc.id, "transcript", list(doc.segments))
    return index


@contextlib.contextmanager
def embedder(name: str, folder: Path) -> Iterator[tuple[str, EmbedFn]]:
    """``(model key, embed)`` for ``use`` (the bundled model) or ``minilm``.

    ``minilm`` is RecordRoute's Ollama provider talking to the replay server of Ollama's
    protocol (``tests/support/ollama_replay.py``), which answers with vectors recorded
    from the real all-MiniLM-L6-v2 weights (Ollama's ``all-minilm``).
    """
    if name == "use":
        settings = Settings(data_dir=folder / "db")
        yield f"{settings.embed_provider}:{settings.embed_model}", create_embedder(settings).embed
        return
    from tests.support.ollama_replay import OllamaReplay
    from tests.support.recorded_vectors import MODELS_WITH_MINILM, RecordedVectors

    vectors = RecordedVectors()
    with OllamaReplay(MODELS_WITH_MINILM, vectors={"all-minilm:latest": vectors}) as replay:
        settings = Settings(
            data_dir=folder / "db",
            embed_provider="ollama",
            embed_model="all-minilm",
            ollama_host=replay.url,
        )
        yield f"{settings.embed_provider}:{settings.embed_model}", create_embedder(settings).embed


@dataclasses.dataclass(frozen=True)
class Run:
    """The ranked ids of every query, for one way of searching."""

    name: str
    shown: dict[str, list[str]]


def run_queries(
    index: SearchIndex, model: str, embed: EmbedFn, queries: Sequence[Query]
) -> tuple[Run, Run]:
    """(plain top-k with no cut-off, the judged search) over ``queries``.

    The queries are embedded in one batch first (the index would embed them one by one).
    """
    vectors = dict(zip([q.text for q in queries], embed([q.text for q in queries]), strict=True))

    def embed_known(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if all(text in vectors for text in texts):
            return np.stack([vectors[text] for text in texts])
        return embed(texts)

    plain: dict[str, list[str]] = {}
    judged: dict[str, list[str]] = {}
    for query in queries:
        hits = index.hybrid_search(query.text, model=model, embed=embed_known, k=K)
        plain[query.id] = [hit.recording_id for hit in hits]
        outcome = index.search(query.text, model=model, embed=embed_known, k=K)
        judged[query.id] = [hit.recording_id for hit in outcome.hits]
    return Run("top-k, no cut-off", plain), Run("relevance bar", judged)


def ndcg(shown: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    gains = [relevant.get(doc, 0) for doc in shown[:k]]
    dcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at(shown: Sequence[str], relevant: dict[str, int], k: int = 3) -> float:
    primary = {doc for doc, grade in relevant.items() if grade >= 2}
    return len(primary & set(shown[:k])) / len(primary) if primary else 0.0


def measures(run: Run, queries: Sequence[Query]) -> dict[str, float]:
    """The measures of ``run`` over ``queries``; NaN where the queries give none."""
    answerable = [q for q in queries if q.relevant]
    unrelated = [q for q in queries if not q.relevant]
    nan = float("nan")
    shown_total = sum(len(run.shown[q.id]) for q in answerable)
    shown_good = sum(
        1 for q in answerable for doc in run.shown[q.id] if q.relevant.get(doc, 0) >= 1
    )
    return {
        "nDCG@10": _mean([ndcg(run.shown[q.id], q.relevant) for q in answerable]),
        "recall@3": _mean([recall_at(run.shown[q.id], q.relevant) for q in answerable]),
        "precision shown": shown_good / shown_total if shown_total else nan,
        "results shown per query": _mean([float(len(run.shown[q.id])) for q in queries]),
        "unrelated answered with nothing": _mean([float(not run.shown[q.id]) for q in unrelated]),
    }


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def misses(run: Run, queries: Sequence[Query]) -> list[tuple[str, str, list[str], list[str]]]:
    """Queries whose grade-2 documents are not all in the first three shown, or that showed
    something they should not have: ``(id, text, expected, shown)``."""
    out = []
    for q in queries:
        expected = sorted(doc for doc, grade in q.relevant.items() if grade >= 2)
        shown = run.shown[q.id]
        wrong = [doc for doc in shown if q.relevant.get(doc, 0) == 0]
        if not set(expected) <= set(shown[:3]) or wrong:
            out.append((q.id, q.text, expected, shown))
    return out
