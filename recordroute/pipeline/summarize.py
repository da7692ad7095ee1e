"""Summaries by real map-reduce, sized to the model's context window.

Map: every chunk of the transcript is summarised. Reduce: partial summaries are
grouped into batches that fit the context and merged, level by level, until one
summary remains. The result always carries the six sections, in the transcript's
language; a section the model did not fill says so instead of vanishing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

from ..engine_protocols import CancelCheck, LanguageModel
from ..errors import JobCancelledError, ProviderError
from ..grounding import detect_language
from ..models import Segment
from . import prompts
from .chunking import chunk_lines
from .formats import clock, spoken

StepProgress = Callable[[float, str], None]


@dataclasses.dataclass(frozen=True)
class SummaryResult:
    markdown: str
    sections: dict[str, list[str]]
    language: str
    map_calls: int
    reduce_calls: int
    levels: int
    chunk_budget: int
    #: the longest prompt sent, in tokens (system text included); always fits the context
    max_prompt_tokens: int
    #: the model's final answer as it wrote it
    text: str = ""


def timed_lines(segments: Sequence[Segment]) -> list[str]:
    """``[HH:MM:SS] Name: text`` lines (the name when the speaker is known)."""
    return [
        f"[{clock(s.start)}] {spoken(s)}" if s.end else spoken(s)
        for s in segments
        if s.text.strip()
    ]


class MapReduceSummarizer:
    def __init__(
        self,
        model: LanguageModel,
        *,
        max_tokens: int = 400,
        overlap_ratio: float = 0.1,
        headings: Sequence[str] | None = None,
        instructions: str = "",
    ):
        self.model = model
        self.headings = headings
        self.instructions = instructions
        self.max_tokens = max_tokens
        self.overlap_ratio = overlap_ratio
        self.map_calls = 0
        self.reduce_calls = 0
        self._answer = max_tokens
        self._longest = 0

    def plan(self, language: str) -> tuple[int, int]:
        """(answer tokens, transcript tokens per prompt) for this model's context window.

        The answer gets at most a third of what is left after the instructions, so two
        partial summaries always fit one reduce prompt and every reduce level shrinks.
        """
        overhead = max(
            self.model.count_tokens(self._reduce_prompt("", language)),
            self.model.count_tokens(self._map_prompt("", language)),
        )
        overhead += self.model.count_tokens(prompts.SYSTEM[prompts.prompt_language(language)])
        room = self.model.context_window - overhead - 64  # chat-template tokens and margin
        answer = min(self.max_tokens, room // 3)
        return answer, room - answer

    def _map_prompt(self, text: str, language: str) -> str:
        return prompts.map_prompt(text, language, self.headings, self.instructions)

    def _reduce_prompt(self, text: str, language: str) -> str:
        return prompts.reduce_prompt(text, language, self.headings, self.instructions)

    def _call(self, prompt: str, language: str, should_cancel: CancelCheck | None) -> str:
        if should_cancel and should_cancel():
            raise JobCancelledError("The summary was cancelled.", "Start it again when needed.")
        system = prompts.SYSTEM[prompts.prompt_language(language)]
        self._longest = max(
            self._longest, self.model.count_tokens(prompt) + self.model.count_tokens(system)
        )
        return self.model.complete(
            prompt,
            system=system,
            max_tokens=self._answer,
            temperature=0.2,
            should_cancel=should_cancel,
        ).strip()

    def summarize(
        self,
        segments: Sequence[Segment],
        *,
        language_hint: str = "",
        progress: StepProgress | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> SummaryResult:
        lines = timed_lines(segments)
        language = detect_language(" ".join(lines), language_hint)
        self._answer, budget = self.plan(language)
        chunks = chunk_lines(
            lines, self.model.count_tokens, budget, int(budget * self.overlap_ratio)
        )
        # estimate of the calls to come, for progress: maps plus about one reduce per 3 maps
        expected = len(chunks) + max(0, (len(chunks) + 1) // 2)
        done = 0

        def step(stage: str) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(min(0.99, done / max(1, expected)), stage)

        partials = []
        for number, chunk in enumerate(chunks, start=1):
            partials.append(
                self._call(self._map_prompt("\n".join(chunk), language), language, should_cancel)
            )
            self.map_calls += 1
            step(f"summary: chunk {number}/{len(chunks)}")
        levels = 0
        while len(partials) > 1:
            levels += 1
            groups = chunk_lines(partials, self.model.count_tokens, budget, 0)
            if len(groups) >= len(partials):  # cannot happen while answers fit plan(); never loop
                raise ProviderError(
                    f"The partial summaries of {self.model.name} are longer than planned.",
                    "Use a model with a larger context window (RECORDROUTE_LLM_CONTEXT).",
                )
            merged = []
            for number, group in enumerate(groups, start=1):
                merged.append(
                    self._call(
                        self._reduce_prompt("\n\n---\n\n".join(group), language),
                        language,
                        should_cancel,
                    )
                )
                self.reduce_calls += 1
                step(f"summary: merge {number}/{len(groups)} (level {levels})")
            partials = merged
        text = partials[0] if partials else ""
        sections = split_sections(text, language)
        return SummaryResult(
            render_sections(sections, language),
            sections,
            language,
            self.map_calls,
            self.reduce_calls,
            levels,
            budget,
            self._longest,
            text,
        )


_SECTION_WORDS = {
    "topics": ("topic", "주제", "theme", "overview", "개요"),
    "key_points": ("key", "핵심", "point", "content", "내용", "summary", "요약", "highlight"),
    "decisions": ("decision", "결정", "agreed", "합의", "conclusion", "결론"),
    "action_items": ("action", "실행", "todo", "to-do", "task", "할 일", "담당", "follow"),
    "risks": ("risk", "위험", "issue", "이슈", "concern", "문제", "blocker"),
    "next_steps": ("next", "다음", "schedule", "일정", "plan", "계획"),
}


def _section_of(heading: str, names: Mapping[str, Sequence[str]]) -> str | None:
    lowered = heading.lower()
    for key, words in names.items():
        if any(word.lower() in lowered for word in words):
            return key
    return None


def split_sections(
    text: str,
    language: str,
    names: Mapping[str, Sequence[str]] | None = None,
    default: str = "key_points",
) -> dict[str, list[str]]:
    """Sort the model's lines into sections (unlabelled lines go to ``default``).

    ``names`` maps each section to words that name it in a heading; the default is the
    meeting's six sections.
    """
    titles = {t.lower() for words in (names or {}).values() for t in words}
    names = names or _SECTION_WORDS
    titles |= {
        t.lower() for t in prompts.SECTION_TITLES[prompts.prompt_language(language)].values()
    }
    sections: dict[str, list[str]] = {key: [] for key in names}
    current = default if default in sections else next(iter(sections))
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        bare = line.lstrip("#*-• ").rstrip(":：*").strip()
        is_heading = (
            line.startswith("#")
            or (line.endswith((":", "：")) and len(bare) < 40)
            or (line.startswith("**") and line.endswith("**"))
        )
        heading_key = _section_of(bare, names) if (is_heading or len(bare) < 25) else None
        if heading_key and (is_heading or bare.lower() in titles):
            current = heading_key
            continue
        point = re.sub(r"^(?:[-*•]|\d+[.)])\s*", "", line).strip()
        if point and point not in sections[current]:
            sections[current].append(point)
    return sections


def render_sections(sections: dict[str, list[str]], language: str) -> str:
    lang = prompts.prompt_language(language)
    out: list[str] = []
    for key in prompts.SECTIONS:
        out.append(f"## {prompts.SECTION_TITLES[lang][key]}")
        points = sections.get(key) or [prompts.NONE_NOTED[lang]]
        out.extend(f"- {p}" for p in points)
        out.append("")
    return "\n".join(out)
