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
from .models import Artifact, ImportReport, Job, Recording
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
