"""A small thread-safe event bus for job progress and state changes."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .models import Job

log = logging.getLogger(__name__)

EVENT_TYPES = (
    "recording.created",
    "recording.changed",
    "recording.deleted",
    "recording.restored",
    "recording.purged",
    "job.queued",
    "job.started",
    "job.progress",
    "job.finished",
    "job.failed",
    "job.cancelled",
    # a question asked of the archive (``ask_id``): the passages found, the tokens as the
    # model writes them, each sentence once checked, then the answer (or the failure)
    "ask.started",
    "ask.passages",
    "ask.token",
    "ask.sentence",
    "ask.finished",
    "ask.failed",
)


@dataclasses.dataclass(frozen=True)
class Event:
    """A typed event; ``data`` holds JSON-serialisable details."""

    type: str
    data: dict[str, Any]
    time: float = dataclasses.field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "time": self.time, **self.data}


Listener = Callable[[Event], None]


class EventBus:
    """Publish events to every subscribed listener.

    Listeners run in the publishing thread; one failing listener is logged and
    does not stop the others (its error is not hidden: it is logged with a traceback).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; call the returned function to remove it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, type_: str, **data: Any) -> Event:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}; known: {', '.join(EVENT_TYPES)}")
        event = Event(type_, data)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type_)
        return event

    def publish_job(self, type_: str, job: Job, **data: Any) -> Event:
        """A ``job.*`` event carrying the job's id, recording and the client's task id."""
        return self.publish(
            type_,
            job_id=job.id,
            recording_id=job.recording_id,
            client_task_id=job.client_task_id,
            **data,
        )
