"""Grounded summaries: every line traceable to the recording, whatever model writes it.

The extractive pass (no language model) always runs. When the model can write, its
map-reduce summary is split into the template's sections and every line is checked
(:mod:`recordroute.grounding`): grounded lines are kept, sections it left empty are
filled from the extractive pass. When the model is too small to write, or most of its
lines fail the check, the summary is extractive, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..engine_protocols import CancelCheck, LanguageModel
from ..errors import InvalidInputError, JobCancelledError
from ..grounding import THRESHOLD, EmbedFn, Grounder, LineVerdict, TimedSentence, split_sentences
from ..grounding.language import detect_language
from ..models import Segment
from . import capacity, prompts, summary_markdown, titles
from .extractive import Candidate, extract, sentence_prior
from .grounded_result import GroundedSummary, remembering
from .keyphrases import keyphrases
from .ranking import key_indices, unit_rows
from .summarize import MapReduceSummarizer, StepProgress, split_sections
from .summary_markdown import SummaryLine
from .templates import BUILTIN, SummaryTemplate

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

EMBED_BATCH = 128


class GroundedSummarizer:
    def __init__(
        self,
        embed: EmbedFn,
        model: LanguageModel | None = None,
        *,
        template: SummaryTemplate = BUILTIN["meeting"],
        mode: str = "auto",
        max_tokens: int = 400,
        threshold: float = THRESHOLD,
    ) -> None:
        if mode not in capacity.MODES:
            raise InvalidInputError(
                f"{mode!r} is not a summary mode.", f"Use one of: {', '.join(capacity.MODES)}."
            )
        self.embed = remembering(embed)
        self.model = model
        self.template = template
        self.mode = mode
        self.max_tokens = max_tokens
        self.threshold = threshold

    def summarize(
        self,
        segments: Sequence[Segment],
        *,
        language_hint: str = "",
        progress: StepProgress | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> GroundedSummary:
        report = progress or (lambda _f, _s: None)
        cancelled = should_cancel or (lambda: False)
        sentences = split_sentences(segments)
        if not sentences:
            raise InvalidInputError(
                "The transcript is empty, so there is nothing to summarise.",
                "Check the recording has speech, or edit the transcript.",
            )
        language = detect_language(" ".join(s.text for s in sentences), language_hint)
        writes = self._writes()
        vectors = self._embed_sentences(sentences, report, cancelled, 0.3 if writes else 0.8)
        grounder = Grounder(
            segments,
            self.embed,
            language=language,
            threshold=self.threshold,
            sentences=sentences,
            sentence_vectors=vectors,
        )
        headings = dict(
            zip(
                [s.key for s in self.template.sections],
                self.template.headings(language),
                strict=True,
            )
        )
        instructions = prompts.instruction_texts(
            language, list(headings.values()), self._instructions()
        )
        extracted = extract(self.template, sentences, vectors, self.embed, language)
        report(0.85 if not writes else 0.35, "summary: key sentences chosen")
        written: dict[str, list[SummaryLine]] = {}
        dropped: list[LineVerdict] = []
        model_lines = model_kept = 0
        calls = (0, 0, 0)
        model_title = ""
        if writes:
            assert self.model is not None
            written, dropped, model_lines, calls = self._written(
                segments, language, grounder, instructions, report, cancelled
            )
            model_kept = sum(len(v) for v in written.values())
            if model_kept and model_kept >= capacity.MIN_GROUNDED_SHARE * model_lines:
                model_title = self._model_title(written, language, cancelled)
            else:
                written = {}
        if cancelled():
            raise JobCancelledError("The summary was cancelled.", "Start it again when needed.")
        sections, more_dropped = self._fill(headings, written, extracted, sentences, grounder)
        dropped += more_dropped
        mode = "abstractive" if written else "extractive"
        reason = self._reason(writes, bool(written))
        label = capacity.model_label(self.model) if self.model is not None else ""
        note = capacity.mode_note(
            reason,
            language,
            label=label,
            written=model_lines,
            kept=model_kept,
            filled=any(k not in written and sections[k] for k in headings),
        )
        title, title_start = self._title(
            model_title, sentences, vectors, grounder, instructions, extracted
        )
        report(1.0, "summary: checked against the recording")
        return GroundedSummary(
            summary_markdown.render(headings, sections, language, note),
            sections,
            headings,
            language,
            mode,
            reason,
            note,
            self.template.name,
            label,
            self.threshold,
            model_lines,
            model_kept,
            tuple(dropped),
            title,
            title_start,
            *calls,
        )

    # -- parts ----------------------------------------------------------------------------
    def _writes(self) -> bool:
        if self.mode == "extractive" or self.model is None:
            return False
        return self.mode == "abstractive" or capacity.writing_capacity(self.model).can_write

    def _reason(self, writes: bool, kept_written: bool) -> str:
        if kept_written:
            return "written"
        if writes:
            return "failed_check"
        return "asked" if self.mode == "extractive" or self.model is None else "too_small"

    def _instructions(self) -> str:
        parts = [self.template.instructions]
        parts += [
            f"{s.title('en')}: {s.instruction}" for s in self.template.sections if s.instruction
        ]
        return "\n".join(p for p in parts if p)

    def _embed_sentences(
        self,
        sentences: Sequence[TimedSentence],
        report: StepProgress,
        cancelled: CancelCheck,
        share: float,
    ) -> npt.NDArray[np.float32]:
        rows = []
        for begin in range(0, len(sentences), EMBED_BATCH):
            if cancelled():
                raise JobCancelledError("The summary was cancelled.", "Start it again when needed.")
            batch = [s.text for s in sentences[begin : begin + EMBED_BATCH]]
            rows.append(self.embed(batch))
            done = min(len(sentences), begin + EMBED_BATCH)
            report(
                share * done / len(sentences), f"summary: reading {done}/{len(sentences)} sentences"
            )
        return np.concatenate(rows)

    def _written(
        self,
        segments: Sequence[Segment],
        language: str,
        grounder: Grounder,
        instructions: list[str],
        report: StepProgress,
        cancelled: CancelCheck,
    ) -> tuple[dict[str, list[SummaryLine]], list[LineVerdict], int, tuple[int, int, int]]:
        assert self.model is not None
        writer = MapReduceSummarizer(
            self.model,
            max_tokens=self.max_tokens,
            headings=None if self.template.name == "meeting" else self.template.headings(language),
            instructions=self._instructions(),
        )
        result = writer.summarize(
            segments,
            language_hint=language,
            progress=lambda f, s: report(0.35 + 0.5 * f, s),
            should_cancel=cancelled,
        )
        names = (
            None
            if self.template.name == "meeting"
            else {s.key: tuple(s.titles.values()) for s in self.template.sections}
        )
        default = next(
            (s.key for s in self.template.sections if s.source == "key_points"),
            self.template.sections[0].key,
        )
        raw = split_sections(result.text, language, names, default)
        pairs = [(key, line) for key in raw for line in raw[key]]
        checked = grounder.check([line for _k, line in pairs], instructions=instructions)
        written: dict[str, list[SummaryLine]] = {}
        for (key, _line), verdict in zip(pairs, checked.lines, strict=True):
            if verdict.kept:
                support = verdict.supports[0]
                written.setdefault(key, []).append(
                    SummaryLine(
                        key,
                        verdict.text,
                        _time(support.start, grounder),
                        _time(support.end, grounder),
                        round(verdict.score, 3),
                        "model",
                    )
                )
        calls = (result.map_calls, result.reduce_calls, result.levels)
        return written, checked.dropped, len(pairs), calls

    def _fill(
        self,
        headings: dict[str, str],
        written: dict[str, list[SummaryLine]],
        extracted: dict[str, list[Candidate]],
        sentences: Sequence[TimedSentence],
        grounder: Grounder,
    ) -> tuple[dict[str, list[SummaryLine]], list[LineVerdict]]:
        """Written lines where the model gave some, checked sentences of the recording elsewhere."""
        topics = {s.key for s in self.template.sections if s.source == "topics"}
        fill = [c for key in headings if not written.get(key) for c in extracted.get(key, [])]
        kept_before = [line.text for lines in written.values() for line in lines]
        # keyphrases are checked on their own: a topic is not a repeat of the sentence it names
        phrases = [c for c in fill if c.section in topics]
        claims = [c for c in fill if c.section not in topics]
        checked = [
            *grounder.check([c.text for c in phrases]).lines,
            *grounder.check([c.text for c in claims], kept_before=kept_before).lines,
        ]
        sections = {key: list(written.get(key, [])) for key in headings}
        for candidate, verdict in zip([*phrases, *claims], checked, strict=True):
            if not verdict.kept:
                continue
            sentence = sentences[candidate.sentence]
            sections[candidate.section].append(
                SummaryLine(
                    candidate.section,
                    candidate.text,
                    _time(sentence.start, grounder),
                    _time(sentence.end, grounder),
                    round(verdict.score, 3),
                    "recording",
                    candidate.owner,
                    candidate.due,
                )
            )
        for key in sections:
            sections[key].sort(key=lambda line: line.start or 0.0)
        return sections, [v for v in checked if not v.kept]

    def _model_title(
        self, written: dict[str, list[SummaryLine]], language: str, cancelled: CancelCheck
    ) -> str:
        assert self.model is not None
        points = "\n".join(f"- {line.text}" for lines in written.values() for line in lines)
        raw = self.model.complete(
            prompts.title_prompt(points[:3000], language),
            max_tokens=40,
            temperature=0.0,
            should_cancel=cancelled,
        )
        return titles.clean_title(raw)

    def _title(
        self,
        model_title: str,
        sentences: Sequence[TimedSentence],
        vectors: npt.NDArray[np.float32],
        grounder: Grounder,
        instructions: list[str],
        extracted: dict[str, list[Candidate]],
    ) -> tuple[str, float | None]:
        prior = np.array([sentence_prior(s) for s in sentences])
        ranked = key_indices(unit_rows(vectors), prior, 3, ordered=False)
        phrases = [c.text for c in extracted.get("topics", [])] or [
            p.text for p in keyphrases(sentences, self.embed, 3)
        ]
        options = titles.candidates([sentences[i].text for i in ranked], phrases, self.embed)
        if model_title:
            options.insert(0, model_title)
        title, start = titles.choose_title(options, grounder, instructions)
        return title, _time(start, grounder) if start is not None else None


def _time(seconds: float, grounder: Grounder) -> float | None:
    """Seconds when the source has times (a transcript), None for an untimed document."""
    return round(seconds, 2) if grounder.timed else None
