"""Diarization error rate (DER), frame-based, with a forgiveness collar around reference turns.

DER = (missed speech + false alarm + speaker confusion) / reference speech, all in seconds,
counted on 10 ms frames.  Frames within ``collar`` seconds of any reference turn boundary are
not scored (the NIST convention: 0.25 s on each side).  Overlapping speech is scored: a frame
where two reference speakers talk and the system names one counts one missed speaker.  The
hypothesis speakers are mapped one-to-one onto reference speakers so as to maximise the time
they share (an exhaustive search: speaker counts here are small).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np

Turn = tuple[float, float, str]
FRAME_S = 0.01


@dataclasses.dataclass(frozen=True)
class DerResult:
    der: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    reference_s: float
    mapping: dict[str, str]  # hypothesis speaker -> reference speaker


def _activity(turns: Sequence[Turn], frames: int) -> tuple[list[str], np.ndarray]:
    names = sorted({t[2] for t in turns})
    grid = np.zeros((len(names), frames), dtype=bool)
    for start, end, name in turns:
        grid[names.index(name), round(start / FRAME_S) : round(end / FRAME_S)] = True
    return names, grid


def diarization_error(
    reference: Sequence[Turn], hypothesis: Sequence[Turn], collar: float = 0.25
) -> DerResult:
    end = max([t[1] for t in reference] + [t[1] for t in hypothesis] + [0.0])
    frames = round(end / FRAME_S) + 1
    ref_names, ref = _activity(reference, frames)
    hyp_names, hyp = _activity(hypothesis, frames)
    scored = np.ones(frames, dtype=bool)
    reach = round(collar / FRAME_S)
    for start, stop, _ in reference:
        for edge in (start, stop):
            centre = round(edge / FRAME_S)
            scored[max(0, centre - reach) : centre + reach] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    shared = ref.astype(np.int64) @ hyp.T.astype(np.int64)  # (ref, hyp) frames together
    mapping = _best_mapping(shared)
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    correct = np.zeros(ref.shape[1], dtype=np.int64)
    for r, h in mapping:
        correct += ref[r] & hyp[h]
    missed = np.maximum(0, n_ref - n_hyp).sum()
    false_alarm = np.maximum(0, n_hyp - n_ref).sum()
    confusion = (np.minimum(n_ref, n_hyp) - correct).sum()
    total = n_ref.sum()
    return DerResult(
        der=float((missed + false_alarm + confusion) / total) if total else 0.0,
        missed_s=float(missed * FRAME_S),
        false_alarm_s=float(false_alarm * FRAME_S),
        confusion_s=float(confusion * FRAME_S),
        reference_s=float(total * FRAME_S),
        mapping={hyp_names[h]: ref_names[r] for r, h in mapping},
    )


def _best_mapping(shared: np.ndarray) -> list[tuple[int, int]]:
    n_ref, n_hyp = shared.shape
    best: tuple[int, list[tuple[int, int]]] = (-1, [])
    if n_ref <= n_hyp:
        for hyps in itertools.permutations(range(n_hyp), n_ref):
            pairs = list(zip(range(n_ref), hyps, strict=True))
            score = sum(int(shared[r, h]) for r, h in pairs)
            if score > best[0]:
                best = (score, pairs)
    else:
        for refs in itertools.permutations(range(n_ref), n_hyp):
            pairs = list(zip(refs, range(n_hyp), strict=True))
            score = sum(int(shared[r, h]) for r, h in pairs)
            if score > best[0]:
                best = (score, pairs)
    return best[1]


def single_speaker_floor(reference: Sequence[Turn], collar: float = 0.25) -> DerResult:
    """The lowest DER any system naming one speaker at a time can reach on ``reference``.

    The hypothesis is the reference itself with overlapped speech given to one of the
    speakers: what is left is the second voice of each overlap, counted as missed.
    """
    end = max((t[1] for t in reference), default=0.0)
    frames = round(end / FRAME_S) + 1
    names, grid = _activity(reference, frames)
    first = np.argmax(grid, axis=0)
    active = grid.any(axis=0)
    hypothesis: list[Turn] = []
    for index in np.flatnonzero(active):
        name = names[int(first[index])]
        start = index * FRAME_S
        if hypothesis and hypothesis[-1][2] == name and abs(hypothesis[-1][1] - start) < 1e-6:
            hypothesis[-1] = (hypothesis[-1][0], start + FRAME_S, name)
        else:
            hypothesis.append((start, start + FRAME_S, name))
    return diarization_error(reference, hypothesis, collar)
