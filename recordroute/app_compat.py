"""Facade methods the server needs for the original client's routes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .app_search import SearchFacade
from .models import Job
from .wiring import (
    recording_info,
)


class CompatFacade(SearchFacade):
    # -- added for the server --------------------------------------------------------
    # Facade methods used by recordroute.server (the REST API and its compatibility
    # routes for the original client).  No web framework code here: the server calls
    # these from worker threads and renders the results.

    def legacy_history(self) -> list[dict[str, Any]]:
        """Active recordings as the original RecordRoute's history records, newest first.

        Same mapping as :meth:`export_legacy` (``download_links`` are ``/download/<id>``).
        """
        from .storage.legacy_export import legacy_record

        return [legacy_record(self._library, rec) for rec in self.list_recordings()]

    def legacy_record(self, recording_id: str) -> dict[str, Any]:
        """One recording (deleted or not) as an original history record."""
        from .storage.legacy_export import legacy_record

        return legacy_record(self._library, self.get_recording(recording_id))

    def list_models(self, *, probe_ollama: bool = True) -> dict[str, Any]:
        """What each provider offers here and whether Ollama answers (JSON-ready; loads nothing)."""
        from .providers import list_models

        return list_models(self.settings, probe_ollama=probe_ollama).to_dict()

    def find_job_for_task(self, task_id: str) -> Job | None:
        """The newest job submitted with this client task id, else the job with this id."""
        from .errors import InvalidInputError

        rows = self._jobs.db.query(
            "SELECT id FROM jobs WHERE client_task_id = ? ORDER BY created_at DESC, id LIMIT 1",
            (task_id,),
        )
        if rows:
            return self.get_job(str(rows[0][0]))
        try:
            return self._jobs.find(task_id)
        except InvalidInputError:
            return None

    def search_cache_stats(self) -> dict[str, int]:
        """Counters of the search result cache since this process opened the index."""
        if not self._index_exists():
            return {"entries": 0, "hits": 0, "misses": 0, "expired": 0, "invalidations": 0}
        stats = self.search_index.cache_stats()["results"]
        return {
            "entries": stats.size,
            "hits": stats.hits,
            "misses": stats.misses,
            "expired": stats.expired,
            "invalidations": stats.invalidations,
        }

    def remove_outputs(self, recording_id: str, tasks: Sequence[str]) -> list[str]:
        """Remove what steps produced so they can run again (the original's reset routes).

        ``tasks`` are the original's names: ``stt`` (transcript, segments, subtitles,
        keywords), ``summary`` (summary and title), ``embedding`` (search vectors).  The
        uploaded file is never touched.  Returns the tasks that had something to remove.
        """
        from .errors import InvalidInputError

        output_kinds = {  # what each of the original's task names produced
            "stt": ("transcript", "segments", "export", "keywords"),
            "summary": ("summary", "title"),
            "embedding": ("vector",),
        }
        unknown = [t for t in tasks if t not in output_kinds]
        if unknown:
            raise InvalidInputError(
                f"Unknown task names: {', '.join(map(repr, unknown))}.",
                f"Use some of: {', '.join(output_kinds)}.",
            )
        rec = self._library._active(recording_id)
        removed: list[str] = []
        for task in dict.fromkeys(tasks):
            arts = [
                a
                for kind in output_kinds[task]
                for a in self._library.repo.artifacts_of(rec.id, kind)
            ]
            if arts:
                self._library.remove_artifacts(arts)
                removed.append(task)
            if task == "stt" and arts:
                self._jobs.set_keywords(rec.id, {})
            if task == "summary" and (arts or rec.title):
                self._library.set_title(rec.id, "")
                if task not in removed:
                    removed.append(task)
            if task == "embedding" and self._index_exists():
                info = recording_info(rec)
                self.search_index.put_recording(info)  # known to the index before the purge
                self.search_index.purge(rec.id)
                self.search_index.put_recording(info)  # kept for filters, without chunks
                if task not in removed:
                    removed.append(task)
        if removed:
            self.events.publish("recording.changed", recording_id=rec.id, fields=removed)
        return removed

    def render_export(self, recording_id: str, fmt: str) -> tuple[str, str]:
        """The transcript as ``txt``, ``md``, ``srt``, ``vtt`` or ``json``: (file name, text)."""
        from .errors import InvalidInputError, NotFoundError
        from .pipeline import formats

        known = ("txt", "md", "srt", "vtt", "json")
        if fmt not in known:
            raise InvalidInputError(
                f"Export format {fmt!r} is not known.",
                f"Use one of: {', '.join(known)}.",
            )
        rec = self.get_recording(recording_id)
        transcripts = [a for a in self.list_artifacts(rec.id, "transcript") if a.format == "md"]
        if not transcripts:
            raise NotFoundError(
                f"Recording {rec.id} has no transcript yet.",
                "Run the transcribe step (stt) first, or the ingest step for text and PDF.",
            )
        text = self.read_artifact_text(transcripts[-1].id)
        stem = Path(rec.original_name).stem or "transcript"
        if fmt == "md":
            return f"{stem}.md", text
        segments_json = [a for a in self.list_artifacts(rec.id, "segments") if a.format == "json"]
        if segments_json and not transcripts[-1].edited:
            segments = formats.segments_from_json(self.read_artifact_text(segments_json[-1].id))
        else:
            segments = formats.segments_from_markdown(text)
        rendered = {
            "txt": lambda: "\n".join(s.text.strip() for s in segments) + "\n",
            "srt": lambda: formats.to_srt(segments),
            "vtt": lambda: formats.to_vtt(segments),
            "json": lambda: formats.to_json(segments, recording_id=rec.id),
        }[fmt]()
        return f"{stem}.{fmt}", rendered
