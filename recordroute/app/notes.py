"""Notes: each recording as a Markdown note in a folder the user chooses (an Obsidian vault).

Written when steps finish (``RECORDROUTE_EXPORT_DIR`` set; off by default) and on demand
(``recordroute export-notes``).  A re-run rewrites RecordRoute's part of the note and keeps
what the user wrote below the marker; a note found under an old name (the recording was
renamed) is moved, with the user's text.  Writes are atomic.  A failure during a job is
reported in the job's log and never fails the job.
"""

from __future__ import annotations

import builtins
import logging
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, NotFoundError, RecordRouteError, StorageError
from ..models import Recording
from ..notes import NoteData, note_name, recording_id_of, render
from ..storage import atomic_write_text
from .recordings import RecordingsService
from .search import SearchService
from .transcripts import TranscriptsService

log = logging.getLogger(__name__)

#: steps after which a note changes
NOTE_STEPS = ("ingest", "transcribe", "summarize", "title", "embed")
_HEAD_BYTES = 4096


class NotesService:
    def __init__(
        self,
        recordings: RecordingsService,
        transcripts: TranscriptsService,
        search: SearchService,
        settings: Settings,
    ) -> None:
        self._recordings = recordings
        self._transcripts = transcripts
        self._search = search
        self._settings = settings

    @property
    def enabled(self) -> bool:
        """Whether notes are written when steps finish (RECORDROUTE_EXPORT_DIR is set)."""
        return bool(self._settings.export_dir.strip())

    def folder(self, folder: str | Path | None = None) -> Path:
        chosen = folder if folder not in (None, "") else self._settings.export_dir
        if not str(chosen).strip():
            raise ConfigError(
                "No folder for notes is set.",
                "Set RECORDROUTE_EXPORT_DIR (e.g. to a folder inside your Obsidian vault) or "
                "pass --to DIR.",
            )
        path = Path(str(chosen)).expanduser()
        if path.exists() and not path.is_dir():
            raise ConfigError(
                f"The notes folder {path} is a file, not a folder.",
                "Point RECORDROUTE_EXPORT_DIR (or --to) at a folder.",
            )
        return path

    # -- writing -------------------------------------------------------------------------
    def export(self, recording_id: str, folder: str | Path | None = None) -> Path:
        """Write (or update) the note of one recording; returns its path."""
        target = self.folder(folder)
        rec = self._recordings.get_active(recording_id)
        names = self._names()
        return self._write(target, rec, names)

    def export_all(self, folder: str | Path | None = None) -> builtins.list[Path]:
        """Write the notes of every recording that is not deleted."""
        target = self.folder(folder)
        names = self._names()
        return [self._write(target, rec, names) for rec in self._recordings.list()]

    def after_step(self, recording_id: str, step: str) -> str:
        """The runner's hook: update the note after a step; a failure becomes a log line."""
        if not self.enabled or step not in NOTE_STEPS:
            return ""
        try:
            path = self.export(recording_id)
        except RecordRouteError as exc:
            log.warning("note for %s not written: %s", recording_id, exc)
            return f"notes: the note was not written ({exc.message} {exc.fix})".strip()
        except OSError as exc:
            log.warning("note for %s not written: %s", recording_id, exc)
            return f"notes: the note was not written ({exc})"
        return f"notes: {path.name} updated"

    # -- parts -----------------------------------------------------------------------------
    def _names(self) -> dict[str, str]:
        """The note name of every active recording (a shared name gets the id's start)."""
        recordings = self._recordings.list()
        base = {rec.id: note_name(rec.display_name) for rec in recordings}
        counts: dict[str, int] = {}
        for name in base.values():
            counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
        return {
            rid: name if counts[name.casefold()] == 1 else f"{name} ({rid[:8]})"
            for rid, name in base.items()
        }

    def _data(self, rec: Recording, names: dict[str, str]) -> NoteData:
        summary_artifact = self._recordings.latest_artifact(rec.id, "summary", "md")
        summary = self._recordings.read_text(summary_artifact.id) if summary_artifact else ""
        similar: list[str] = []
        if self._search.exists():
            try:
                found = self._search.similar(rec.id, k=5)
            except NotFoundError:  # not indexed yet
                found = []
            similar = [names[s.recording_id] for s in found if s.recording_id in names]
        return NoteData(
            recording_id=rec.id,
            title=rec.title or rec.display_name,
            created_at=rec.created_at,
            duration_s=rec.duration_s,
            tags=rec.tags,
            summary=summary,
            segments=tuple(self._transcripts.segments(rec.id)),
            similar=tuple(similar),
            kind=rec.kind,
        )

    def _write(self, target: Path, rec: Recording, names: dict[str, str]) -> Path:
        path = target / f"{names[rec.id]}.md"
        previous_path = path if path.exists() else self._find(target, rec.id)
        previous = _read(previous_path) if previous_path is not None else None
        if (
            previous is not None
            and path.exists()
            and recording_id_of(previous)
            not in (
                rec.id,
                None,
            )
        ):
            # another recording's note has this name: keep both
            path = target / f"{names[rec.id]} ({rec.id[:8]}).md"
            previous = _read(path) if path.exists() else None
            previous_path = path if previous is not None else None
        text = render(self._data(rec, names), previous)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise StorageError(
                f"Cannot write the note {path} ({exc.strerror or exc}).",
                "Check that the notes folder exists and is writable.",
            ) from exc
        if previous_path is not None and previous_path != path:
            previous_path.unlink(missing_ok=True)  # the recording was renamed: the note moved
        return path

    @staticmethod
    def _find(target: Path, recording_id: str) -> Path | None:
        """A note of this recording under another name (it was renamed since)."""
        if not target.is_dir():
            return None
        for candidate in sorted(target.glob("*.md")):
            with candidate.open("rb") as handle:
                head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
            if recording_id_of(head) == recording_id:
                return candidate
        return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StorageError(
            f"The note {path} is not UTF-8 text ({exc.reason}); RecordRoute will not overwrite it.",
            "Save it as UTF-8, or move it aside.",
        ) from None


__all__ = ["NOTE_STEPS", "NotesService"]
