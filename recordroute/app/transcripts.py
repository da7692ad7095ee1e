"""Transcripts: reading them as timed segments, the user's edits, and exports."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..errors import InvalidInputError, NotFoundError, echo
from ..models import Artifact, Segment
from ..pipeline import formats, speakers
from .recordings import RecordingsService

EXPORT_FORMATS = ("txt", "md", "srt", "vtt", "json")


class TranscriptsService:
    def __init__(self, recordings: RecordingsService) -> None:
        self._recordings = recordings

    def _sources(self, recording_id: str) -> tuple[Artifact | None, Artifact | None]:
        """The Markdown transcript and the timed segments, newest of each."""
        return (
            self._recordings.latest_artifact(recording_id, "transcript", "md"),
            self._recordings.latest_artifact(recording_id, "segments", "json"),
        )

    def segments(self, recording_id: str) -> list[Segment]:
        """The transcript as segments, for viewers and exports.

        The user's edit wins; otherwise the timed segments of the speech step; otherwise
        the plain transcript of a document (one segment per paragraph, times 0). Empty
        when the recording has no transcript yet.
        """
        self._recordings.get(recording_id)
        markdown, timed = self._sources(recording_id)
        if timed is not None and (markdown is None or not markdown.edited):
            return formats.segments_from_json(self._recordings.read_text(timed.id))
        if markdown is None:
            return []
        text = self._recordings.read_text(markdown.id)
        known = self.speakers(recording_id)
        if known is None:
            return formats.segments_from_markdown(text)
        # the user's edit keeps its speakers: named on the line, or by who talked then
        parsed = formats.segments_from_markdown(text, known.names())
        return formats.assign_speakers(parsed, known.turns, keep=True)

    def speakers(self, recording_id: str) -> speakers.Speakers | None:
        """Who spoke when in the recording; None when it was never diarized."""
        found = self._recordings.latest_artifact(recording_id, "speakers", "json")
        if found is None:
            return None
        return speakers.parse(self._recordings.read_text(found.id), found.file_name)

    def edit(self, recording_id: str, text: str) -> Artifact:
        """Save the user's own transcript; later pipeline runs keep it."""
        self._recordings.get_active(recording_id)
        text = unicodedata.normalize("NFC", text)
        return self._recordings.save_artifact(recording_id, "transcript", "md", text, edited=True)

    def export(self, recording_id: str, fmt: str) -> tuple[str, str]:
        """The transcript as ``txt``, ``md``, ``srt``, ``vtt`` or ``json``: (file name, text)."""
        if fmt not in EXPORT_FORMATS:
            raise InvalidInputError(
                f"Export format {echo(fmt)} is not known.",
                f"Use one of: {', '.join(EXPORT_FORMATS)}.",
            )
        rec = self._recordings.get(recording_id)
        markdown, _ = self._sources(rec.id)
        if markdown is None:
            raise NotFoundError(
                f"Recording {rec.id} has no transcript yet.",
                "Run the transcribe step (stt) first, or the ingest step for text and PDF.",
            )
        stem = Path(rec.original_name).stem or "transcript"
        if fmt == "md":
            return f"{stem}.md", self._recordings.read_text(markdown.id)
        segments = self.segments(rec.id)
        rendered = {
            "txt": lambda: formats.to_txt(segments),
            "srt": lambda: formats.to_srt(segments),
            "vtt": lambda: formats.to_vtt(segments),
            "json": lambda: formats.to_json(segments, recording_id=rec.id),
        }[fmt]()
        return f"{stem}.{fmt}", rendered
