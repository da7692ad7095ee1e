"""The texts of the summary benchmark (see texts/README.md): reading, timing, labels.

A text file has ``# key: value`` header lines, then one sentence per line; ``[D]`` marks a
decision and ``[A]`` an action item. Sentences get times at a speaking pace, so that a text
reads like a transcript. The two long meetings are assembled from the agenda items in
``agenda-*.txt`` by a seeded generator (synthetic, and labelled by the same markers).
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

from recordroute.models import Segment

TEXTS = Path(__file__).resolve().parent / "texts"
#: speaking pace: English words and Korean syllables per second
WORDS_PER_S = 2.5
SYLLABLES_PER_S = 5.0
_HANGUL = re.compile(r"[가-힣]")


@dataclasses.dataclass(frozen=True)
class Text:
    name: str
    language: str
    template: str
    segments: list[Segment]
    #: (label, sentence, segment index) for every labelled line: "D" decision, "A" action item
    labels: list[tuple[str, str, int]]

    @property
    def hours(self) -> float:
        return self.segments[-1].end / 3600 if self.segments else 0.0

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)


def seconds_for(sentence: str) -> float:
    syllables = len(_HANGUL.findall(sentence))
    if syllables:
        return max(1.0, syllables / SYLLABLES_PER_S)
    return max(1.0, len(sentence.split()) / WORDS_PER_S)


def timed(lines: list[str]) -> tuple[list[Segment], list[tuple[str, str, int]]]:
    segments, labels = [], []
    clock = 0.0
    for raw in lines:
        match = re.match(r"^\[([DA])\]\s*(.*)$", raw)
        text = match.group(2) if match else raw
        if match:
            labels.append((match.group(1), text, len(segments)))
        length = seconds_for(text)
        segments.append(Segment(round(clock, 2), round(clock + length, 2), text))
        clock += length + 0.4
    return segments, labels


def _parse(path: Path) -> tuple[dict[str, str], list[str]]:
    header, lines = {}, []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("# ") and ":" in raw and not lines:
            key, value = raw[2:].split(":", 1)
            header[key.strip()] = value.strip()
        elif raw.strip() and not raw.startswith("#"):
            lines.append(raw.strip())
    return header, lines


def load(name: str) -> Text:
    header, lines = _parse(TEXTS / f"{name}.txt")
    segments, labels = timed(lines)
    return Text(name, header["language"], header.get("template", "meeting"), segments, labels)


def written_texts() -> list[Text]:
    names = sorted(p.stem for p in TEXTS.glob("*.txt") if not p.stem.startswith("agenda-"))
    return [load(n) for n in names]


_SLOTS = {
    "en": {
        "subject": """the billing service|the customer portal|the mobile app|the data warehouse|
        the partner API|the support chatbot|the payroll system|the marketing website|
        the warehouse scanners|the booking engine|the reporting dashboard|the identity service|
        the invoice archive|the delivery tracker|the feedback survey""",
        "owner": "Mina|Jonas|Priya|Carlos|Sofia|Daniel|Anna|Tom",
        "day": "Monday|Tuesday|Wednesday|Thursday|Friday|next Tuesday|the end of the month",
    },
    "ko": {
        "subject": """결제 서비스|고객 포털|모바일 앱|데이터 창고|파트너 API|상담 챗봇|급여 시스템|
        마케팅 홈페이지|물류 스캐너|예약 엔진|보고서 대시보드|인증 서비스|청구서 보관소|배송 추적|
        설문 시스템""",
        "owner": "민준|서연|지훈|하은|수진|동현|민지|도윤",
        "day": "월요일|화요일|수요일|목요일|금요일|다음 주 화요일|이달 말",
    },
}


def _agenda(language: str) -> list[list[str]]:
    items: list[list[str]] = []
    text = (TEXTS / f"agenda-{language}.txt").read_text(encoding="utf-8")
    for block in text.split("\n## ")[1:]:
        body = [line.strip() for line in block.splitlines()[1:] if line.strip()]
        items.append(body)
    return items


def long_meeting(language: str, hours: float = 2.0, seed: int = 7) -> Text:
    """A meeting of about ``hours`` hours: agenda items with varied subjects, names, numbers."""
    rng = random.Random(seed)
    slots = {k: [v.strip() for v in s.split("|")] for k, s in _SLOTS[language].items()}
    items = _agenda(language)
    lines: list[str] = []
    seconds = 0.0
    while seconds < hours * 3600:
        item = rng.choice(items)
        owner, owner2 = rng.sample(slots["owner"], 2)
        values = {
            "subject": rng.choice(slots["subject"]),
            "owner": owner,
            "owner2": owner2,
            "day": rng.choice(slots["day"]),
            "n": str(rng.randint(2, 9) if language == "ko" else rng.randint(10, 90)),
            "m": str(rng.randint(2, 9)),
        }
        for line in item:
            filled = line.format(**values)
            lines.append(filled)
            seconds += seconds_for(re.sub(r"^\[[DA]\]\s*", "", filled)) + 0.4
    segments, labels = timed(lines)
    return Text(f"long-meeting-{language}", language, "meeting", segments, labels)
