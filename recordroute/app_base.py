"""The facade's foundation: the composition root and the search index it shares."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

from .config import Settings
from .events import EventBus
from .models import Recording
from .pipeline import JobRunner, Providers, WorkerPool
from .search import SearchIndex
from .storage import Library
from .storage.jobs import JobRepository
from .wiring import (
    LibraryPort,
    ProviderCache,
    SearchPort,
    probe_duration,
    recording_info,
)


class FacadeBase:
    """Builds the store, providers, index and job runner for one data folder."""

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
    ) -> Self:
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
        if self._pool is not None:  # stop workers: running jobs are queued again
            self._pool.stop()
            self._pool = None
        if self._index is not None:
            self._index.close()
        self._library.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def data_dir(self) -> Path:
        return self._library.layout.root

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
