"""Cue phrases that mark decisions, action items, risks and next steps (Korean and English).

The extractive summary needs no language model: a sentence that says 결정했습니다 or
"we agreed" is a decision; one with an owner or a deadline (담당, 금요일까지, "Mina will
send", "by Friday") is an action item. Owners and deadlines are read from the same
sentence, so what is shown is always what was said.
"""

from __future__ import annotations

import dataclasses
import re

_DAYS_EN = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS_EN = "january|february|march|april|may|june|july|august|september|october|november|december"
_DUE_KO = (
    r"(?:다음\s*주|이번\s*주|다다음\s*주)?\s*[월화수목금토일]요일|\d{1,2}\s*월\s*\d{1,2}\s*일|"
    r"\d{1,2}\s*일|내일|모레|글피|월말|주말|연말|분기\s*말|이달\s*말|다음\s*달|이번\s*주|다음\s*주|오늘|"
    r"회의\s*전|다음\s*회의"
)
_DUE_EN = (
    rf"(?:next |this )?(?:{_DAYS_EN})|tomorrow|tonight|today|next week|this week|"
    rf"(?:the )?end of (?:the )?(?:day|week|month|quarter|year)|"
    rf"(?:{_MONTHS_EN}) \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)? of (?:{_MONTHS_EN})|"
    rf"the next meeting|noon|\d{{1,2}}(?::\d{{2}})? ?(?:am|pm)"
)
DUE = (
    re.compile(rf"((?:{_DUE_KO}))\s*까지"),
    re.compile(rf"\b(?:by|before|due|until) ((?:{_DUE_EN}))\b", re.IGNORECASE),
)
_ROLE_KO = r"(?:\s*(?:씨|님|팀장님?|과장님?|대리님?|부장님?|매니저님?|선배님?|책임님?))?"
OWNER = (
    re.compile(
        rf"([가-힣]{{2,4}}?){_ROLE_KO}\s*(?:이|가|께서|은|는)\s*(?:[^.?!]{{0,30}}?)(?:담당|맡)"
    ),
    re.compile(
        r"담당(?:자)?(?:는|은|:|으로)?\s*([가-힣]{2,4}?)"
        + _ROLE_KO
        + r"(?:이|가|입니다|로|으로|\b)"
    ),
    re.compile(
        rf"([가-힣]{{2,4}}?){_ROLE_KO}\s*(?:이|가|께서)\s+[^.?!]{{0,60}}?"
        r"(?:까지|하겠습니다|할게요|하기로|해\s*주세요|주시기\s*바랍니다)"
    ),
    re.compile(r"\b([A-Z][a-z]+) (?:will|is going to|'ll|agreed to|volunteered to|is on)\b"),
    re.compile(r"\b(?:owner(?: is|:)|assigned to|owned by) ([A-Z][a-z]+)\b", re.IGNORECASE),
)
_NOT_NAMES = frozenset(
    """
    우리 저희 제가 저는 내가 나는 그게 이건 그건 이게 모두 다들 여기 거기 그럼 그리고 일단 이번
    다음 회의 오늘 내일 팀에서 팀이 이것 그것 누가 누구 모든 각자
    We They It This That There He She You The Everyone Nobody Someone Somebody
    """.split()
)


@dataclasses.dataclass(frozen=True)
class CueSet:
    name: str
    patterns: tuple[re.Pattern[str], ...]


#: a person's name, then what they will do ("Carlos will take"): case matters here
_NAME_WILL = re.compile(
    r"\b(?!(?:It|This|That|There|Which|What|Who|We|They|You|He|She|Everything|Nothing|"
    r"Everyone|Nobody|Someone|Then|So|And|But)\b)[A-Z][a-z]+ (?:will|is going to) [a-z]+"
)


