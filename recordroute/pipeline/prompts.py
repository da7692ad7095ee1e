"""Prompt texts (text only, no logic beyond choosing the language)."""

from __future__ import annotations

from collections.abc import Sequence

SECTIONS = ("topics", "key_points", "decisions", "action_items", "risks", "next_steps")
SECTION_TITLES = {
    "ko": {
        "topics": "주요 주제",
        "key_points": "핵심 내용",
        "decisions": "결정 사항",
        "action_items": "실행 항목",
        "risks": "위험 및 이슈",
        "next_steps": "다음 단계",
    },
    "en": {
        "topics": "Topics",
        "key_points": "Key points",
        "decisions": "Decisions",
        "action_items": "Action items",
        "risks": "Risks and issues",
        "next_steps": "Next steps",
    },
}
NONE_NOTED = {"ko": "언급 없음", "en": "None noted"}

_MAP = {
    "ko": (
        "다음은 녹음 기록의 일부입니다. 각 줄 앞의 [시:분:초]는 말한 시각입니다.\n"
        "사실만 간결한 글머리표로 요약하세요. 각 항목 끝에 근거가 된 시각을 (00:12:30)처럼 "
        "적으세요. 다음 제목을 사용하세요: {headings}.\n\n기록:\n{text}\n\n요약:\n"
    ),
    "en": (
        "Below is part of a recording transcript. [HH:MM:SS] before each line is when it was "
        "said.\nSummarise only the facts as short bullet points{language_hint}. End each point "
        "with the time it came from, like (00:12:30). Use these headings: {headings}.\n\n"
        "Transcript:\n{text}\n\nSummary:\n"
    ),
}
_REDUCE = {
    "ko": (
        "다음은 한 녹음의 부분 요약들입니다. 중복을 없애고 충돌을 정리해 하나의 요약으로 "
        "합치세요. 시각 표시는 유지하세요. 다음 제목을 사용하세요: {headings}.\n\n"
        "부분 요약:\n{text}\n\n통합 요약:\n"
    ),
    "en": (
        "Below are partial summaries of one recording. Merge them into one summary{language_hint}, "
        "removing duplicates and reconciling conflicts. Keep the time references. Use these "
        "headings: {headings}.\n\nPartial summaries:\n{text}\n\nMerged summary:\n"
    ),
}
_TITLE = {
    "ko": "다음 내용을 한 줄 제목으로 쓰세요. 제목만 쓰세요.\n\n{text}\n\n제목:",
    "en": "Write a one-line title for the following{language_hint}. Reply with the title only."
    "\n\n{text}\n\nTitle:",
}
SYSTEM = {
    "ko": "당신은 회의와 강의 기록을 정확하게 요약하는 도우미입니다.",
    "en": "You summarise meeting and lecture transcripts accurately.",
}
LANGUAGE_NAMES = {
    "de": "German",
    "ja": "Japanese",
    "zh": "Chinese",
    "fr": "French",
    "es": "Spanish",
}


def prompt_language(language: str) -> str:
    return "ko" if language == "ko" else "en"


def _fill(
    template: dict[str, str],
    language: str,
    text: str,
    headings: Sequence[str] | None = None,
    instructions: str = "",
) -> str:
    lang = prompt_language(language)
    names = ", ".join(headings or SECTION_TITLES[lang].values())
    hint = f" in {LANGUAGE_NAMES[language]}" if language in LANGUAGE_NAMES else ""
    prompt = template[lang].format(text=text, headings=names, language_hint=hint)
    return f"{instructions.strip()}\n{prompt}" if instructions.strip() else prompt


def map_prompt(
    text: str, language: str, headings: Sequence[str] | None = None, instructions: str = ""
) -> str:
    return _fill(_MAP, language, text, headings, instructions)


def reduce_prompt(
    text: str, language: str, headings: Sequence[str] | None = None, instructions: str = ""
) -> str:
    return _fill(_REDUCE, language, text, headings, instructions)


def instruction_texts(
    language: str, headings: Sequence[str] = (), instructions: str = ""
) -> list[str]:
    """Every text the model is given besides the transcript: what an echo would repeat."""
    lang = prompt_language(language)
    texts = [SYSTEM[lang], _MAP[lang], _REDUCE[lang], _TITLE[lang], *SECTION_TITLES[lang].values()]
    texts += [*headings, instructions] if instructions else list(headings)
    return [
        t.replace("{text}", "").replace("{headings}", "").replace("{language_hint}", "")
        for t in texts
    ]


def title_prompt(text: str, language: str) -> str:
    return _fill(_TITLE, language, text)
