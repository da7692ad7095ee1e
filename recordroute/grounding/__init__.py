"""Grounding: whether generated text is supported by the recording, and where.

Free of storage, providers and search: it takes the source segments and an embed
function, so summaries, titles and answers to questions all use the same check.
"""

from .check import (
    THRESHOLD,
    VERDICTS,
    EmbedFn,
    Grounder,
    GroundingReport,
    LineVerdict,
    Support,
    check_lines,
    clean_line,
)
from .language import detect_language, language_mismatch, line_language
from .sentences import TimedSentence, split_sentences

__all__ = [
    "THRESHOLD",
    "VERDICTS",
    "EmbedFn",
    "Grounder",
    "GroundingReport",
    "LineVerdict",
    "Support",
    "TimedSentence",
    "check_lines",
    "clean_line",
    "detect_language",
    "language_mismatch",
    "line_language",
    "split_sentences",
]
