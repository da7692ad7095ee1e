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
STOP_WORDS = frozenset(
    """
    그리고 그래서 그런데 하지만 그러나 그러면 그럼 또는 또한 이제 그냥 정말 진짜 너무 아주 많이
    조금 우리 저희 제가 저는 나는 내가 너는 이거 그거 저거 이것 그것 저것 여기 거기 저기 이런
    그런 저런 어떤 무슨 있다 있는 있고 있어 있습니다 없다 없는 없습니다 하다 한다 했다 합니다
    됩니다 되는 된다 것 수 등 좀 네 예 아 어 음 그 이 저 뭐 왜 더 잘 안 못 때 좀더 지금 오늘
    다음 다시 같은 같이 위해 대해 통해 때문 때문에 경우 정도 부분 가지 생각 the a an and or but
    if then so of to in on at by for with from as is are was were be been being it its this
    that these those there here we you he she they i me my our your their them his her not no
    do does did have has had will would can could should may might must just very really also
    than too about into over out up down what which who whom when where why how all any each
    some such only own same other more most well yeah okay ok um uh like going get got one two
""".split()
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