def _any(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


CUES = {
    "decisions": CueSet(
        "decisions",
        _any(
            r"결정|확정|합의|하기로|기로\s*(?:했|하였|결정|합의)|승인|채택|정했|정하자|결론",
            r"\b(?:decided|decide to|decision|agreed|we agree|approved|settled on|"
            r"(?:we'll|we will|let's) go with|final call|concluded|signed off|"
            rf"(?:date|deadline) is (?:now )?(?:set |moved |fixed )?(?:for |to )?(?:{_DAYS_EN}))\b",
        ),
    ),
    "action_items": CueSet(
        "action_items",
        (
            *_any(
                r"담당|맡(?:아|기|겠|을)|"
                rf"(?:{_DUE_KO})\s*까지|(?:제가|저희가)\s.*(?:하겠습니다|할게요)|"
                r"씨가\s.*(?:주세요|기로)|부탁(?:드립|합)|할\s*일|액션\s*아이템",
                r"\b(?:action items?|owner|assigned to|to-?do|follow(?:s)? up on|"
                r"will (?:send|prepare|draft|write|update|check|review|set up|schedule|share|book|"
                r"call|email|fix|finish|look into|take care|organi[sz]e|contact|circulate|order|"
                r"test|deploy|publish|collect|compile|reach out|talk to|confirm|create|submit)|"
                r"i'll|i will|needs? to|please)\b",
                rf"\b(?:by|before|due) (?:{_DUE_EN})\b",
            ),
            _NAME_WILL,
        ),
    ),
    "risks": CueSet(
        "risks",
        _any(
            r"위험|리스크|우려|걱정|문제|이슈|지연|부족|어렵|차질|병목|장애|늦어",
            r"\b(?:risks?|risky|concerns?|concerned|worried|worry|issues?|problems?|delay(?:ed|s)?|"
            r"blockers?|blocked|bottleneck|might not|may slip|shortage|behind schedule|"
            r"over budget)\b",
        ),
    ),
    "next_steps": CueSet(
        "next_steps",
        _any(
            r"다음\s*(?:주|회의|단계|번|시간|달)|향후|예정|후속|이어서\s*진행",
            r"\b(?:next (?:week|meeting|step|steps|time|month|sprint)|follow[- ]up|going forward|"
            r"upcoming|plan to|planned|scheduled)\b",
        ),
    ),
    "definitions": CueSet(
        "definitions",
        _any(
            r"(?:이)?란\s|(?:이)?라고\s*(?:합니다|한다|부릅니다|해요)|의미(?:합니다|한다|는)|정의|뜻(?:합니다|한다)|칭한다|말합니다",
            r"\b(?:is defined as|is called|are called|means|refers to|stands for|"
            r"definition|we call)\b",
        ),
    ),
    "examples": CueSet(
        "examples",
        _any(
            r"예를\s*들(?:어|면)|예컨대|예시|사례|가령",
            r"\b(?:for example|for instance|such as|e\.g\.|an example|case study|imagine)\b",
        ),
    ),
    "questions": CueSet(
        "questions",
        _any(r"\?\s*$|？\s*$|질문|궁금"),
    ),
    "assignments": CueSet(
        "assignments",
        _any(
            r"과제|숙제|제출|읽어\s*오|다음\s*시간|시험|퀴즈",
            r"\b(?:homework|assignment|due|submit|read chapter|next class|exam|quiz|problem set)\b",
        ),
    ),
    "background": CueSet(
        "background",
        _any(
            r"경력|출신|전공|일했|근무|\d+\s*년\s*(?:동안|간|째)|시작했|처음",
            r"\b(?:worked|years|background|grew up|studied|started|career|joined|"
            r"used to|before that)\b",
        ),
    ),
    "quotes": CueSet(
        "quotes",
        _any(
            r"제\s*생각|저는|제가|저희는|믿습니다|중요한\s*건",
            r"\b(?:i think|i believe|i feel|in my view|for me|what matters|the key is)\b",
        ),
    ),
}


#: the meeting running itself ("let's start", "회의 시작하겠습니다"): never an action item
PROCEDURE = re.compile(
    r"회의(?:를|는)?\s*(?:시작|마치|끝내)|시작하겠|마치겠|여기까지|넘어가겠|말씀(?:해|드리|하)|"
    r"안녕하세요|수고하셨|^감사합니다|"
    r"\b(?:let's (?:get )?start|get started|wrap up|(?:let's )?move on to|"
    r"give us (?:a |an )?(?:quick )?(?:status|update|overview)|"
    r"good (?:morning|afternoon|evening)|thanks for (?:joining|coming)|thank you all|see you)\b",
    re.IGNORECASE,
)


def cue_strength(sentence: str, cues: CueSet) -> int:
    """How many of the cue set's patterns the sentence matches (0: not at all)."""
    if PROCEDURE.search(sentence):
        return 0
    return sum(1 for pattern in cues.patterns if pattern.search(sentence))


def custom_cues(words: tuple[str, ...]) -> CueSet:
    """A cue set from a custom template's words (matched anywhere, case-insensitive)."""
    return CueSet(
        "custom", tuple(re.compile(re.escape(w.strip()), re.IGNORECASE) for w in words if w.strip())
    )


#: the speaker takes the task themselves ("I'll send it", "제가 보내겠습니다")
FIRST_PERSON = re.compile(
    r"(?:^|\s)(?:제가|저희가|내가)\s|\b(?:I'll|I will|I can|let me)\b", re.IGNORECASE
)


def find_owner(sentence: str) -> str | None:
    for pattern in OWNER:
        match = pattern.search(sentence)
        if match and match.group(1) not in _NOT_NAMES and match.group(1).lower() != "i":
            return match.group(1)
    return None


def find_due(sentence: str) -> str | None:
    for pattern in DUE:
        match = pattern.search(sentence)
        if match:
            return " ".join(match.group(1).split())
    return None
