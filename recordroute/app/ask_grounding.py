"""The grounding check of :mod:`recordroute.grounding` behind answering's port.

Each retrieved passage becomes one untimed source segment, so that every sentence the
check splits out of it still knows its passage (``TimedSentence.segment``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ..ask import Passage, Verdict
from ..grounding import Grounder, detect_language
from ..models import Segment

EmbedFn = Callable[[Sequence[str]], npt.NDArray[np.float32]]


class PassageGrounding:
    """``ground(lines, passages) -> verdicts``; with ``embed=None`` only words count."""

    def __init__(self, embed: EmbedFn | None) -> None:
        self._embed = embed

    def __call__(self, lines: Sequence[str], passages: Sequence[Passage]) -> list[Verdict]:
        """A verdict per line; each line is checked against the passages in its language.

        The archive mixes Korean and English recordings: a line is compared with the
        passages written in its own language (so an English quote is not "in the wrong
        language" because most passages were Korean); a line in a language no passage
        uses is checked against them all, and the check rejects it.
        """
        if not passages:
            return [Verdict(False, 0.0, "there is no passage to support it") for _ in lines]
        languages = [detect_language(p.text) for p in passages]
        verdicts: list[Verdict] = []
        grounders: dict[str, tuple[Grounder, list[int]]] = {}
        for line in lines:
            language = detect_language(line)
            key = language if language in languages else "*"
            if key not in grounders:
                chosen = [i for i, lang in enumerate(languages) if key in ("*", lang)]
                segments = [Segment(0.0, 0.0, passages[i].text) for i in chosen]
                grounders[key] = (Grounder(segments, self._embed), chosen)
            grounder, chosen = grounders[key]
            verdict = grounder.check([line]).lines[0]
            support = None
            if verdict.supports:
                support = chosen[grounder.sentences[verdict.supports[0].first].segment]
            verdicts.append(Verdict(verdict.kept, float(verdict.score), verdict.reason, support))
        return verdicts
