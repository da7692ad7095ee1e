"""Where each recording stands in the pipeline, and resetting what steps produced."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidInputError
from ..events import EventBus
from ..models import Recording
from ..pipeline import plan_steps
from ..storage import Library
from ..storage.keywords import KeywordRepository
from ..storage.read_models import JobSteps, artifact_kinds, job_steps
from .search import SearchService

#: the original RecordRoute's task names and the artifact kinds each produced
ORIGINAL_OUTPUTS = {
    "stt": ("transcript", "segments", "export", "keywords"),
    "summary": ("summary", "title"),
    "embedding": ("vector",),
}


def _status(rec: Recording, kinds: set[str], jobs: Sequence[JobSteps]) -> dict[str, str]:
    output = {
        "ingest": rec.duration_s is not None or "transcript" in kinds,
        "transcribe": "segments" in kinds or "transcript" in kinds,
        "summarize": "summary" in kinds,
        "title": "title" in kinds or bool(rec.title),
        "keywords": "keywords" in kinds,
        "diarize": "speakers" in kinds,
        "embed": "vector" in kinds,  # the index holds vectors; imports bring this kind
    }
    status: dict[str, str] = {}
    for step in plan_steps([], rec.kind):
        job = next((j for j in jobs if step in j.steps), None)
        if job is None:
            status[step] = "done" if output[step] else "missing"
        elif job.state in ("queued", "running") and step not in job.steps_done:
            status[step] = job.state
        elif step not in job.steps_done:  # the last try failed or was cancelled
            has_output = output[step] and step != "embed"
            status[step] = "done" if has_output else job.state.replace("done", "missing")
        elif step == "embed" or output[step]:
            status[step] = "done"
        else:
            status[step] = "missing"
    return status


class StepsService:
    def __init__(
        self,
        library: Library,
        keywords: KeywordRepository,
        search: SearchService,
        events: EventBus,
    ) -> None:
        self._library = library
        self._keywords = keywords
        self._search = search
        self._events = events

    def statuses(self, recordings: Sequence[Recording]) -> dict[str, dict[str, str]]:
        """Each applicable step of each recording with its state, in two queries.

        The newest job that planned a step decides (``done``, ``queued``, ``running``,
        ``failed`` or ``cancelled``), except that a step whose output was removed since
        (:meth:`reset`) is ``missing`` again, and one whose last try failed but whose
        earlier output is still there is ``done``.  With no such job, the step's output
        decides: ``done`` (e.g. after a legacy import) or ``missing``.
        """
        ids = [r.id for r in recordings]
        kinds = artifact_kinds(self._library.db, ids)
        jobs = job_steps(self._library.db, ids)
        return {r.id: _status(r, kinds[r.id], jobs[r.id]) for r in recordings}

    def status(self, recording_id: str) -> dict[str, str]:
        rec = self._library.get(recording_id)
        return self.statuses([rec])[rec.id]

    def missing(self, recording_id: str) -> list[str]:
        """Steps never run, or whose last run failed or was cancelled (queued ones excluded)."""
        return [
            step
            for step, state in self.status(recording_id).items()
            if state in ("missing", "failed", "cancelled")
        ]

    def reset(self, recording_id: str, tasks: Sequence[str]) -> list[str]:
        """Remove what steps produced so they can run again (the original's reset routes).

        ``tasks`` are the original's names: ``stt`` (transcript, segments, subtitles,
        keywords), ``summary`` (summary and title), ``embedding`` (search vectors).  The
        uploaded file is never touched.  Returns the tasks that had something to remove.
        """
        unknown = [t for t in tasks if t not in ORIGINAL_OUTPUTS]
        if unknown:
            raise InvalidInputError(
                f"Unknown task names: {', '.join(map(repr, unknown))}.",
                f"Use some of: {', '.join(ORIGINAL_OUTPUTS)}.",
            )
        rec = self._library.get_active(recording_id)
        removed: list[str] = []
        for task in dict.fromkeys(tasks):
            arts = [
                a
                for kind in ORIGINAL_OUTPUTS[task]
                for a in self._library.repo.artifacts_of(rec.id, kind)
            ]
            if arts:
                self._library.remove_artifacts(arts)
                removed.append(task)
            if task == "stt" and arts:
                self._keywords.set_keywords(rec.id, {})
            if task == "summary" and (arts or rec.title):
                self._library.set_title(rec.id, "")
                if task not in removed:
                    removed.append(task)
            if task == "embedding" and self._search.drop_vectors(rec) and task not in removed:
                removed.append(task)
        if removed:
            self._events.publish("recording.changed", recording_id=rec.id, fields=removed)
        return removed
