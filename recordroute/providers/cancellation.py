"""Cooperative cancellation and progress reporting shared by the providers."""

from __future__ import annotations

import time

from ..engine_protocols import CancelCheck, ProgressCallback
from ..errors import JobCancelledError


def raise_if_cancelled(should_cancel: CancelCheck | None, what: str) -> None:
    """Raise :class:`JobCancelledError` when ``should_cancel`` says so; ``what`` names the work."""
    if should_cancel is not None and should_cancel():
        raise JobCancelledError(f"{what} was cancelled.", "Start the job again to redo it.")


def report_progress(
    on_progress: ProgressCallback | None, done_s: float, total_s: float | None
) -> None:
    """Tell ``on_progress`` how many seconds of audio are done (never more than the total)."""
    if on_progress is None:
        return
    if total_s is not None:
        done_s = min(done_s, total_s)
    on_progress(max(0.0, done_s), total_s)


def throttled(should_cancel: CancelCheck | None, interval_s: float = 0.2) -> CancelCheck:
    """``should_cancel`` asked at most every ``interval_s`` seconds; once True, always True.

    For checks in tight loops (one per generated token), so a check that reads a database
    is not run hundreds of times a second.
    """
    last_asked = [float("-inf")]
    cancelled = [False]

    def check() -> bool:
        if should_cancel is None or cancelled[0]:
            return cancelled[0]
        now = time.monotonic()
        if now - last_asked[0] >= interval_s:
            last_asked[0] = now
            cancelled[0] = bool(should_cancel())
        return cancelled[0]

    return check
