"""The grounding check: is a generated line supported by the recording it claims to describe?

Every generated text (summary lines, titles, answers) passes through :class:`Grounder`. A
line is compared with every passage of one to three consecutive sentences of the source:

* **lexical support**: the share of the line's character n-grams (see :mod:`.text`) found
  in the passage, each weighted by how rare it is in the source (IDF), so that common
  words and Korean endings count little;
* **semantic support**: the cosine similarity of the line's and the passage's embeddings
  (the embed function is a port: the bundled multilingual USE, or any other).

The support score is their mean; the best passage gives the line its time. A line is
dropped when it is empty or a placeholder, talks about the task instead of the recording,
repeats the instructions, is in the wrong language, names a number, day or name the source
never says, scores under the threshold, or repeats a line already kept.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..models import Segment
from .language import detect_language, language_mismatch, source_languages
from .sentences import TimedSentence, split_sentences
from .text import anchors, features, normalize, words

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: texts in, one row per text out (rows are normalised here, so any scale will do)
EmbedFn = Callable[[Sequence[str]], "npt.NDArray[np.float32]"]
VERDICTS = (
    "grounded",
    "unsupported",
    "echo",
    "wrong_language",
    "duplicate",
    "placeholder",
    "empty",
)
#: support needed to keep a line; chosen on labelled lines (see benchmarks/summaries.py)
THRESHOLD = 0.45
#: with too little lexical support a line is not kept, however close its meaning seems
MIN_LEXICAL = 0.4
#: without an embed function only words count, and a line needs more of them
LEXICAL_ONLY_THRESHOLD = 0.6
#: the most consecutive sentences one passage joins
WINDOW = 3
DUPLICATE_OVERLAP = 0.7
DUPLICATE_COSINE = 0.92
ECHO_OVERLAP = 0.6

_PLACEHOLDER = re.compile(
    r"^(?:none(?: noted| mentioned| identified)?|n/?a|nothing(?: noted| mentioned)?|"
    r"not (?:mentioned|discussed|specified|applicable)|tbd|unknown|"
    r"no \w+(?: \w+)? (?:were|was) (?:mentioned|noted|made|discussed|identified)|"
    r"언급\s*없음|없음|해당\s*없음|언급되지\s*않(?:음|았습니다|았음)|없습니다|미정|[-–—.…]+)$"
)
_META = re.compile(
    r"^(?:here (?:is|are)\b|here's\b|below (?:is|are)\b|sure\b|certainly\b|of course\b|"
    r"as an ai\b|i (?:cannot|can't|am unable)\b|i'm sorry\b|the (?:following|above) (?:is|are)\b|"
    r"(?:this|the) (?:summary|transcript) (?:is|above|below)\b|"
    r"다음은|아래는|위는|요약입니다|요약하겠습니다|당신은)"
)
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)]|#+)\s*")
_TIME_REF = re.compile(
    r"\s*[(\[]\s*\d{1,3}:\d{2}(?::\d{2})?(?:\s*[-–~]\s*\d{1,3}:\d{2}(?::\d{2})?)?\s*[)\]]"
)


def clean_line(line: str) -> str:
    """A model's line without its bullet, emphasis and time references."""
    text = _BULLET.sub("", line.strip())
    text = _TIME_REF.sub("", text).replace("**", "").strip()
    return text.strip(" \"'“”‘’`")


@dataclasses.dataclass(frozen=True)
class Support:
    """A passage of the source that supports a line: sentences ``first``..``last``."""

    start: float
    end: float
    text: str
    score: float
    first: int
    last: int


@dataclasses.dataclass(frozen=True)
class LineVerdict:
    text: str
    verdict: str
    #: why, in words (empty for a grounded line)
    reason: str
    score: float = 0.0
    lexical: float = 0.0
    semantic: float = 0.0
    supports: tuple[Support, ...] = ()

    @property
    def kept(self) -> bool:
        return self.verdict == "grounded"

    @property
    def start(self) -> float | None:
        """When the line's best supporting passage starts (None when there is none)."""
        return self.supports[0].start if self.supports else None


@dataclasses.dataclass(frozen=True)
class GroundingReport:
    lines: tuple[LineVerdict, ...]
    threshold: float
    language: str

    @property
    def kept(self) -> list[LineVerdict]:
        return [v for v in self.lines if v.kept]

    @property
    def dropped(self) -> list[LineVerdict]:
        return [v for v in self.lines if not v.kept]

    @property
    def grounded_share(self) -> float:
        """Kept lines over the lines that said anything (1.0 when none did)."""
        said = [v for v in self.lines if v.verdict not in ("empty", "placeholder")]
        return sum(v.kept for v in said) / len(said) if said else 1.0


