"""What a grounded summary is: its lines, mode, title and what was dropped (see grounded.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..grounding import EmbedFn, LineVerdict
from .ranking import unit_rows
from .summary_markdown import SummaryLine

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: at most this many dropped lines are kept in the summary's metadata
MAX_DROPPED_KEPT = 50


@dataclasses.dataclass(frozen=True)
class GroundedSummary:
    markdown: str
    sections: dict[str, list[SummaryLine]]
    headings: dict[str, str]
    language: str
    #: ``extractive`` or ``abstractive``
    mode: str
    #: why: ``too_small``, ``failed_check``, ``asked`` (extractive) or ``written``
    reason: str
    #: the mode in plain words, in the summary's language (also the artifact's first line)
    note: str
    template: str
    model: str
    threshold: float
    #: lines the model wrote and how many passed the check (0 and 0 when it wrote none)
    model_lines: int
    model_kept: int
    dropped: tuple[LineVerdict, ...]
    title: str
    title_start: float | None
    map_calls: int = 0
    reduce_calls: int = 0
    levels: int = 0

    @property
    def lines(self) -> list[SummaryLine]:
        return [line for key in self.headings for line in self.sections.get(key, [])]

    def meta(self) -> dict[str, Any]:
        """What the summary artifact records beside its Markdown (JSON-ready)."""
        return {
            "language": self.language,
            "mode": self.mode,
            "mode_reason": self.reason,
            "note": self.note,
            "template": self.template,
            "model": self.model,
            "threshold": self.threshold,
            "model_lines": self.model_lines,
            "model_kept": self.model_kept,
            "map_calls": self.map_calls,
            "reduce_calls": self.reduce_calls,
            "levels": self.levels,
            "headings": self.headings,
            "sections": {k: [line.text for line in v] for k, v in self.sections.items()},
            "lines": [line.to_dict() for line in self.lines],
            "dropped": [
                {"text": v.text, "verdict": v.verdict, "reason": v.reason}
                for v in self.dropped[:MAX_DROPPED_KEPT]
            ],
            "title": {"text": self.title, "start": self.title_start},
        }


def remembering(embed: EmbedFn) -> EmbedFn:
    """``embed`` that computes each distinct text once (passages are checked many times)."""
    seen: dict[str, npt.NDArray[np.float32]] = {}

    def cached(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in seen))
        if missing:
            for text, row in zip(missing, unit_rows(embed(missing)), strict=True):
                seen[text] = row
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([seen[t] for t in texts])

    return cached
