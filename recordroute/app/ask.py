"""Asking the archive: answers with citations, and the conversations they belong to."""

from __future__ import annotations

import builtins
import dataclasses
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from ..ask import (
    Answer,
    Asker,
    Context,
    EventFn,
    Retriever,
    Scope,
    Writer,
    check_mode,
    check_question,
)
from ..ask.grounding_port import GroundFn
from ..config import Settings
from ..errors import InvalidInputError
from ..events import EventBus
from ..storage.conversations import Conversation, ConversationRepository
from .ask_archive import IndexArchive
from .engines import Engines
from .recordings import RecordingsService

log = logging.getLogger(__name__)


class _StreamingWriter:
    """A configured Ollama model as a :class:`~recordroute.ask.Writer`."""

    def __init__(self, model: Any) -> None:
        self._model = model

    @property
    def model_name(self) -> str:
        return str(getattr(self._model, "model_name", self._model.name))

    def stream(
        self, prompt: str, *, system: str, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        return self._model.stream(  # type: ignore[no-any-return]
            prompt, system=system, max_tokens=max_tokens, temperature=temperature
        )


class AskService:
    def __init__(
        self,
        conversations: ConversationRepository,
        archive: IndexArchive,
        recordings: RecordingsService,
        engines: Engines,
        settings: Settings,
        events: EventBus,
        ground: GroundFn,
        ground_quotes: GroundFn,
    ) -> None:
        self._conversations = conversations
        self._archive = archive
        self._recordings = recordings
        self._engines = engines
        self._settings = settings
        self._events = events
        self._asker = Asker(Retriever(archive), ground, self._writer, ground_quotes=ground_quotes)

    def writes(self) -> bool:
        """Whether answers are written prose (an Ollama model) or extractive (embedded)."""
        return self._settings.llm_provider == "ollama"

    def _writer(self) -> Writer | None:
        if not self.writes():
            return None
        return _StreamingWriter(self._engines.language_model({}))

    # -- asking --------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        recording_id: str | None = None,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        tags: Sequence[str] = (),
        kinds: Sequence[str] = (),
        speakers: Sequence[str] = (),
        mode: str = "auto",
        save: bool = True,
        ask_id: str | None = None,
        on_event: EventFn | None = None,
    ) -> Answer:
        """Answer ``question`` from the archive; every sentence cites where it came from.

        A ``conversation_id`` continues that conversation (its scope and its earlier
        questions); otherwise a new one starts, scoped to ``recording_id`` and the
        filters, and is saved unless ``save`` is false.  ``speakers`` keeps only what
        those people said (any of them: a given name or "Speaker N"); a name no
        recording has is refused with the names there are.  With ``ask_id`` the steps are
        published as ``ask.*`` events (passages, tokens, checked sentences, the answer).
        """
        question = check_question(question)
        check_mode(mode)
        conversation = None if conversation_id is None else self._conversations.get(conversation_id)
        scope = self._scope(conversation, recording_id, start, end, tags, kinds, speakers)
        context = Context()
        if conversation is not None:
            context = Context(
                tuple(t.question for t in conversation.turns),
                tuple(Answer.from_dict(t.answer).text() for t in conversation.turns),
            )
        self._archive.refresh()
        self._archive.check_speakers(scope.speakers)
        publish = self._publisher(ask_id, on_event)
        publish("started", {"question": question, "mode": mode})
        try:
            answer = self._asker.ask(question, scope, mode=mode, context=context, on_event=publish)
        except Exception as exc:
            publish("failed", {"error": str(exc)})
            raise
        if save:
            if conversation is None:
                conversation = self._conversations.create(
                    question,
                    recording_id=scope.recordings[0] if len(scope.recordings) == 1 else None,
                    filters=scope.to_dict(),
                )
            answer = _with_conversation(answer, conversation.id)
            self._conversations.add_turn(conversation.id, question, answer.to_dict())
        publish("finished", {"answer": answer.to_dict()})
        return answer

    def check(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        recording_id: str | None = None,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        tags: Sequence[str] = (),
        kinds: Sequence[str] = (),
        speakers: Sequence[str] = (),
        mode: str = "auto",
        save: bool = True,
    ) -> None:
        """Refuse a question :meth:`ask` would refuse, without answering it."""
        check_question(question)
        check_mode(mode)
        conversation = None if conversation_id is None else self._conversations.get(conversation_id)
        scope = self._scope(conversation, recording_id, start, end, tags, kinds, speakers)
        self._archive.refresh()
        self._archive.check_speakers(scope.speakers)
        if mode == "written" and not self.writes():
            self._asker.require_writer()

    def _scope(
        self,
        conversation: Conversation | None,
        recording_id: str | None,
        start: date | datetime | None,
        end: date | datetime | None,
        tags: Sequence[str],
        kinds: Sequence[str],
        speakers: Sequence[str],
    ) -> Scope:
        """A conversation's saved scope, or a new one from the filters (checked)."""
        if conversation is not None:
            return Scope.from_dict(conversation.filters)
        if recording_id is not None:
            self._recordings.get_active(recording_id)
        return Scope(
            start=start,
            end=end,
            tags=tuple(tags),
            kinds=tuple(kinds),
            recordings=(recording_id,) if recording_id else (),
            speakers=tuple(speakers),
        ).check()

    def _publisher(self, ask_id: str | None, on_event: EventFn | None) -> EventFn:
        def publish(kind: str, data: dict[str, Any]) -> None:
            if on_event is not None:
                on_event(kind, data)
            if ask_id is not None:
                self._events.publish(f"ask.{kind}", ask_id=ask_id, **data)

        return publish

    @staticmethod
    def new_ask_id() -> str:
        return str(uuid.uuid4())

    # -- conversations ---------------------------------------------------------------------
    def conversations(
        self, *, recording_id: str | None = None, limit: int = 100
    ) -> builtins.list[Conversation]:
        """Saved conversations, most recently used first (without their turns)."""
        return self._conversations.list(recording_id=recording_id, limit=limit)

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation with its questions and answers (answers as JSON objects)."""
        return self._conversations.get(conversation_id)

    def answers(self, conversation_id: str) -> builtins.list[Answer]:
        """The answers of a conversation, oldest first."""
        return [Answer.from_dict(t.answer) for t in self._conversations.get(conversation_id).turns]

    def delete_conversation(self, conversation_id: str) -> None:
        self._conversations.delete(conversation_id)


def _with_conversation(answer: Answer, conversation_id: str) -> Answer:
    return dataclasses.replace(answer, conversation_id=conversation_id)


def parse_day(name: str, raw: str | None) -> date | None:
    """An ISO date from a command-line option (``--since 2024-05-01``)."""
    if raw is None or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInputError(
            f"{name} {raw!r} is not a date.", "Use the form YYYY-MM-DD, e.g. 2024-05-01."
        ) from None


__all__ = ["AskService", "parse_day"]
