"""Recognising a known voice: a found speaker's vector against stored voice profiles.

A profile is a person with one or more voice vectors (each from a recording where they were
named).  A speaker's score for a person is the best cosine similarity to any of that
person's vectors; the best person is named when the score reaches the threshold, and is
otherwise offered as a suggestion (the viewer shows it; nothing is named by itself).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

#: chosen on the benchmark's separate seeds (benchmarks/diarization.py, voice profiles)
DEFAULT_THRESHOLD = 0.84


@dataclasses.dataclass(frozen=True)
class VoiceMatch:
    person: str
    score: float
    accepted: bool


def identify(
    voice: Sequence[float],
    profiles: Mapping[str, Sequence[Sequence[float]]],
    threshold: float = DEFAULT_THRESHOLD,
) -> VoiceMatch | None:
    """The person whose stored voice is closest to ``voice``; None without any profile."""
    if not voice:
        return None
    query = np.asarray(voice, dtype=np.float32)
    query = query / max(float(np.linalg.norm(query)), 1e-8)
    best: tuple[float, str] | None = None
    for person, vectors in profiles.items():
        if not vectors:
            continue
        stored = np.asarray(vectors, dtype=np.float32)
        if stored.ndim != 2 or stored.shape[1] != query.size:
            continue  # a vector of another model cannot be compared
        stored = stored / np.maximum(np.linalg.norm(stored, axis=1, keepdims=True), 1e-8)
        score = float((stored @ query).max())
        if best is None or score > best[0]:
            best = (score, person)
    if best is None:
        return None
    return VoiceMatch(person=best[1], score=round(best[0], 4), accepted=best[0] >= threshold)
