"""The grounding check as answering sees it: one verdict per line, against the passages.

The check itself (issue 11, :mod:`recordroute.grounding`) compares each line with the
source: lexical overlap on characters and subwords plus embedding similarity.  The app
layer adapts it to this port; answering only needs to know, per line, whether it is
supported, how strongly, and by which passage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from .answers import Passage


@dataclasses.dataclass(frozen=True)
class Verdict:
    kept: bool
    score: float
    #: why the line was dropped, in words (empty when kept)
    reason: str = ""
    #: index into the passages of the one that supports the line best (None: none does)
    support: int | None = None


class GroundFn(Protocol):
    def __call__(self, lines: Sequence[str], passages: Sequence[Passage]) -> list[Verdict]: ...
