"""Widgets that run in the browser and talk to the RecordRoute API directly.

Files and media never pass through the kernel: the :class:`Uploader` sends picked or
dropped files to the API's resumable-upload routes, and the :class:`TranscriptPlayer`
plays media from the API with Range requests.  The kernel only tells them where the API
is (:func:`widget_endpoint`) and hears back what happened.  Both are drawn by one ES
module, ``static/widgets.js``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..app import RecordRoute
from ..models import Artifact, Segment
from .i18n import Translator
from .speakers_box import speaker_colour

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
ACCEPT = "audio/*,video/*,.pdf,.txt,.md,.text,.markdown"
MEDIA_TYPES = {
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
}
Message = dict[str, Any]


def widget_endpoint(app: RecordRoute) -> dict[str, str]:
    """Where the browser widgets call the API.

    Under ``recordroute serve`` the dashboards' kernels know the API's address and token
    (``RECORDROUTE_API_URL``, ``RECORDROUTE_TOKEN``); elsewhere (JupyterLab) ``api`` is
    empty and the widgets use the lab server's own copy of the API, under its login.
    """
    api = app.settings.api_url.rstrip("/")
    return {"api": api, "token": app.settings.token if api else ""}


class _BrowserWidget(anywidget.AnyWidget):
    _esm = STATIC / "widgets.js"
    _css = STATIC / "widgets.css"
    component = traitlets.Unicode("").tag(sync=True)
    endpoint = traitlets.Dict().tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)


UPLOADER_LABELS = (
    "pick",
    "drop",
    "cancel",
    "left",
    "resumed",
    "restarted",
    "queued",
    "stored",
    "unreachable",
    "unreachable.fix",
    *(
        f"state.{s}"
        for s in (
            "ready",
            "waiting",
            "uploading",
            "retrying",
            "finishing",
            "done",
            "failed",
            "cancelled",
        )
    ),
)


class Uploader(_BrowserWidget):
    """Pick or drop files; each goes to the API in resumable pieces with its own progress.

    :meth:`start` begins the files picked so far (with the steps to queue when each one
    has arrived); with ``auto_start`` every file starts as soon as it is picked, with
    ``auto_job``.  ``on_finished`` and ``on_failed`` hear about each file.
    """

    accept = traitlets.Unicode(ACCEPT).tag(sync=True)
    pending = traitlets.Int(0).tag(sync=True)
    chunk_bytes = traitlets.Int(16 * 1024 * 1024).tag(sync=True)
    concurrency = traitlets.Int(2).tag(sync=True)
    auto_start = traitlets.Bool(False).tag(sync=True)
    auto_job = traitlets.Dict().tag(sync=True)

    def __init__(self, app: RecordRoute, tr: Translator, **kwargs: Any) -> None:
        super().__init__(component="uploader", endpoint=widget_endpoint(app), **kwargs)
        self.app = app
        self.tr = tr
        self.finished: list[Message] = []
        self.failed: list[Message] = []
        self._on_finished: list[Callable[[Message], None]] = []
        self._on_failed: list[Callable[[Message], None]] = []
        self.on_msg(self._message)
        tr.on_change(self._relabel)
        self._relabel()

    def _relabel(self) -> None:
        # placeholders other than the limit are filled in the browser
        labels = {key: self.tr.t(f"uploader.{key}") for key in UPLOADER_LABELS}
        labels["drop"] = self.tr.t("uploader.drop", limit=f"{self.app.settings.max_upload_mb} MB")
        self.labels = labels

    def on_finished(self, listener: Callable[[Message], None]) -> None:
        self._on_finished.append(listener)

    def on_failed(self, listener: Callable[[Message], None]) -> None:
        self._on_failed.append(listener)

    def start(
        self,
        steps: Sequence[str] | None,
        options: dict[str, Any] | None = None,
        tags: Sequence[str] = (),
    ) -> int:
        """Send the picked files; ``steps`` are queued for each when it has arrived."""
        count = self.pending
        self.send(
            {
                "action": "start",
                "steps": None if steps is None else list(steps),
                "options": dict(options or {}),
                "tags": list(tags),
            }
        )
        return count

    def _message(self, _widget: object, content: Message, _buffers: object) -> None:
        event = content.get("event") if isinstance(content, dict) else None
        if event not in ("finished", "failed"):
            return
        if event == "finished":
            self.finished.append(content)
        else:
            self.failed.append(content)
        for listener in self._on_finished if event == "finished" else self._on_failed:
            try:
                listener(content)
            except Exception:
                log.exception("an upload listener failed")

    @property
    def recordings(self) -> list[str]:
        """Ids of the recordings uploaded through this widget so far."""
        return [str(m["recording_id"]) for m in self.finished]


PLAYER_LABELS = ("click_hint", "no_transcript", "media_error")


class TranscriptPlayer(_BrowserWidget):
    """A recording's player beside its transcript: click a line to play from there.

    The media is read from the API with Range requests through a short-lived link; the
    line being spoken is highlighted as it plays; long transcripts are drawn in blocks as
    they scroll into view.  ``cue`` opens at a moment (a search hit).
    """

    #: {url, kind, type, n[, at]} or None; ``url`` is relative to the API
    media = traitlets.Any(None).tag(sync=True)
    #: [start, end, text, speaker] per line
    segments: traitlets.List[list[Any]] = traitlets.List().tag(sync=True)
    #: speaker name -> colour of the name in the lines
    speakers = traitlets.Dict().tag(sync=True)
    timed = traitlets.Bool(True).tag(sync=True)
    cue = traitlets.Dict().tag(sync=True)
    show_lines = traitlets.Bool(True).tag(sync=True)

    def __init__(self, app: RecordRoute, tr: Translator, **kwargs: Any) -> None:
        super().__init__(component="player", endpoint=widget_endpoint(app), **kwargs)
        self.app = app
        self.tr = tr
        self.artifact: Artifact | None = None
        self.kind = ""
        self._nonce = itertools.count(1)
        self.on_msg(self._message)
        tr.on_change(self._relabel)
        self._relabel()

    def _relabel(self) -> None:
        self.labels = {key: self.tr.t(f"player.{key}") for key in PLAYER_LABELS}

    def show(
        self,
        media: Artifact | None,
        kind: str,
        segments: Sequence[Segment],
        at: float | None = None,
        *,
        cue: bool = True,
    ) -> None:
        """Load a recording's media and transcript; with ``cue``, go to ``at`` seconds.

        Showing the same media again (a redraw after a job) keeps the player as it is.
        """
        same = media is not None and self.artifact is not None and media.id == self.artifact.id
        self.artifact, self.kind = media, kind
        with self.hold_sync():
            if not same or self.media is None:
                self.media = self._media_state()
            self.timed = any(s.end for s in segments)
            names = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
            self.speakers = {name: speaker_colour(names, name) for name in names}
            self.segments = [
                [round(s.start, 2), round(s.end, 2), s.text, s.speaker] for s in segments
            ]
            if cue:
                self.cue = {"t": at, "n": next(self._nonce)}

    def seek(self, seconds: float) -> None:
        """Scroll to the line at ``seconds`` and cue the player there."""
        self.cue = {"t": seconds, "n": next(self._nonce)}

    def _media_state(self, at: float | None = None) -> dict[str, Any] | None:
        art = self.artifact
        if art is None:
            return None
        url = f"media/{art.id}"
        if self.endpoint.get("api") and self.app.links.available:
            url += "?" + self.app.links.media_query(art.id)
        state: dict[str, Any] = {
            "url": url,
            "kind": "video" if self.kind == "video" else "audio",
            "type": MEDIA_TYPES.get(art.format.lower(), ""),
            "n": next(self._nonce),
        }
        if at is not None:
            state["at"] = at
        return state

    def _message(self, _widget: object, content: Message, _buffers: object) -> None:
        if isinstance(content, dict) and content.get("event") == "renew":
            moment = content.get("t")
            self.media = self._media_state(float(moment) if moment else None)
