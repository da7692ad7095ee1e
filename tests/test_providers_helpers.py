"""The small pieces the providers share: windows, language runs, vectors, throttled checks."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from recordroute.providers.audio_windows import is_silent, plan_windows
from recordroute.providers.cancellation import throttled
from recordroute.providers.language_windows import (
    LanguageWindow,
    dominant_language,
    language_runs,
)
from recordroute.providers.vectors import l2_normalize

RATE = 16_000


def test_windows_cover_the_audio_and_cut_in_quiet_places() -> None:
    rng = np.random.default_rng(1)
    samples = rng.normal(0, 0.3, 75 * RATE).astype(np.float32)
    samples[26 * RATE : int(26.5 * RATE)] = 0.0  # a pause 26 s in
    windows = plan_windows(samples)
    assert windows[0][0] == 0 and windows[-1][1] == samples.shape[0]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(end - start <= 30 * RATE for start, end in windows)
    assert 26 * RATE <= windows[0][1] <= int(26.5 * RATE)
    assert plan_windows(samples[: 10 * RATE]) == [(0, 10 * RATE)]
    assert plan_windows(np.zeros(0, dtype=np.float32)) == []


def test_silence_detection() -> None:
    assert is_silent(np.zeros(RATE, dtype=np.float32))
    assert is_silent(np.full(RATE, 1e-4, dtype=np.float32))
    assert not is_silent(np.full(RATE, 0.05, dtype=np.float32))


def test_language_runs_and_dominant_language() -> None:
    windows = [
        LanguageWindow(0.0, 30.0, "ko"),
        LanguageWindow(30.0, 30.0, "ko"),
        LanguageWindow(60.0, 30.0, "en"),
        LanguageWindow(90.0, 12.0, "ko"),
    ]
    assert language_runs(windows) == ((0.0, "ko"), (60.0, "en"), (90.0, "ko"))
    assert dominant_language(windows, "und") == "ko"
    assert dominant_language([], "und") == "und"
    tie = [LanguageWindow(0.0, 30.0, "en"), LanguageWindow(30.0, 30.0, "de")]
    assert dominant_language(tie, "und") == "en"  # a tie goes to the language heard first


def test_l2_normalize_keeps_zero_rows() -> None:
    vectors = l2_normalize([[3.0, 4.0], [0.0, 0.0]])
    assert vectors.dtype == np.float32 and vectors.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(vectors, [[0.6, 0.8], [0.0, 0.0]])


def test_throttled_check_asks_rarely_and_latches() -> None:
    answers = iter([False, True, False])
    calls: list[float] = []

    def should_cancel() -> bool:
        calls.append(time.monotonic())
        return next(answers)

    check = throttled(should_cancel, interval_s=0.05)
    assert [check() for _ in range(100)] == [False] * 100
    assert len(calls) == 1
    time.sleep(0.06)
    assert check() is True
    assert check() is True and len(calls) == 2  # latched: not asked again
    assert throttled(None)() is False


@pytest.mark.parametrize("size", [1, 3])
def test_l2_normalize_shapes(size: int) -> None:
    assert l2_normalize(np.ones((size, 4))).shape == (size, 4)
