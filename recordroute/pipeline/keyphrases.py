"""Keyphrases: the recording's topics in its own words, Korean particles stripped."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..grounding import EmbedFn, TimedSentence
from ..grounding.text import is_hangul, word_pairs
from ..lexicon import STOP_WORDS
from .ranking import mmr, unit_rows

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: last syllables of Korean verbs, adjectives and adverbs: such words are not topics
_NOT_NOUN_ENDINGS = frozenset("다한진는던할기게고며서요죠까히듯록면지운인된될른데니어아해워봐려나")
_NOT_TOPICS = frozenset(
    """
    특히 널리 매우 가장 모두 함께 먼저 바로 계속 아마 혹시 물론 거의 결국 이미 아직 항상 자주
    회의 안건 오늘 내일 이번 지난 다음 감사 수고 여러분 정도 이야기 말씀 부분 문제 생각 때문
    월요일 화요일 수요일 목요일 금요일 토요일 일요일 주말 시간 하나 가지 정말 먼저 여기 거기
    ask asked say said says think thought know want wants make made need needs tell told thing
    things lot way ways time times yes right sure still see thanks thank everyone anything
    else let's start started quick last next new old good great much many maybe meeting
    today tomorrow yesterday week weeks monday tuesday wednesday thursday friday saturday
    sunday question questions point points item items everybody people person something
    thousand hundred million percent decided agreed decision nobody days 결정 합의 확정 승인
    씨가 씨는 씨도 씨께서 님이 님께서 님은
    """.split()
)
_VAGUE_NOUNS = frozenset("일것수때돈말곳적분번점데등거건")
#: particles after which a Korean word still belongs to the phrase that follows it
_ADNOMINAL = ("의", "이라는", "라는")


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
        # a one-syllable noun with its particle (일이, 것을) is too vague to be a topic
        vague = len(word) == 2 and word[0] in _VAGUE_NOUNS and word[1] in "이가을를은는도에"
        return len(word) >= 2 and word[-1] not in _NOT_NOUN_ENDINGS and not vague
    return len(word) >= 3


def _flush(
    run: list[tuple[str, str]], index: int, counts: Counter[str], first: dict[str, tuple[int, str]]
) -> None:
    for size in (1, 2, 3):
        for start in range(len(run) - size + 1):
            part = run[start : start + size]
            key = " ".join(w for _r, w in part)
            last = part[-1][1] if is_hangul(part[-1][1]) else part[-1][0]
            counts[key] += 1
            first.setdefault(key, (index, " ".join([*(r for r, _w in part[:-1]), last])))


def candidates(sentences: Sequence[TimedSentence]) -> list[Keyphrase]:
    """Runs of one to three topic words, with how often and where first they occur.

    A Korean word that carried a particle other than a genitive (의, 이라는) ends its run, so
    phrases read as nouns ("아프리카의 야생동물"), not as fragments of a clause. A bare Korean
    word (no particle seen) counts only when it occurs at least twice: alone it is as likely
    a verb form as a noun.
    """
    pairs = [word_pairs(s.text) for s in sentences]
    with_particle = {w for sentence in pairs for r, w in sentence if is_hangul(w) and r != w}
    seen = Counter(w for sentence in pairs for _r, w in sentence)
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    for index, sentence in enumerate(pairs):
        run: list[tuple[str, str]] = []
        for raw, word in [*sentence, ("", "")]:
            topical = (
                word
                and _is_topic_word(word)
                and (not is_hangul(word) or word in with_particle or seen[word] >= 2)
            )
            if topical:
                run.append((raw, word))
                ends = is_hangul(word) and raw != word and not raw.endswith(_ADNOMINAL)
                if not ends:
                    continue
            _flush(run, index, counts, first)
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
    relevance = np.asarray(vectors @ centroid, dtype=np.float64) + 0.3 * np.log(
        [p.count for p in kept]
    )
    chosen = mmr(vectors, relevance, k, diversity=0.4)
    return [kept[i] for i in chosen]


def topic_count(sentences: Sequence[TimedSentence]) -> int:
    """How many topics to show: 3 for a short text, up to 6 for a long one."""
    return max(3, min(6, 2 + int(math.log10(max(1, len(sentences))) * 2)))