class Grounder:
    """The source of a recording, prepared once for checking any number of lines against it."""

    def __init__(
        self,
        segments: Sequence[Segment],
        embed: EmbedFn | None = None,
        *,
        language: str | None = None,
        threshold: float = THRESHOLD,
        sentences: Sequence[TimedSentence] | None = None,
        sentence_vectors: npt.NDArray[np.float32] | None = None,
    ) -> None:
        self.sentences = list(sentences) if sentences is not None else split_sentences(segments)
        texts = [s.text for s in self.sentences]
        joined = " ".join(texts)
        # who spoke is part of what the recording says: "Anna will send it" is grounded in
        # Anna's "I will send it"
        said = " ".join([joined, *sorted({s.speaker for s in self.sentences if s.speaker})])
        self.language = language or detect_language(joined)
        self.allowed = source_languages(texts, self.language)
        self.threshold = threshold if embed is not None else max(threshold, LEXICAL_ONLY_THRESHOLD)
        self._embed = embed
        self._features = [features(f"{s.speaker} {s.text}") for s in self.sentences]
        counts = Counter(f for fs in self._features for f in fs)
        n = len(texts)
        self._idf = {f: math.log((n + 1) / (c + 1)) + 1.0 for f, c in counts.items()}
        self._unseen_idf = math.log(n + 1) + 1.0
        self._all_features = set(counts)
        self._source_words = set(words(said))
        self._source_text = normalize(said)
        self._spans = [(i, i + w - 1) for w in range(1, WINDOW + 1) for i in range(n - w + 1)]
        self._vectors: npt.NDArray[np.float32] | None = None
        self._rows = sentence_vectors

    # -- public -------------------------------------------------------------------------
    @property
    def timed(self) -> bool:
        """Whether the source has times (a transcript) or not (a document)."""
        return any(s.end > 0 for s in self.sentences)

    def check(
        self,
        lines: Sequence[str],
        *,
        instructions: Sequence[str] = (),
        kept_before: Sequence[str] = (),
    ) -> GroundingReport:
        """A verdict for each line, in order; ``kept_before`` lines count for repeats."""
        cleaned = [clean_line(line) for line in lines]
        echo_features = set().union(*(features(t) for t in instructions)) if instructions else set()
        headings = {normalize(t).rstrip(":：") for t in instructions if len(t) < 60}
        vectors = self._embed_lines([*cleaned, *kept_before])
        kept: list[tuple[set[str], npt.NDArray[np.float32] | None]] = [
            (features(t), None if vectors is None else vectors[len(cleaned) + i])
            for i, t in enumerate(kept_before)
        ]
        out = []
        for i, text in enumerate(cleaned):
            vector = None if vectors is None else vectors[i]
            verdict = self._judge(text, vector, echo_features, headings, kept)
            if verdict.kept:
                kept.append((features(text), vector))
            out.append(verdict)
        return GroundingReport(tuple(out), self.threshold, self.language)

    # -- the steps of one verdict ----------------------------------------------------------
    def _judge(
        self,
        text: str,
        vector: npt.NDArray[np.float32] | None,
        echo_features: set[str],
        headings: set[str],
        kept: list[tuple[set[str], npt.NDArray[np.float32] | None]],
    ) -> LineVerdict:
        bare = normalize(text).rstrip(":：")
        if not bare:
            return LineVerdict(text, "empty", "the line is empty")
        if _PLACEHOLDER.match(bare):
            return LineVerdict(text, "placeholder", "it only says that nothing was found")
        if _META.match(bare) or bare in headings:
            return LineVerdict(text, "echo", "it talks about the task, not the recording")
        mine = features(text)
        if echo_features and len(mine) >= 2:
            in_prompt = len(mine & echo_features) / len(mine)
            in_source = len(mine & self._all_features) / len(mine)
            if in_prompt >= ECHO_OVERLAP and in_prompt > in_source:
                return LineVerdict(text, "echo", "it repeats the instructions given to the model")
        mismatch = language_mismatch(text, self.allowed)
        if mismatch:
            return LineVerdict(text, "wrong_language", mismatch)
        lexical, semantic, score, supports = self._support(mine, vector)

        def found(verdict: str, reason: str) -> LineVerdict:
            return LineVerdict(text, verdict, reason, score, lexical, semantic, supports)

        invented = sorted(a for a in anchors(text) if not self._said(a))
        if invented:
            said = ", ".join(f"'{a}'" for a in invented)
            return found("unsupported", f"the recording never says {said}")
        if score < self.threshold:
            return found(
                "unsupported",
                f"nothing in the recording supports it (support {score:.2f}, "
                f"needed {self.threshold:.2f})",
            )
        if lexical < MIN_LEXICAL:
            return found(
                "unsupported",
                f"too little of it is said in the recording (word overlap {lexical:.2f}, "
                f"needed {MIN_LEXICAL:.2f})",
            )
        for number, (other, other_vector) in enumerate(kept, start=1):
            overlap = len(mine & other) / max(1, len(mine | other))
            close = (
                float(vector @ other_vector)
                if vector is not None and other_vector is not None
                else 0.0
            )
            if overlap >= DUPLICATE_OVERLAP or close >= DUPLICATE_COSINE:
                return found("duplicate", f"it repeats kept line {number}")
        return found("grounded", "")

    def _said(self, anchor: str) -> bool:
        if anchor[0].isdigit():
            return anchor.replace(",", "") in self._source_words
        return anchor in self._source_text

    def _support(
        self, mine: set[str], vector: npt.NDArray[np.float32] | None
    ) -> tuple[float, float, float, tuple[Support, ...]]:
        if not self.sentences:
            return 0.0, 0.0, 0.0, ()
        lexical = self._lexical(mine)
        if vector is not None:
            semantic = np.clip(self._window_vectors() @ vector, 0.0, 1.0)
            scores = 0.5 * lexical + 0.5 * semantic
        else:
            semantic = np.zeros_like(lexical)
            scores = lexical
        order = np.argsort(-scores, kind="stable")
        best = int(order[0])
        picked: list[Support] = []
        for index in order[: 4 * WINDOW]:
            first, last = self._spans[int(index)]
            if picked and (
                scores[index] < self.threshold
                or any(not (last < p.first or first > p.last) for p in picked)
            ):
                continue
            picked.append(self._support_at(first, last, float(scores[index])))
            if len(picked) == 3:
                break
        return float(lexical[best]), float(semantic[best]), float(scores[best]), tuple(picked)

    def _support_at(self, first: int, last: int, score: float) -> Support:
        part = self.sentences[first : last + 1]
        text = " ".join(s.text for s in part)
        return Support(part[0].start, part[-1].end, text, round(score, 4), first, last)

    def _lexical(self, mine: set[str]) -> npt.NDArray[np.float64]:
        """Weighted share of ``mine`` found in each passage (one value per span)."""
        n = len(self.sentences)
        if not mine:
            return np.zeros(len(self._spans))
        ordered = sorted(mine)
        weights = np.array([self._idf.get(f, self._unseen_idf) for f in ordered])
        present = np.array([[f in fs for fs in self._features] for f in ordered], dtype=bool)
        parts = []
        window = present
        for width in range(1, WINDOW + 1):
            if width > 1:
                window = window[:, :-1] | present[:, width - 1 :]
            parts.append(weights @ window / weights.sum())
            if width >= n:
                break
        return np.concatenate(parts)[: len(self._spans)]

    def _embed_lines(self, texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
        if self._embed is None or not texts:
            return None
        return _unit(self._embed([t or " " for t in texts]))

    def _window_vectors(self) -> npt.NDArray[np.float32]:
        if self._vectors is None:
            assert self._embed is not None
            rows = _unit(
                self._rows
                if self._rows is not None
                else self._embed([s.text for s in self.sentences])
            )
            parts = [rows]
            running = rows.copy()
            for width in range(2, WINDOW + 1):
                if width > len(rows):
                    break
                running = running[:-1] + rows[width - 1 :]
                parts.append(_unit(running))
            self._vectors = np.concatenate(parts)
        return self._vectors


def _unit(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def check_lines(
    lines: Sequence[str],
    segments: Sequence[Segment],
    embed: EmbedFn | None,
    *,
    language: str | None = None,
    instructions: Sequence[str] = (),
    threshold: float = THRESHOLD,
) -> GroundingReport:
    """Check ``lines`` against the recording's ``segments`` (see :class:`Grounder`)."""
    grounder = Grounder(segments, embed, language=language, threshold=threshold)
    return grounder.check(lines, instructions=instructions)
