"""Cleaning Whisper output: known hallucinations and repetition loops.

Whisper models invent text on silence and music ("You", "Thanks for watching", Korean
subtitle credits such as "시청해주셔서 감사합니다") and sometimes get stuck repeating a
phrase.  :func:`clean_segments` drops the first, collapses the second, and merges runs of
identical consecutive segments into one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import Segment

#: segments whose whole text (ignoring case, spaces and punctuation) is one of these are dropped
HALLUCINATED_PHRASES = (
    "you",
    "thanks for watching",
    "thanks for watching!",
    "thank you for watching",
    "thank you so much for watching",
    "please subscribe",
    "please like and subscribe",
    "like and subscribe",
    "subtitles by the amara.org community",
    "시청해주셔서 감사합니다",
    "시청해 주셔서 감사합니다",
    "시청 감사합니다",
    "구독과 좋아요",
    "구독과 좋아요 부탁드립니다",
    "구독 좋아요 알림설정",
    "구독, 좋아요, 알림설정 부탁드립니다",
    "다음 영상에서 만나요",
    "ご視聴ありがとうございました",
    "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
)
#: segments matching one of these anywhere are subtitle credits, not speech
HALLUCINATED_PATTERNS = (
    re.compile(r"자막\s*(제공|제작|by)", re.IGNORECASE),
    re.compile(r"한글\s*자막"),
    re.compile(r"^(mbc|kbs|sbs|ytn|jtbc)\s*뉴스\s*\S{2,4}입니다\.?$", re.IGNORECASE),
    re.compile(r"^(subtitles|captions|transcription)\s+by\b", re.IGNORECASE),
    re.compile(r"amara\.org", re.IGNORECASE),
)
#: a word sequence repeated this many times in a row is a loop and kept once
MIN_REPEATS = 4
#: the longest phrase (in words) searched for repetition
MAX_PHRASE_WORDS = 8
#: identical consecutive segments separated by at most this many seconds are merged
MERGE_GAP_S = 1.0

_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
# a run of 2-30 non-digit characters repeated 5+ times without spaces (e.g. Korean loops)
_CHAR_LOOP = re.compile(r"(\D{2,30}?)\1{4,}")


def match_key(text: str) -> str:
    """``text`` lower-cased without spaces and punctuation, for comparing segments."""
    return _NON_WORD.sub("", text.casefold())


_PHRASE_KEYS = frozenset(match_key(phrase) for phrase in HALLUCINATED_PHRASES)


def is_hallucination(text: str) -> bool:
    """Whether ``text`` is a phrase Whisper is known to invent on silence or music."""
    stripped = text.strip()
    if match_key(stripped) in _PHRASE_KEYS:
        return True
    return any(pattern.search(stripped) for pattern in HALLUCINATED_PATTERNS)


def collapse_repeats(text: str) -> str:
    """``text`` with phrases repeated :data:`MIN_REPEATS`+ times in a row kept once."""
    words = text.split()
    keys = [match_key(word) for word in words]
    kept: list[str] = []
    i = 0
    while i < len(words):
        step = _repeated_phrase_length(keys, i)
        if step:
            kept.extend(words[i : i + step])
            i += step
            while keys[i : i + step] == keys[i - step : i] and i + step <= len(words):
                i += step
        else:
            kept.append(words[i])
            i += 1
    return _CHAR_LOOP.sub(r"\1", " ".join(kept))


def clean_text(text: str) -> str:
    """Whitespace collapsed, repetition loops collapsed, long dot runs shortened."""
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"\.{4,}", "...", text)
    return collapse_repeats(text)


def clean_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Segments without hallucinations, empty text or repetition loops."""
    cleaned: list[Segment] = []
    for segment in segments:
        text = clean_text(segment.text)
        if not match_key(text) or is_hallucination(text):
            continue
        if cleaned and _same_text(cleaned[-1].text, text):
            previous = cleaned[-1]
            if segment.start - previous.end <= MERGE_GAP_S:
                cleaned[-1] = Segment(previous.start, max(previous.end, segment.end), previous.text)
                continue
        cleaned.append(Segment(segment.start, segment.end, text))
    return cleaned


def _same_text(a: str, b: str) -> bool:
    return match_key(a) == match_key(b)


def _repeated_phrase_length(keys: list[str], start: int) -> int:
    """The length of the shortest phrase at ``start`` that repeats MIN_REPEATS times; 0 if none."""
    remaining = len(keys) - start
    for size in range(1, min(MAX_PHRASE_WORDS, remaining // MIN_REPEATS) + 1):
        phrase = keys[start : start + size]
        if not any(phrase):
            continue
        if all(
            keys[start + k * size : start + (k + 1) * size] == phrase for k in range(MIN_REPEATS)
        ):
            return size
    return 0
