"""What the ask and conversation routes send and take, as pydantic models."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, StrictBool, WithJsonSchema

from ..models import RecordingKind
from .schemas import Moment, Reply, Request, iso_moment

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..ask.answers import Answer
    from ..storage.conversations import Conversation


class CitationOut(Reply):
    recording_id: str
    name: str
    source: Literal["transcript", "summary", "document"]
    start_s: float | None
    end_s: float | None
    paragraph: int | None = Field(description="A document's paragraph (it has no times)")
    label: str = Field(description="[recording, HH:MM:SS] (documents: [name, ¶N])")


class AnswerSentenceOut(Reply):
    text: str
    citation: CitationOut
    support: float = Field(description="Grounding support, 0..1")


class AnswerGroupOut(Reply):
    recording_id: str
    name: str
    sentences: list[AnswerSentenceOut]


class AnswerOut(Reply):
    question: str
    mode: Literal["extractive", "written", "not_found"]
    found: bool
    text: str = Field(description="The answer with a citation after every sentence")
    lead: AnswerSentenceOut | None = Field(description="The passage that best answers it")
    sentences: list[AnswerSentenceOut]
    groups: list[AnswerGroupOut] = Field(description="Extractive answers: passages by recording")
    dropped: int = Field(description="Sentences the grounding check removed")
    model: str = Field(description="The text model that wrote a written answer")
    note: str = Field(description="The mode, in plain words")
    conversation_id: str | None

    @classmethod
    def of(cls, answer: Answer) -> Self:
        return cls.model_validate(answer.to_dict())


class AskStarted(Reply):
    ask_id: str
    state: Literal["running"]
    events: str = Field(description="The events WebSocket that streams this answer")


class ConversationOut(Reply):
    id: str
    title: str
    recording_id: str | None = Field(description="The recording it is about; None: the archive")
    filters: dict[str, Any]
    created_at: Moment
    updated_at: Moment
    turn_count: int

    @classmethod
    def of(cls, conversation: Conversation) -> Self:
        return cls(
            id=conversation.id,
            title=conversation.title,
            recording_id=conversation.recording_id,
            filters=conversation.filters,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            turn_count=conversation.turn_count,
        )


class ConversationTurnOut(Reply):
    ordinal: int
    question: str
    answer: dict[str, Any] = Field(description="The answer as it was given (see Answer)")
    created_at: Moment


class ConversationDetails(ConversationOut):
    turns: list[ConversationTurnOut]

    @classmethod
    def of(cls, conversation: Conversation) -> Self:
        base = ConversationOut.of(conversation).model_dump()
        turns = [
            ConversationTurnOut(
                ordinal=t.ordinal, question=t.question, answer=t.answer, created_at=t.created_at
            )
            for t in conversation.turns
        ]
        return cls(**base, turns=turns)


class ConversationList(Reply):
    items: list[ConversationOut]


class ConversationDeleted(Reply):
    deleted: str


# -- requests --------------------------------------------------------------------------
def _moment_or_none(raw: object) -> date | datetime | None:
    return None if raw is None or raw == "" else iso_moment(raw)


OptionalMoment = Annotated[
    date | datetime | None,
    BeforeValidator(_moment_or_none),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
                {"type": "string", "maxLength": 0},
                {"type": "null"},
            ]
        }
    ),
]


class AskBody(Request):
    # the core checks the question (empty, too long) with its own messages
    question: str = Field(json_schema_extra={"pattern": r"\S", "maxLength": 2000})
    conversation_id: str | None = Field(None, description="Continue this conversation")
    recording_id: str | None = Field(None, description="Only this recording")
    start: OptionalMoment = Field(None, description="Recordings created on or after")
    end: OptionalMoment = Field(None, description="Recordings created on or before")
    tags: list[str] = Field(default_factory=list, description="Recordings with all these tags")
    kinds: list[RecordingKind] = Field(default_factory=list)
    speakers: list[str] = Field(
        default_factory=list,
        description="Only what these people said (a name or 'Speaker N'; any of them)",
    )
    mode: Literal["auto", "extractive", "written"] = "auto"
    save: StrictBool = Field(True, description="Keep the question in a conversation")
    stream: StrictBool = Field(False, description="Answer over the events WebSocket (202)")
    ask_id: Annotated[
        str | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "format": "uuid"},
                    {"type": "string", "maxLength": 0},
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(None, description="Your own id for a streamed answer (a UUID; empty: none)")


class ConversationsQuery(Request):
    recording_id: str | None = Field(None, description="Only conversations about it")
    limit: int = Field(100, ge=1, le=1000)
