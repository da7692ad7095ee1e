"""Cutting long audio into windows of at most 30 s at its quietest moments."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .media import SAMPLE_RATE

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

#: RMS level (of full scale) under which a window holds no speech worth decoding (-60 dBFS)
SILENCE_RMS = 1e-3
_FRAME_S = 0.1


def plan_windows(
    samples: npt.NDArray[np.float32],
    *,
    max_s: float = 30.0,
    min_s: float = 20.0,
    sample_rate: int = SAMPLE_RATE,
) -> list[tuple[int, int]]:
    """(start, end) sample ranges covering ``samples``, each at most ``max_s`` seconds long.

    Each cut falls on the quietest 100 ms between ``min_s`` and ``max_s`` into the window,
    so words are rarely split.
    """
    total = samples.shape[0]
    longest = int(max_s * sample_rate)
    shortest = int(min_s * sample_rate)
    frame = int(_FRAME_S * sample_rate)
    windows: list[tuple[int, int]] = []
    start = 0
    while start < total:
        if total - start <= longest:
            windows.append((start, total))
            break
        region = samples[start + shortest : start + longest]
        frames = region[: (region.shape[0] // frame) * frame].reshape(-1, frame)
        energy = np.square(frames, dtype=np.float64).mean(axis=1)
        cut = start + shortest + int(np.argmin(energy)) * frame + frame // 2
        windows.append((start, cut))
        start = cut
    return windows


def is_silent(samples: npt.NDArray[np.float32]) -> bool:
    """Whether ``samples`` is too quiet to contain speech."""
    if samples.shape[0] == 0:
        return True
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < SILENCE_RMS
