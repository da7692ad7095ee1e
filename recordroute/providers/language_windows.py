"""Per-window language guesses: the dominant language and the runs of languages over time."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class LanguageWindow:
    """One stretch of audio and the language detected in it."""

    start_s: float
    duration_s: float
    language: str
    probability: float = 1.0


def dominant_language(windows: Sequence[LanguageWindow], default: str) -> str:
    """The language spoken longest (``default`` when there are no windows)."""
    totals: dict[str, float] = {}
    for window in windows:
        totals[window.language] = totals.get(window.language, 0.0) + window.duration_s
    if not totals:
        return default
    return max(totals, key=lambda language: (totals[language], -_first(windows, language)))


def language_runs(windows: Sequence[LanguageWindow]) -> tuple[tuple[float, str], ...]:
    """(start second, language) for each change of language, in time order."""
    runs: list[tuple[float, str]] = []
    for window in sorted(windows, key=lambda w: w.start_s):
        if not runs or runs[-1][1] != window.language:
            runs.append((round(window.start_s, 2), window.language))
    return tuple(runs)


def _first(windows: Sequence[LanguageWindow], language: str) -> float:
    return min(w.start_s for w in windows if w.language == language)
