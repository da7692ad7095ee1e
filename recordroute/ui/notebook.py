"""Browser widgets for notebooks (JupyterLab or Voila): an uploader and a player.

>>> from recordroute.ui import player, uploader        # doctest: +SKIP
>>> up = uploader(app)            # pick or drop files: they go to the API, then processing
>>> up.recordings                 # ids of what arrived so far
>>> player(app, rec.id, at=90)    # the recording and its transcript, cued at 1:30

Both need the RecordRoute API in reach of the browser: under ``recordroute serve`` the
kernel knows it; in JupyterLab the server extension (enabled on install) provides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..app import RecordRoute
from .browser import TranscriptPlayer, Uploader
from .i18n import DEFAULT_LANGUAGE, Translator


def uploader(
    app: RecordRoute,
    *,
    process: bool | Sequence[str] = True,
    options: dict[str, Any] | None = None,
    tags: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
) -> Uploader:
    """An upload box: each picked or dropped file is sent at once, in resumable pieces.

    ``process``: ``True`` queues every step when a file has arrived, a list queues those
    steps, ``False`` only stores the file.
    """
    steps = [] if process is True else None if process is False else list(process)
    return Uploader(
        app,
        Translator(language),
        auto_start=True,
        auto_job={"steps": steps, "options": dict(options or {}), "tags": list(tags)},
    )


def player(
    app: RecordRoute,
    recording_id: str,
    at: float | None = None,
    *,
    language: str = DEFAULT_LANGUAGE,
) -> TranscriptPlayer:
    """One recording's player beside its transcript, cued at ``at`` seconds."""
    rec = app.recordings.get(recording_id)
    media = None
    if rec.kind in ("audio", "video"):
        media = app.recordings.latest_artifact(rec.id, "audio") or app.recordings.latest_artifact(
            rec.id, "source"
        )
    widget = TranscriptPlayer(app, Translator(language))
    widget.show(media, rec.kind, app.transcripts.segments(rec.id), at)
    return widget
