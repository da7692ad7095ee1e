"""What the summary benchmark measures on one summary (see benchmarks/summaries.py).

Every output line is checked again on its own, by a fresh grounding check of the same
transcript: so a line that reached the Markdown without passing the check (a bug) shows.
"""

from __future__ import annotations

import dataclasses

from benchmarks.summary_texts import Text
from recordroute.grounding import Grounder, detect_language, language_mismatch
from recordroute.grounding.check import EmbedFn
from recordroute.pipeline import prompts
from recordroute.pipeline.grounded_result import GroundedSummary
from recordroute.pipeline.titles import is_generic


@dataclasses.dataclass
class Row:
    text: str
    language: str
    mode: str = ""
    lines: int = 0
    grounded: int = 0
    title: str = ""
    title_grounded: bool = False
    echoes: int = 0
    placeholder_only: bool = False
    language_ok: bool = True
    labelled_found: int = 0
    labelled: int = 0
    bad_dropped: int = 0
    bad: int = 0
    cpu_s: float = 0.0
    hours: float = 0.0


def measure(text: Text, result: GroundedSummary, embed: EmbedFn, cpu_s: float) -> Row:
    grounder = Grounder(text.segments, embed, language=text.language)
    instructions = prompts.instruction_texts(text.language, list(result.headings.values()))
    row = Row(text.name, text.language, result.mode, cpu_s=cpu_s, hours=text.hours)
    lines = result.lines
    row.lines = len(lines)
    row.placeholder_only = not lines
    allowed = frozenset({text.language})
    for line in lines:
        (verdict,) = grounder.check([line.text], instructions=instructions).lines
        row.grounded += verdict.kept
        row.echoes += verdict.verdict == "echo"
        if language_mismatch(line.text, allowed):
            row.language_ok = False
    row.title = result.title
    if result.title:
        (verdict,) = grounder.check([result.title], instructions=instructions).lines
        row.title_grounded = verdict.kept and not is_generic(result.title)
        if language_mismatch(result.title, allowed):
            row.language_ok = False
    said = " ".join([result.title, *(line.text for line in lines)])
    if text.language in ("ko", "en") and detect_language(said, text.language) != text.language:
        row.language_ok = False
    row.labelled_found, row.labelled = recall(text, result)
    return row


def recall(text: Text, result: GroundedSummary) -> tuple[int, int]:
    """Labelled decisions and action items found in those two sections.

    A labelled sentence is found when a line of either section is supported by a passage
    that covers at least half of the time the sentence was said.
    """
    spans = [(text.segments[i].start, text.segments[i].end) for _label, _text, i in text.labels]
    lines = [*result.sections.get("decisions", []), *result.sections.get("action_items", [])]
    found = 0
    for start, end in spans:
        for line in lines:
            if line.start is None or line.end is None:
                continue
            overlap = min(end, line.end) - max(start, line.start)
            if overlap >= 0.5 * (end - start):
                found += 1
                break
    return found, len(spans)
