"""The RecordRoute facade and composition root: the one way in for every edge."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from .config import Settings
from .events import Event, EventBus
from .models import Artifact, ImportReport, Job, Recording, Segment
from .pipeline import JobRunner, Providers, WorkerPool, plan_steps
from .search import SearchFilters, SearchHit, SearchIndex, SimilarRecording
from .storage import Library, RecordingQuery, export_legacy, import_legacy
from .storage.jobs import JobRepository, worker_name
from .wiring import (
    LibraryPort,
    ProviderCache,
    SearchPort,
    check_job_options,
    probe_duration,
    recording_info,
)

log = logging.getLogger(__name__)


class RecordRoute:
    """Open a data folder and work with its recordings.

    >>> app = RecordRoute.open("db")          # doctest: +SKIP
    >>> rec = app.add_file("meeting.m4a")     # doctest: +SKIP
    """

    def __init__(self, settings: Settings, *, events: EventBus | None = None) -> None:
        self.settings = settings
        self.events = events or EventBus()
        self._library = Library(
            settings.data_path,
            busy_timeout_s=settings.busy_timeout_s,
            min_free_mb=settings.min_free_mb,
            max_upload_mb=settings.max_upload_mb,
            temp_max_age_s=settings.temp_max_age_s,
        )
        self._jobs = JobRepository(self._library.db)
        self._providers = ProviderCache(settings)
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._runner = JobRunner(
            self._jobs,
            LibraryPort(self._library, self._jobs),
            self.events,
            Providers(
                self._providers.transcriber,
                self._providers.language_model,
                self._providers.embedder,
            ),
            search=SearchPort(lambda: self.search_index, self.embedding_model_key),
            probe_duration=probe_duration,
            max_attempts=settings.job_attempts,
            retry_base_s=settings.retry_base_s,
        )
        self._pool: WorkerPool | None = None

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        **overrides: Any,
    ) -> RecordRoute:
        """Open (creating if needed) a data folder.

        Without ``settings``, settings come from the environment and ``.env``;
        ``data_dir`` and ``overrides`` take precedence.
        """
        if settings is None:
            settings = Settings.load({"data_dir": data_dir, **overrides})
        elif data_dir is not None or overrides:
            settings = settings.replace(
                **({"data_dir": Path(data_dir)} if data_dir is not None else {}), **overrides
            )
        return cls(settings)

    def close(self) -> None:
        self.stop_workers()
        if self._index is not None:
            self._index.close()
        self._library.close()

    def __enter__(self) -> RecordRoute:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def data_dir(self) -> Path:
        return self._library.layout.root

    # -- adding ------------------------------------------------------------------
    def add_file(
        self, path: str | Path, *, display_name: str | None = None, tags: Iterable[str] = ()
    ) -> Recording:
        """Copy a file into the archive as a new recording."""
        rec = self._library.add_file(Path(path), display_name=display_name, tags=tags)
        self.events.publish("recording.created", recording_id=rec.id)
        return rec

    def add_upload(
        self,
        file_name: str,
        stream: BinaryIO,
        *,
        display_name: str | None = None,
        tags: Iterable[str] = (),
        expected_size: int = 0,
    ) -> Recording:
        """Store an uploaded stream (read in chunks, never whole) as a new recording."""
        rec = self._library.add_stream(
            file_name, stream, display_name=display_name, tags=tags, expected_size=expected_size
        )
        self.events.publish("recording.created", recording_id=rec.id)
        return rec

    # -- reading -----------------------------------------------------------------
    def list_recordings(
        self,
        *,
        deleted: bool | None = False,
        kind: str | None = None,
        tag: str | None = None,
        text: str | None = None,
        sort: str = "created",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Recording]:
        """Recordings matching the filters; ``deleted=None`` lists active and deleted."""
        return self._library.list_recordings(
            RecordingQuery(
                deleted=deleted,
                kind=kind,
                tag=tag,
                text=text,
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
            )
        )

    def count_recordings(self, *, deleted: bool | None = False) -> int:
        return self._library.repo.count(deleted)

    def get_recording(self, recording_id: str) -> Recording:
        """The recording, or :class:`~recordroute.errors.NotFoundError`."""
        return self._library.get(recording_id)

    def find_recording(self, recording_id: str) -> Recording | None:
        return self._library.find(recording_id)

    def list_artifacts(self, recording_id: str, kind: str | None = None) -> list[Artifact]:
        return self._library.artifacts(recording_id, kind)

    def get_artifact(self, artifact_id: str) -> Artifact:
        """An artifact by its download id (original RecordRoute file UUIDs work too)."""
        return self._library.get_artifact(artifact_id)

    def artifact_path(self, artifact_id: str) -> Path:
        """The file of an artifact, resolved inside the data folder."""
        return self._library.artifact_path(self.get_artifact(artifact_id))

    def read_artifact_text(self, artifact_id: str) -> str:
        return self.artifact_path(artifact_id).read_text(encoding="utf-8")

    # -- changing ----------------------------------------------------------------
    def rename(self, recording_id: str, name: str) -> Recording:
        rec = self._library.rename(recording_id, name)
        self.events.publish("recording.changed", recording_id=rec.id, fields=["display_name"])
        return rec

    def set_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        rec = self._library.set_tags(recording_id, tags)
        self._sync_index(rec)
        self.events.publish("recording.changed", recording_id=rec.id, fields=["tags"])
        return rec

    def add_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        current = self.get_recording(recording_id).tags
        return self.set_tags(recording_id, [*current, *tags])

    def remove_tags(self, recording_id: str, tags: Iterable[str]) -> Recording:
        drop = set(tags)
        current = self.get_recording(recording_id).tags
        return self.set_tags(recording_id, [t for t in current if t not in drop])

    def delete(self, recording_id: str) -> Recording:
        """Soft delete: hidden from lists and search, restorable until purged."""
        rec = self._library.delete(recording_id)
        self._sync_index(rec)
        self.events.publish("recording.deleted", recording_id=rec.id)
        return rec

    def restore(self, recording_id: str) -> Recording:
        rec = self._library.restore(recording_id)
        self._sync_index(rec)
        self.events.publish("recording.restored", recording_id=rec.id)
        return rec

    def purge(self, recording_id: str) -> None:
        """Really delete a soft-deleted recording and all its files."""
        rec = self.get_recording(recording_id)
        self._library.purge(recording_id)
        if self._index_exists():
            self.search_index.put_recording(recording_info(rec))
            self.search_index.purge(recording_id)
        self.events.publish("recording.purged", recording_id=recording_id)

    def save_artifact(
        self, recording_id: str, kind: str, fmt: str, data: bytes | str, **options: Any
    ) -> Artifact:
        """Write an artifact atomically (used by the pipeline and transcript edits)."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        art = self._library.save_artifact(recording_id, kind, fmt, payload, **options)
        self.events.publish("recording.changed", recording_id=recording_id, fields=[kind])
        return art

    # -- jobs --------------------------------------------------------------------
    def submit_job(
        self,
        recording_id: str,
        steps: Sequence[str] = (),
        options: dict[str, Any] | None = None,
        *,
        client_task_id: str = "",
    ) -> Job:
        """Queue processing of a recording; a worker (or :meth:`run_job`) runs it.

        ``steps`` are names from :data:`recordroute.pipeline.STEP_ORDER` (or the original's
        ``stt``, ``summary``, ``embedding``); empty means every step. Dependencies are added.
        """
        rec = self._library._active(recording_id)
        planned = plan_steps(list(steps), rec.kind)
        job = self._jobs.submit(
            rec.id, planned, check_job_options(dict(options or {})), client_task_id
        )
        self.events.publish(
            "job.queued",
            job_id=job.id,
            recording_id=rec.id,
            steps=planned,
            client_task_id=client_task_id,
        )
        if self._pool is not None:
            self._pool.wake()
        return job

    def run_job(self, job_id: str) -> Job:
        """Run one queued job in this thread (notebooks and the command line use this)."""
        job = self._runner.run_next(worker_name("inline"), [job_id])
        return job if job is not None else self.get_job(job_id)

    def process(
        self, recording_id: str, steps: Sequence[str] = (), options: dict[str, Any] | None = None
    ) -> Job:
        """Submit and run a job here, blocking until it ends; returns the finished job."""
        return self.run_job(self.submit_job(recording_id, steps, options).id)

    def get_job(self, job_id: str) -> Job:
        return self._jobs.get(job_id)

    def list_jobs(
        self,
        *,
        states: Sequence[str] | None = None,
        recording_id: str | None = None,
        limit: int = 200,
    ) -> list[Job]:
        return self._jobs.list_jobs(states=states, recording_id=recording_id, limit=limit)

    def jobs_changed_since(self, stamp: str) -> list[Job]:
        """Jobs whose state or progress changed after ``stamp`` (ISO time), oldest change first.

        Jobs may run in other processes (``recordroute worker``); polling this is how a
        server turns their progress into events.
        """
        return self._jobs.updated_since(stamp)

    def cancel_job(self, job_id: str) -> Job:
        """Cancel a queued or running job; a running one stops within seconds, in any process."""
        job = self._jobs.request_cancel(job_id)
        self._runner.signal_cancel(job_id)
        if job.state == "cancelled":
            self.events.publish(
                "job.cancelled",
                job_id=job.id,
                recording_id=job.recording_id,
                client_task_id=job.client_task_id,
            )
        return job

    def retry_job(self, job_id: str) -> Job:
        """Queue a failed or cancelled job again; steps already done are not repeated."""
        job = self._jobs.retry(job_id)
        self.events.publish(
            "job.queued",
            job_id=job.id,
            recording_id=job.recording_id,
            steps=list(job.steps),
            client_task_id=job.client_task_id,
        )
        if self._pool is not None:
            self._pool.wake()
        return job

    def start_workers(self, size: int | None = None) -> WorkerPool:
        """Run queued jobs in background threads of this process until :meth:`stop_workers`."""
        if self._pool is None:
            self._pool = WorkerPool(self._runner, size or self.settings.workers, name=worker_name)
            self._pool.start()
        return self._pool

    def stop_workers(self, timeout: float = 30.0) -> None:
        """Stop the workers; jobs they were running are queued again and resume later."""
        if self._pool is not None:
            self._pool.stop(timeout)
            self._pool = None

    def edit_transcript(self, recording_id: str, text: str) -> Artifact:
        """Save the user's own transcript; later pipeline runs keep it."""
        self._library._active(recording_id)
        return self.save_artifact(recording_id, "transcript", "md", text, edited=True)

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Receive every event of this process; returns a function that unsubscribes."""
        return self.events.subscribe(listener)

    # -- search ------------------------------------------------------------------
    @property
    def search_index(self) -> SearchIndex:
        with self._index_lock:
            if self._index is None:
                self._index = SearchIndex(
                    self._library.layout.index, busy_timeout_s=self.settings.busy_timeout_s
                )
            return self._index

    def _index_exists(self) -> bool:
        return self._index is not None or self._library.layout.index.exists()

    def _sync_index(self, rec: Recording) -> None:
        if self._index_exists():
            self.search_index.put_recording(recording_info(rec))

    def embedding_model_key(self) -> str:
        """The name vectors are filed under: one matrix per embedding provider and model."""
        return f"{self.settings.embed_provider}:{self.settings.embed_model}"

    def _embed(self, texts: Sequence[str]) -> Any:
        return self._providers.embedder().embed(texts)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        kinds: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> list[SearchHit]:
        """Hybrid search (keywords and meaning), one hit per recording, best first."""
        filters = SearchFilters(
            start=start,
            end=end,
            kinds=tuple(kinds),  # type: ignore[arg-type]
            tags=tuple(tags),
        )
        return self.search_index.hybrid_search(
            query, model=self.embedding_model_key(), embed=self._embed, k=k, filters=filters
        )

    def similar_recordings(self, recording_id: str, *, k: int = 5) -> list[SimilarRecording]:
        """The recordings most like this one (itself and deleted ones excluded)."""
        self.get_recording(recording_id)
        return self.search_index.similar_recordings(
            recording_id, model=self.embedding_model_key(), k=k
        )

    def reindex(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Re-embed every stored chunk with the current embedding model; returns the row count."""
        return self.search_index.rebuild(
            self.embedding_model_key(), self._embed, on_progress=on_progress
        )

    # -- maintenance -------------------------------------------------------------
    def clean_temp(self) -> int:
        """Remove stale temporary files (run on open and periodically by the server)."""
        return self._library.clean_temp()

    def import_legacy(self, path: str | Path) -> ImportReport:
        """Import an original RecordRoute data folder; running it again adds nothing."""
        report = import_legacy(self._library, Path(path))
        if report.recordings_added:
            self.events.publish(
                "recording.created", recording_id="*", count=report.recordings_added
            )
        return report

    def export_legacy(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write an ``upload_history.json``-shaped file; returns its path."""
        return export_legacy(self._library, Path(path), overwrite=overwrite)

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
            "embedding": (),
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
                self.search_index.purge(rec.id)
                self.search_index.put_recording(recording_info(rec))
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
