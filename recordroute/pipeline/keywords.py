"""Keyword frequencies with Korean-aware tokenisation and stop words."""

from __future__ import annotations

import re
from collections import Counter

from ..lexicon import STOP_WORDS, is_hangul, strip_particle

_TOKEN = re.compile(r"[가-힣]+|[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\d+(?:\.\d+)?")


def tokenize(text: str) -> list[str]:
    """Lower-cased content words; Korean particles are stripped from word ends."""
    words: list[str] = []
    for raw in _TOKEN.findall(text):
        word = raw.lower()
        if is_hangul(word):
            word = strip_particle(word)
        if len(word) < 2 or word in STOP_WORDS or word.replace(".", "").isdigit():
            continue
        words.append(word)
    return words


def keyword_counts(text: str, top: int = 50) -> dict[str, int]:
    return dict(Counter(tokenize(text)).most_common(top))
