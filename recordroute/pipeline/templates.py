"""Summary templates: which sections a summary has, and how each is filled.

Three are built in: ``meeting`` (the six sections RecordRoute has always written),
``lecture`` and ``interview``. Custom templates (sections plus instructions) are
stored in the database and read through :class:`TemplateSource`; every template's
lines pass the same grounding check.

Each section is filled without a language model from one *source*:
``topics`` (keyphrases), ``key_points`` (central, diverse sentences), ``cues``
(sentences with cue phrases: built-in cue sets or a custom template's words) or
``query`` (sentences closest in meaning to the section's title and instruction).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import InvalidInputError, NotFoundError
from ..models import Recording
from . import prompts

SOURCES = ("topics", "key_points", "cues", "query")
BUILTIN_NAMES = ("meeting", "lecture", "interview")
DEFAULT = "meeting"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_SECTIONS = 8


@dataclasses.dataclass(frozen=True)
class SectionSpec:
    key: str
    titles: Mapping[str, str]
    source: str
    #: names of built-in cue sets (built-in templates) or words to look for (custom ones)
    cues: tuple[str, ...] = ()
    #: what the section holds, for the model and for ``query`` sections
    instruction: str = ""

    def title(self, language: str) -> str:
        return self.titles.get(prompts.prompt_language(language)) or next(
            iter(self.titles.values())
        )


@dataclasses.dataclass(frozen=True)
class SummaryTemplate:
    name: str
    sections: tuple[SectionSpec, ...]
    instructions: str = ""
    builtin: bool = True

    def headings(self, language: str) -> list[str]:
        return [s.title(language) for s in self.sections]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "builtin": self.builtin,
            "instructions": self.instructions,
            "sections": [
                {
                    "key": s.key,
                    "title": s.titles["en"],
                    "titles": dict(s.titles),
                    "source": s.source,
                    "cues": list(s.cues),
                    "instruction": s.instruction,
                }
                for s in self.sections
            ],
        }


class TemplateSource(Protocol):
    """Where custom templates are kept (the database), and which one a recording uses."""

    @property
    def default_mode(self) -> str:
        """``auto``, ``extractive`` or ``abstractive`` (RECORDROUTE_SUMMARY_MODE)."""
        ...

    def find_template(self, name: str) -> SummaryTemplate | None: ...

    def default_template(self, recording: Recording) -> str:
        """The recording's own choice, else its tag's, else the configured default."""
        ...


def _section(key: str, ko: str, en: str, source: str, *cues: str) -> SectionSpec:
    return SectionSpec(key, {"ko": ko, "en": en}, source, cues)


def _meeting(key: str, source: str, *cues: str) -> SectionSpec:
    ko, en = prompts.SECTION_TITLES["ko"][key], prompts.SECTION_TITLES["en"][key]
    return _section(key, ko, en, source, *cues)


_MEETING = SummaryTemplate(
    "meeting",
    (
        _meeting("topics", "topics"),
        _meeting("key_points", "key_points"),
        _meeting("decisions", "cues", "decisions"),
        _meeting("action_items", "cues", "action_items"),
        _meeting("risks", "cues", "risks"),
        _meeting("next_steps", "cues", "next_steps"),
    ),
)
_LECTURE = SummaryTemplate(
    "lecture",
    (
        _section("topics", "주요 주제", "Topics", "topics"),
        _section("key_concepts", "핵심 개념", "Key concepts", "key_points"),
        _section("definitions", "정의", "Definitions", "cues", "definitions"),
        _section("examples", "예시", "Examples", "cues", "examples"),
        _section("questions", "질문", "Questions", "cues", "questions"),
        _section(
            "assignments", "과제 및 다음 시간", "Assignments and next class", "cues", "assignments"
        ),
    ),
    "Summarise a lecture: what it teaches, the terms it defines, its examples and what "
    "students must do next.",
)
_INTERVIEW = SummaryTemplate(
    "interview",
    (
        _section("topics", "주요 주제", "Topics", "topics"),
        _section("key_points", "핵심 내용", "Key points", "key_points"),
        _section("statements", "주요 발언", "Notable statements", "cues", "quotes"),
        _section("background", "배경", "Background", "cues", "background"),
        _section("questions", "질문", "Questions asked", "cues", "questions"),
        _section("follow_ups", "후속 조치", "Follow-ups", "cues", "next_steps", "action_items"),
    ),
    "Summarise an interview: who was asked what, what they said and what follows.",
)
BUILTIN = {t.name: t for t in (_MEETING, _LECTURE, _INTERVIEW)}


def get_template(name: str, source: TemplateSource | None = None) -> SummaryTemplate:
    """A built-in or custom template by name; raises NotFoundError naming what exists."""
    key = (name or DEFAULT).strip().lower()
    if key in BUILTIN:
        return BUILTIN[key]
    found = source.find_template(key) if source is not None else None
    if found is None:
        raise NotFoundError(
            f"There is no summary template {name!r}.",
            f"Use one of {', '.join(BUILTIN_NAMES)}, or create it first.",
        )
    return found


def _text(value: object, what: str, limit: int, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInputError(f"{what} must be text, not {value!r}.", f"Give {what} as a string.")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidInputError(
            f"{what} is {len(text)} characters long ({text[:40]!r}...).",
            f"Keep it to {limit} characters.",
        )
    return text


def template_from_dict(data: Mapping[str, Any]) -> SummaryTemplate:
    """A custom template from its JSON form, checked; errors name the bad value and the fix.

    ``{"name": "standup", "instructions": "...", "sections": [{"title": "Blockers",
    "instruction": "what stops the work", "cues": ["blocked", "막혀"], "source": "cues"}]}``
    """
    name = _text(data.get("name"), "The template name", 40, required=True).lower()
    if not _NAME.match(name):
        raise InvalidInputError(
            f"The template name {name!r} has characters that are not allowed.",
            "Use lower-case letters, digits, '-' and '_' (up to 40), starting with a letter or "
            "digit.",
        )
    if name in BUILTIN:
        raise InvalidInputError(
            f"{name!r} is a built-in template and cannot be replaced.", "Choose another name."
        )
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not 1 <= len(raw_sections) <= MAX_SECTIONS:
        raise InvalidInputError(
            f"A template needs 1 to {MAX_SECTIONS} sections; got {raw_sections!r}.",
            'Give "sections" as a list like [{"title": "Decisions", "cues": ["decided"]}].',
        )
    sections: list[SectionSpec] = []
    for number, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, Mapping):
            raise InvalidInputError(
                f"Section {number} is {raw!r}, not an object.",
                'Write each section as {"title": ..., "instruction": ..., "cues": [...]}.',
            )
        title = _text(raw.get("title"), f"The title of section {number}", 60, required=True)
        instruction = _text(
            raw.get("instruction"), f"The instruction of section {number}", 300, required=False
        )
        cues_raw = raw.get("cues", [])
        if not isinstance(cues_raw, list) or len(cues_raw) > 20:
            raise InvalidInputError(
                f"The cues of section {number} are {cues_raw!r}.",
                "Give up to 20 words or phrases as a list of strings.",
            )
        cues = tuple(_text(c, f"A cue of section {number}", 40, required=True) for c in cues_raw)
        source = raw.get("source") or ("cues" if cues else "query")
        if source not in SOURCES or (source == "cues" and not cues):
            raise InvalidInputError(
                f"Section {number} has the source {source!r}"
                + (" but no cues." if source == "cues" else "."),
                f"Use one of {', '.join(SOURCES)}; 'cues' needs a list of cue words.",
            )
        if any(title == s.titles["ko"] for s in sections):
            raise InvalidInputError(
                f"Two sections are called {title!r}.", "Give every section its own title."
            )
        sections.append(
            SectionSpec(f"s{number}", {"ko": title, "en": title}, source, cues, instruction)
        )
    instructions = _text(
        data.get("instructions"), "The template instructions", 1000, required=False
    )
    return SummaryTemplate(name, tuple(sections), instructions, builtin=False)
