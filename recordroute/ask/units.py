"""Answer units: the sentences of a recording with their times, and a lexical match score.

An answer quotes or cites sentences, so retrieval ends at sentences: the chunks the index
finds are cut back into the sentences of the transcript they cover, each with the time it
was said (or, for a document, its paragraph).  The lexical score compares the content
words of a question with a sentence in a way that works for Korean and English alike:
whole words (shortened to a stem) for alphabetic scripts, character pairs for Hangul.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterable, Sequence

from ..models import Segment

#: sentence ends: . ! ? and their full-width forms, and Korean endings before a space
_END = re.compile(
    r"(?<=[.!?。！？])[\"'”’)\]]*\s+|"
    r"(?<=니다|어요|아요|해요|세요|에요|예요|네요|군요|한다|했다|된다|이다|였다|있다|없다)\s+(?=[가-힣])"
)
_HANGUL = re.compile(r"[가-힣]")
#: a sentence shorter than this is joined to the next one (fragments cite poorly);
#: Korean says as much in fewer characters
MIN_CHARS = 25
MIN_CHARS_KO = 10
#: and no unit grows past this
MAX_CHARS = 400
_WORD = re.compile(r"[0-9A-Za-zÀ-ɏ]+|[가-힣]+|[一-鿿]+")
_STOP = frozenset(
    """a an the and or but of to in on at for by with from as is are was were be been being do
    does did done what which who whom whose when where why how that this these those it its
    we our us you your i me my he she they them their there here about into over any some
    can could would should will shall may might must have has had not no yes tell said say
    please anything something everything ever also just than then so if""".split()
)
_KO_STOP = frozenset(
    """무엇 무엇을 무엇이 뭐 뭐가 뭘 언제 어디 어디서 어떻게 어떤 누가 누구 왜 얼마 몇
    했나요 했어요 있나요 인가요 나요 까요 습니까 합니까 대해 대해서 관해 관해서 관련
    그리고 그 이 저 것 수""".split()
)
_KO_PARTICLES = (
    "에서는",
    "으로는",
    "에게서",
    "까지는",
    "부터는",
    "에서",
    "으로",
    "에게",
    "까지",
    "부터",
    "에는",
    "보다",
    "처럼",
    "과는",
    "와는",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "와",
    "과",
    "도",
    "로",
    "만",
)


@dataclasses.dataclass(frozen=True)
class Unit:
    """A sentence (or a short run of them) of a recording."""

    text: str
    start_s: float | None
    end_s: float | None
    #: for documents: the paragraph, counted from 1
    paragraph: int | None = None


def split_text(text: str) -> list[str]:
    """The sentences of ``text`` (short ones joined to the next, long ones cut)."""
    pieces = [p.strip() for p in _END.split(" ".join(text.split())) if p and p.strip()]
    out: list[str] = []
    pending = ""
    for piece in pieces:
        pending = f"{pending} {piece}".strip() if pending else piece
        if len(pending) >= (MIN_CHARS_KO if _HANGUL.search(pending) else MIN_CHARS):
            out += _cut(pending)
            pending = ""
    if pending:
        if out and len(out[-1]) + len(pending) < MAX_CHARS:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out


def _cut(text: str) -> list[str]:
    if len(text) <= MAX_CHARS:
        return [text]
    parts: list[str] = []
    while len(text) > MAX_CHARS:
        at = text.rfind(" ", MAX_CHARS // 2, MAX_CHARS)
        at = at if at > 0 else MAX_CHARS
        parts.append(text[:at].strip())
        text = text[at:].strip()
    return [*parts, text] if text else parts


def timed_units(segments: Sequence[Segment]) -> list[Unit]:
    """Sentences of timed segments; a sentence's times are estimated within its segment.

    Consecutive segments are joined when a sentence runs on across them (no sentence end
    at the segment's end) and they follow each other closely.
    """
    units: list[Unit] = []
    buffer: list[Segment] = []

    def flush() -> None:
        if not buffer:
            return
        text = " ".join(" ".join(s.text.split()) for s in buffer).strip()
        start, end = buffer[0].start, buffer[-1].end
        offsets = _segment_offsets(buffer)
        cursor = 0
        for sentence in split_text(text):
            at = text.find(sentence[: min(20, len(sentence))], cursor)
            at = cursor if at < 0 else at
            cursor = at + len(sentence)
            units.append(
                Unit(sentence, _time_at(offsets, at, start), _time_at(offsets, cursor, end))
            )
        buffer.clear()

    for segment in segments:
        if not segment.text.strip():
            continue
        if buffer and (
            segment.start - buffer[-1].end > 2.0
            or _ENDS.search(buffer[-1].text.strip())
            or sum(len(s.text) for s in buffer) > MAX_CHARS
        ):
            flush()
        buffer.append(segment)
    flush()
    return units


_ENDS = re.compile(
    r"[.!?。！？…][\"'”’)\]]*$|(?:니다|어요|아요|해요|세요|에요|예요|한다|했다|이다|였다)$"
)


def _segment_offsets(segments: Sequence[Segment]) -> list[tuple[int, int, float, float]]:
    """``(char start, char end, start s, end s)`` of each segment in the joined text."""
    out = []
    pos = 0
    for segment in segments:
        piece = " ".join(segment.text.split())
        out.append((pos, pos + len(piece), float(segment.start), float(segment.end)))
        pos += len(piece) + 1
    return out


def _time_at(offsets: list[tuple[int, int, float, float]], char: int, default: float) -> float:
    for low, high, start, end in offsets:
        if low <= char <= high:
            share = (char - low) / max(1, high - low)
            return round(start + (end - start) * share, 2)
    return float(default)


def document_units(paragraphs: Sequence[str], first: int = 1) -> list[Unit]:
    """Sentences of untimed paragraphs, each knowing its paragraph number."""
    return [
        Unit(sentence, None, None, number)
        for number, paragraph in enumerate(paragraphs, start=first)
        for sentence in split_text(paragraph)
    ]


# -- lexical match ---------------------------------------------------------------------
_KO_ENDINGS = (
    "했나요",
    "었나요",
    "았나요",
    "습니까",
    "나요",
    "까요",
    "어요",
    "아요",
    "니까",
    "는지",
)


def _stem(word: str) -> str:
    if _HANGUL.match(word):
        for ending in _KO_ENDINGS:
            if word.endswith(ending) and len(word) > len(ending):
                return word[: -len(ending)]
        for particle in _KO_PARTICLES:
            if word.endswith(particle) and len(word) > len(particle):
                return word[: -len(particle)]
        return word
    word = word.casefold()
    for _ in range(2):  # meetings -> meeting -> meet
        for suffix, keep in (("ing", 5), ("ed", 4), ("es", 4), ("s", 3)):
            if word.endswith(suffix) and len(word) > keep and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word[:6]


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning (question words and particles removed)."""
    words = []
    for raw in _WORD.findall(text):
        low = raw.casefold()
        if low in _STOP or raw in _KO_STOP or (len(raw) < 2 and not raw.isdigit()):
            continue
        stem = _stem(raw)
        if stem not in _KO_STOP:
            words.append(stem)
    return words


def _open_syllable(word: str) -> str:
    """The word with its last syllable's final consonant removed (고친 -> 고치)."""
    code = ord(word[-1]) - 0xAC00
    if not 0 <= code < 11172 or code % 28 == 0:
        return word
    return word[:-1] + chr(0xAC00 + code - code % 28)


@functools.lru_cache(maxsize=65536)
def features(text: str) -> frozenset[str]:
    """Stems of the content words, plus character pairs of Korean words (cached)."""
    out: set[str] = set()
    for word in content_words(text):
        out.add(word)
        if _HANGUL.match(word):
            out.add(_open_syllable(word))
            if len(word) > 2:
                out.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(out)


def lexical_score(
    question: frozenset[str], unit_text: str, weights: dict[str, float] | None = None
) -> float:
    """The weighted share of the question's features found in ``unit_text`` (0..1)."""
    if not question:
        return 0.0
    mine = features(unit_text)
    if weights is None:
        return len(question & mine) / len(question)
    total = sum(weights.get(f, 1.0) for f in question)
    return sum(weights.get(f, 1.0) for f in question & mine) / total if total else 0.0


def rarity(question: frozenset[str], texts: Iterable[str]) -> dict[str, float]:
    """A weight per question feature: rare among ``texts`` counts more (IDF)."""
    counts = dict.fromkeys(question, 0)
    total = 0
    for text in texts:
        total += 1
        for feature in question & features(text):
            counts[feature] += 1
    return {f: math.log(1.0 + (total + 1) / (1 + c)) for f, c in counts.items()}


def unique(units: Iterable[Unit]) -> list[Unit]:
    """Units without repeats (the same sentence reached through two chunks)."""
    seen: set[tuple[str, float | None, int | None]] = set()
    out = []
    for unit in units:
        key = (unit.text, unit.start_s, unit.paragraph)
        if key not in seen:
            seen.add(key)
            out.append(unit)
    return out
