"""Word forms shared by keyword extraction and search: Korean particles, stop words, stems.

A leaf module (standard library only).  Korean nouns carry particles (josa) and copula
endings written without a space (``예산은``, ``예산에서는``); English words carry plural
and tense suffixes.  :func:`stem` reduces both to a form that two spellings of the same
word share, so that ``예산은`` matches ``예산`` and ``Americans`` matches ``American``
while ``can`` does not match inside ``Americans``.
"""

from __future__ import annotations

import functools
import re

#: particles (josa) and copula endings stripped from the end of a Hangul word, longest first
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        """
        은 는 이 가 을 를 에 에서 에게 께 께서 한테 의 와 과 도 로 으로 만 까지 부터 처럼 보다
        이나 나 랑 이랑 하고 이며 며 에는 에서는 으로는 로는 이라고 라고 이라는 라는 입니다 이다
        였다 했다 합니다 했습니다 하는 하고 해서 하면 들 들은 들이 들을 들의 에도 에서도 으로도
        로도 과의 와의 이에요 예요 에게서 한테서 마다 조차 밖에
        """.split(),
        key=len,
        reverse=True,
    )
)
_PARTICLE_SET = frozenset(PARTICLES)
_LONGEST = len(PARTICLES[0])
#: function words of Korean and English that carry no topic
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
#: a word: letters and digits of any script, with inner apostrophes (``don't``, ``Kennedy's``)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HANGUL_FIRST, _HANGUL_LAST = "가", "힣"


def is_hangul(word: str) -> bool:
    """Whether ``word`` starts with a Hangul syllable."""
    return bool(word) and _HANGUL_FIRST <= word[0] <= _HANGUL_LAST


def strip_particle(word: str, keep: int = 2) -> str:
    """``word`` without one trailing particle (the longest), when ``keep`` syllables remain."""
    for length in range(min(_LONGEST, len(word) - keep), 0, -1):
        if word[-length:] in _PARTICLE_SET:
            return word[:-length]
    return word


#: the light verbs 하다 / 되다 and their common forms: 예약 + 해 = 예약해 ("book it")
_LIGHT_VERB_STARTS = tuple("하해했한할함합되돼됐된될됨됩")


def is_particle(tail: str) -> bool:
    """Whether ``tail`` (the rest of a Hangul word after a noun) is a particle or ending.

    A noun followed by a form of 하다 or 되다 (``예약해``, ``준비했습니다``) counts too.
    """
    return tail in _PARTICLE_SET or tail.startswith(_LIGHT_VERB_STARTS)


def english_stem(word: str) -> str:
    """A light stem of a lower-cased English word: possessive, plural, -ing, -ed, final e."""
    for apostrophe in ("'s", "’s", "'", "’"):
        if word.endswith(apostrophe) and len(word) > len(apostrophe) + 1:
            word = word[: -len(apostrophe)]
            break
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # running -> run, planned -> plan
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # bake / baking / baked -> bak
    return word


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The form two spellings of one word share (case folded; Korean particle stripped)."""
    folded = word.casefold()
    if is_hangul(folded):
        return strip_particle(folded)
    if folded.isascii() and folded.replace("'", "").isalpha():
        return english_stem(folded)
    return folded


def hangul_share(text: str) -> float:
    """The share of Hangul among the letters of ``text`` (0 when it has no letters)."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for char in letters if _HANGUL_FIRST <= char <= _HANGUL_LAST) / len(letters)


def words_of(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for every word of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry a topic (no stop words, no bare numbers), in order."""
    out: list[str] = []
    for _start, _end, word in words_of(text):
        folded = word.casefold()
        base = strip_particle(folded) if is_hangul(folded) else folded
        if folded in STOP_WORDS or base in STOP_WORDS or folded.isdigit():
            continue
        out.append(word)
    return out
