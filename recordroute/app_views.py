"""Read models for the dashboards and notebooks."""

from __future__ import annotations

from datetime import datetime

from .app_compat import CompatFacade
from .models import Artifact, Segment
from .pipeline import plan_steps


class ViewsFacade(CompatFacade):
    # -- added for the dashboards ----------------------------------------------------
    # Read models for the Voila dashboards and notebooks (recordroute/ui, notebooks/);
    # tests: tests/test_ui_facade.py.

    def transcript_segments(self, recording_id: str) -> list[Segment]:
        """The transcript as segments, for viewers and exports.

        The user's edit wins; otherwise the timed segments of the speech step; otherwise
        the plain transcript of a document (one segment per paragraph, times 0). Empty
        when the recording has no transcript yet.
        """
        from .pipeline import formats

        def latest(kind: str, fmt: str) -> Artifact | None:
            found = [a for a in self.list_artifacts(recording_id, kind) if a.format == fmt]
            return found[-1] if found else None

        markdown = latest("transcript", "md")
        timed = latest("segments", "json")
        if timed is not None and (markdown is None or not markdown.edited):
            return formats.segments_from_json(self.read_artifact_text(timed.id))
        if markdown is not None:
            return formats.segments_from_markdown(self.read_artifact_text(markdown.id))
        return []

    def step_status(self, recording_id: str) -> dict[str, str]:
        """Each pipeline step that applies to the recording, in order, with its state.

        The newest job that planned a step decides (``done``, ``queued``, ``running``,
        ``failed`` or ``cancelled``), except that a step whose output was removed since
        (:meth:`remove_outputs`) is ``missing`` again, and one whose last try failed but
        whose earlier output is still there is ``done``.  With no such job, the step's
        output decides: ``done`` (e.g. after a legacy import) or ``missing``.
        """
        rec = self.get_recording(recording_id)
        kinds = {a.kind for a in self.list_artifacts(recording_id)}
        output = {
            "ingest": rec.duration_s is not None or "transcript" in kinds,
            "transcribe": "segments" in kinds or "transcript" in kinds,
            "summarize": "summary" in kinds,
            "title": "title" in kinds or bool(rec.title),
            "keywords": "keywords" in kinds,
            "embed": "vector" in kinds,  # the index holds vectors; imports bring this kind
        }
        jobs = self.list_jobs(recording_id=recording_id, limit=1000)  # newest first
        done: dict[str, list[str]] = {}
        status: dict[str, str] = {}
        for step in plan_steps([], rec.kind):
            job = next((j for j in jobs if step in j.steps), None)
            if job is None:
                status[step] = "done" if output[step] else "missing"
                continue
            if job.id not in done:
                done[job.id] = self._jobs.steps_done(job.id)
            if job.state in ("queued", "running") and step not in done[job.id]:
                status[step] = job.state
            elif step not in done[job.id]:  # the last try failed or was cancelled
                has_output = output[step] and step != "embed"
                status[step] = "done" if has_output else job.state.replace("done", "missing")
            elif step == "embed" or output[step]:
                status[step] = "done"
            else:
                status[step] = "missing"
        return status

    def missing_steps(self, recording_id: str) -> list[str]:
        """Steps never run, or whose last run failed or was cancelled (queued ones excluded)."""
        return [
            step
            for step, state in self.step_status(recording_id).items()
            if state in ("missing", "failed", "cancelled")
        ]

    def keyword_counts(
        self, *, period: str | None = None, top: int = 20
    ) -> dict[str, dict[str, int]]:
        """Keyword mentions of active recordings, summed per period of their creation date.

        ``period`` is ``"week"`` (ISO weeks, ``2026-W07``), ``"month"`` (``2026-02``) or
        ``None`` (one ``"all"`` key). Each period keeps its ``top`` terms, most mentioned
        first; periods are in time order. Korean particles were stripped when the keywords
        step counted them.
        """
        from .errors import InvalidInputError

        if period not in (None, "week", "month"):
            raise InvalidInputError(
                f"{period!r} is not a period.", "Use 'week', 'month' or None for all time."
            )
        rows = self._library.db.query(
            "SELECT k.term, k.count, r.created_at FROM keywords k "
            "JOIN recordings r ON r.id = k.recording_id WHERE r.deleted_at IS NULL"
        )
        totals: dict[str, dict[str, int]] = {}
        for term, count, created in rows:
            moment = datetime.fromisoformat(created).astimezone()
            if period == "week":
                year, week, _ = moment.isocalendar()
                label = f"{year}-W{week:02d}"
            else:
                label = moment.strftime("%Y-%m") if period == "month" else "all"
            bucket = totals.setdefault(label, {})
            bucket[term] = bucket.get(term, 0) + int(count)
        return {
            label: dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
            for label, terms in sorted(totals.items())
        }

    def similarity_graph(
        self, *, threshold: float = 0.5, k: int = 5
    ) -> tuple[list[str], list[tuple[str, str, float]]]:
        """Indexed active recordings and the links between them.

        Returns ``(nodes, edges)``: recording ids that have vectors for the current
        embedding model, and ``(a, b, score)`` for each pair where one is among the
        other's ``k`` most similar and the score is at least ``threshold`` (a < b).
        """
        from .errors import NotFoundError

        if not self._index_exists():
            return [], []
        nodes: list[str] = []
        best: dict[tuple[str, str], float] = {}
        for rec in self.list_recordings():
            try:
                similar = self.similar_recordings(rec.id, k=k)
            except NotFoundError:
                continue
            nodes.append(rec.id)
            for other in similar:
                a, b = sorted((rec.id, other.recording_id))
                best[(a, b)] = max(best.get((a, b), -1.0), float(other.score))
        members = set(nodes)
        edges = [
            (a, b, round(score, 4))
            for (a, b), score in sorted(best.items())
            if score >= threshold and a in members and b in members
        ]
        return nodes, edges
