"""Word error rate on normalised text, for checking transcripts against references."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s']+")


def normalize(text: str) -> list[str]:
    """Lower-cased words without punctuation (apostrophes inside words kept), NFKC-folded."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("-", " ")
    return [word.strip("'") for word in _NOT_WORD.sub(" ", folded).split() if word.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after :func:`normalize`."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (ref_word != hyp_word),  # substitution or match
            )
        previous = current
    return previous[-1] / len(ref)


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Character edits / reference characters, compared without spaces or punctuation.

    The measure for Korean, whose spacing varies between writers and recognisers.
    """
    ref = "".join(normalize(reference))
    hyp = "".join(normalize(hypothesis))
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, ref_char in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_char in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (ref_char != hyp_char),
            )
        previous = current
    return previous[-1] / len(ref)
