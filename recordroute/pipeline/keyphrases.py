"""Keyphrases: the recording's topics in its own words, Korean particles stripped."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..grounding import EmbedFn, TimedSentence
from ..grounding.text import STOP_WORDS, is_hangul, word_pairs
from .ranking import mmr, unit_rows

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: last syllables of Korean verbs, adjectives and adverbs: such words are not topics
_NOT_NOUN_ENDINGS = frozenset("다한진는던할기게고며서요죠까히듯록면지운인된될른")
_NOT_TOPICS = frozenset(
    """
    특히 널리 매우 가장 모두 함께 먼저 바로 계속 아마 혹시 물론 거의 결국 이미 아직 항상 자주
    ask asked say said says think thought know want wants make made need needs tell told thing
    things lot way ways time times yes right sure
    """.split()
)


@dataclasses.dataclass(frozen=True)
class Keyphrase:
    #: as first said (a Korean last word without its particle): "아프리카의 야생동물"
    text: str
    count: int
    #: the first sentence that says it
    sentence: int
    #: the comparable form that occurrences are counted by
    key: str = ""


def _is_topic_word(word: str) -> bool:
    if word in STOP_WORDS or word in _NOT_TOPICS or word[0].isdigit():
        return False
    if is_hangul(word):
        return len(word) >= 2 and word[-1] not in _NOT_NOUN_ENDINGS
    return len(word) >= 3


def candidates(sentences: Sequence[TimedSentence]) -> list[Keyphrase]:
    """Runs of one to three topic words, with how often and where first they occur."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    for index, sentence in enumerate(sentences):
        run: list[tuple[str, str]] = []
        for raw, word in [*word_pairs(sentence.text), ("", "")]:
            if word and _is_topic_word(word):
                run.append((raw, word))
                continue
            for size in (1, 2, 3):
                for start in range(len(run) - size + 1):
                    part = run[start : start + size]
                    key = " ".join(w for _r, w in part)
                    last = part[-1][1] if is_hangul(part[-1][1]) else part[-1][0]
                    counts[key] += 1
                    first.setdefault(key, (index, " ".join([*(r for r, _w in part[:-1]), last])))
            run = []
    return [Keyphrase(first[k][1], c, first[k][0], k) for k, c in counts.items()]


def keyphrases(
    sentences: Sequence[TimedSentence],
    embed: EmbedFn,
    k: int = 5,
    *,
    centroid: npt.NDArray[np.float32] | None = None,
    pool: int = 60,
) -> list[Keyphrase]:
    """The ``k`` phrases closest in meaning to the whole text, frequent ones first, diverse."""
    found = candidates(sentences)
    if not found or k <= 0:
        return []
    found.sort(key=lambda p: (-(p.count * (1 + 0.5 * (len(p.text.split()) - 1))), p.sentence))
    # a longer phrase said as often as its parts stands for them
    kept: list[Keyphrase] = []
    for phrase in found:
        if any(phrase.key in longer.key and phrase.count <= longer.count for longer in kept):
            continue
        kept.append(phrase)
        if len(kept) == pool:
            break
    vectors = unit_rows(embed([p.text for p in kept]))
    if centroid is None:
        centroid = unit_rows(embed([" ".join(s.text for s in sentences)[:4000]]))[0]
    relevance = np.asarray(vectors @ centroid, dtype=np.float64) + 0.1 * np.log1p(
        [p.count for p in kept]
    )
    chosen = mmr(vectors, relevance, k, diversity=0.4)
    return [kept[i] for i in chosen]


def topic_count(sentences: Sequence[TimedSentence]) -> int:
    """How many topics to show: 3 for a short text, up to 6 for a long one."""
    return max(3, min(6, 2 + int(math.log10(max(1, len(sentences))) * 2)))
