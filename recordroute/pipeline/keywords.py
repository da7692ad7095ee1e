"""Keyword frequencies with Korean-aware tokenisation and stop words."""

from __future__ import annotations

import re
from collections import Counter

_TOKEN = re.compile(r"[가-힣]+|[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\d+(?:\.\d+)?")
# particles (josa) and copula endings stripped from the end of a Hangul word, longest first
_PARTICLES = sorted(
    """
    은 는 이 가 을 를 에 에서 에게 께 께서 한테 의 와 과 도 로 으로 만 까지 부터 처럼 보다
    이나 나 랑 이랑 하고 이며 며 에는 에서는 으로는 로는 이라고 라고 이라는 라는 입니다 이다
    였다 했다 합니다 했습니다 하는 하고 해서 하면 들 들은 들이 들을 들의 에도 에서도 으로도
    로도 과의 와의
    """.split(),
    key=len,
    reverse=True,
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


def tokenize(text: str) -> list[str]:
    """Lower-cased content words; Korean particles are stripped from word ends."""
    words: list[str] = []
    for raw in _TOKEN.findall(text):
        word = raw.lower()
        if "가" <= word[0] <= "힣":
            for particle in _PARTICLES:
                if word.endswith(particle) and len(word) - len(particle) >= 2:
                    word = word[: -len(particle)]
                    break
        if len(word) < 2 or word in STOP_WORDS or word.replace(".", "").isdigit():
            continue
        words.append(word)
    return words


def keyword_counts(text: str, top: int = 50) -> dict[str, int]:
    return dict(Counter(tokenize(text)).most_common(top))
