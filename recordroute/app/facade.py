"""The RecordRoute facade and composition root: the one way in for every edge.

:class:`RecordRoute` builds the store, the engines, the search index and the job runner
for one data folder, and hands them to services that each own one area:

==================  ==========================================================
``recordings``      adding, listing, renaming, tagging, deleting, artifacts
``transcripts``     timed segments, the user's edits, exports
``jobs``            queueing, running, cancelling; worker threads
``steps``           where each recording stands in the pipeline; resets
``search``          hybrid search (``app.search("예산")``), similar recordings
``insights``        keywords over time, the similarity graph
``legacy``          the original RecordRoute's history records, import, export
``summaries``       summary templates (built-in and custom) and who uses which
``engines``         the speech, text, embedding and diarization engines, their catalogue
``speakers``        who spoke in a recording, naming them, voice profiles
``ask``             questions answered from the archive with citations; conversations
``notes``           a Markdown note per recording for Obsidian (or any folder)
``uploads``         resumable uploads of any size, finished into recordings and jobs
``links``           short-lived read-only links for players (signed with the token)
==================  ==========================================================

Each service gets what it needs when it is built and never reaches into another's
state.  A few short methods stay on the facade for notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

from .. import doorbell
from ..config import Settings
from ..events import EventBus
from ..models import Job, Recording, Segment
from ..pipeline import JobRunner, Providers
from ..providers.media import probe_duration
from ..storage import Library
from ..storage.conversations import ConversationRepository
from ..storage.jobs import JobRepository
from ..storage.keywords import KeywordRepository
from ..storage.templates import TemplateRepository
from ..storage.upload_sessions import UploadSessionRepository
from ..storage.voices import VoiceProfiles
from .ask import AskService
from .ask_archive import IndexArchive
from .ask_grounding import PassageGrounding
from .engines import Engines
from .insights import InsightsService
from .jobs import CHANGED, JobsService
from .legacy import LegacyService
from .links import LinksService
from .notes import NotesService
from .pipeline_adapters import IndexSink, RecordingStoreAdapter, RingingJobStore
from .recordings import RecordingsService
from .search import SearchService
from .speakers import SpeakersService, VoiceBookAdapter
from .steps import StepsService
from .summaries import SummariesService
from .transcripts import TranscriptsService
from .uploads import UploadsService


class RecordRoute:
    """Open a data folder and work with its recordings.

    >>> app = RecordRoute.open("db")                  # doctest: +SKIP
    >>> rec = app.add_file("meeting.m4a")             # doctest: +SKIP
    >>> app.process(rec.id)                           # doctest: +SKIP
    >>> app.search("예산")                             # doctest: +SKIP
    """

    def __init__(self, settings: Settings, *, events: EventBus | None = None) -> None:
        self.settings = settings
        self.events = events or EventBus()
        library = Library(
            settings.data_path,
            busy_timeout_s=settings.busy_timeout_s,
            min_free_mb=settings.min_free_mb,
            max_upload_mb=settings.max_upload_mb,
            temp_max_age_s=settings.temp_max_age_s,
        )
        self._library = library
        keywords = KeywordRepository(library.db)
        job_repo = JobRepository(library.db)
        self.engines = Engines(settings)
        self.search = SearchService(library.layout.index, settings, self.engines, library)
        self.recordings = RecordingsService(library, self.events, self.search)
        self.transcripts = TranscriptsService(self.recordings)
        self.steps = StepsService(library, keywords, self.search, self.events)
        self.insights = InsightsService(library, keywords, self.search)
        self.legacy = LegacyService(library, self.events)
        self.summaries = SummariesService(
            TemplateRepository(library.db), library, settings, self.events
        )
        archive = IndexArchive(self.search, self.recordings, self.transcripts, self.engines.embed)
        self.ask = AskService(
            ConversationRepository(library.db),
            archive,
            self.recordings,
            self.engines,
            settings,
            self.events,
            ground=PassageGrounding(self.engines.embed),
            ground_quotes=PassageGrounding(None),
        )
        self.notes = NotesService(self.recordings, self.transcripts, self.search, settings)
        root = library.layout.root
        store = RecordingStoreAdapter(library, keywords)
        voices = VoiceProfiles(library.db)
        self.speakers = SpeakersService(
            self.recordings, self.transcripts, store, voices, self.events
        )
        runner = JobRunner(
            RingingJobStore(job_repo, lambda: doorbell.ring(root, CHANGED)),
            store,
            self.events,
            Providers(
                self.engines.transcriber,
                self.engines.language_model,
                self.engines.embedder,
                self.engines.diarizer,
            ),
            search=IndexSink(lambda: self.search.index, self.engines.embedding_model_key),
            probe_duration=probe_duration,
            voices=VoiceBookAdapter(voices, settings),
            max_attempts=settings.job_attempts,
            retry_base_s=settings.retry_base_s,
            templates=self.summaries,
            after_step=self.notes.after_step,
        )
        self.jobs = JobsService(
            job_repo, library, runner, self.events, settings, self.summaries.check_options
        )
        self.uploads = UploadsService(
            UploadSessionRepository(library.db), library, self.recordings, self.jobs
        )
        self.links = LinksService(settings.token)

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
        self.jobs.stop_workers()  # running jobs are queued again
        self.search.close()
        self._library.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def data_dir(self) -> Path:
        return self._library.layout.root

    # -- the short way in, for notebooks -------------------------------------------------
    def add_file(
        self, path: str | Path, *, display_name: str | None = None, tags: Iterable[str] = ()
    ) -> Recording:
        """Copy a file into the archive as a new recording."""
        return self.recordings.add_file(path, display_name=display_name, tags=tags)

    def list_recordings(self, **filters: Any) -> list[Recording]:
        """Recordings, newest first (filters as :meth:`RecordingsService.list`)."""
        return self.recordings.list(**filters)

    def get_recording(self, recording_id: str) -> Recording:
        return self.recordings.get(recording_id)

    def process(
        self, recording_id: str, steps: Sequence[str] = (), options: dict[str, Any] | None = None
    ) -> Job:
        """Run the steps (all by default) here, blocking until they end."""
        return self.jobs.process(recording_id, steps, options)

    def transcript_segments(self, recording_id: str) -> list[Segment]:
        """The transcript as timed segments (empty until there is one)."""
        return self.transcripts.segments(recording_id)
