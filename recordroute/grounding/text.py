"""Words and character n-grams for comparing Korean and English text.

Korean words carry particles (은/는/이/가/을/를 ...) that change from sentence to sentence,
and Korean is often written without the spaces a word tokenizer expects; English words
change form (decide, decided). Comparing character n-grams of particle-stripped words
handles both: Hangul words become syllable bigrams, Latin words padded character
trigrams, numbers stay whole.
"""

from __future__ import annotations

import re
import unicodedata

from ..lexicon import STOP_WORDS

_TOKEN = re.compile(r"[가-힣]+|[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,:]\d+)*")
# particles (josa) and copula endings stripped from the end of a Hangul word, longest first
PARTICLES = tuple(
    sorted(
        """
    은 는 이 가 을 를 에 에서 에게 께 께서 한테 의 와 과 도 로 으로 만 까지 부터 처럼 보다
    이나 나 랑 이랑 하고 이며 며 에는 에서는 으로는 로는 이라고 라고 이라는 라는 입니다 이다
    였다 했다 합니다 했습니다 하는 하고 해서 하면 들 들은 들이 들을 들의 에도 에서도 으로도
    로도 과의 와의
    """.split(),
        key=len,
        reverse=True,
    )
)
_WEEKDAYS_MONTHS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december 월요일 화요일 수요일 목요일 금요일
    토요일 일요일
    """.split()
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\s*$")


def normalize(text: str) -> str:
    """NFC (so decomposed Hangul compares equal), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def is_hangul(word: str) -> bool:
    return bool(word) and "가" <= word[0] <= "힣"


def strip_particle(word: str) -> str:
    """A Hangul word without its trailing particle (the stem keeps at least two syllables)."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def word_pairs(text: str) -> list[tuple[str, str]]:
    """(word as written, its comparable form) for every word and number of ``text``."""
    out = []
    for raw in _TOKEN.findall(unicodedata.normalize("NFC", text)):
        word = raw.lower()
        out.append((raw, strip_particle(word) if is_hangul(word) else word.replace(",", "")))
    return out


def words(text: str) -> list[str]:
    """Lower-cased words and numbers; Korean particles stripped; nothing removed."""
    return [word for _raw, word in word_pairs(text)]


def content_words(text: str) -> list[str]:
    """:func:`words` without stop words and one-letter Latin words."""
    return [
        w
        for w in words(text)
        if w not in STOP_WORDS and (len(w) > 1 or is_hangul(w) or w.isdigit())
    ]


def features(text: str) -> set[str]:
    """Character n-grams of the content words: what two texts are compared on."""
    out: set[str] = set()
    for word in content_words(text):
        if word[0].isdigit():
            out.add(f"#{word}")
        elif is_hangul(word):
            if len(word) == 1:
                out.add(word)
            out.update(word[i : i + 2] for i in range(len(word) - 1))
        else:
            padded = f"^{word}$"
            out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def anchors(text: str) -> set[str]:
    """Words a line must not invent: numbers, days and months, and English names.

    A name is a capitalised Latin word that does not start a sentence.
    """
    found: set[str] = set()
    text = unicodedata.normalize("NFC", text)
    for match in _TOKEN.finditer(text):
        raw = match.group()
        word = raw.lower()
        if raw[0].isdigit():
            found.add(word)
        elif word in _WEEKDAYS_MONTHS or any(
            is_hangul(word) and word.startswith(day) for day in _WEEKDAYS_MONTHS
        ):
            found.add(word if not is_hangul(word) else word[:3])
        elif (
            raw[0].isupper()
            and len(raw) > 1
            and word not in STOP_WORDS
            and not _SENTENCE_START.search(text[: match.start()])
        ):
            found.add(word)
    return found
