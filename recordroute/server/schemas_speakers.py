"""What the speaker and voice-profile routes send and take, as pydantic models (the
replies are built from them and the OpenAPI document describes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from pydantic import ConfigDict, Field

from .schemas import Reply, Request, Text

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..pipeline.speakers import Speakers
    from ..storage.voices import VoiceProfile


class SpeakerOut(Reply):
    label: str = Field(description="Speaker 1, Speaker 2, ...")
    name: str = Field(description="The person's name, given or recognised")
    display: str = Field(description="What the transcript shows: the name, else the label")
    seconds: float = Field(description="How long they speak")
    suggestion: str = Field(description="A known voice it sounds like")
    score: float = Field(description="Similarity to that voice")


class SpeakerTurnOut(Reply):
    start: float
    end: float
    speaker: str = Field(description="The speaker's display name")


class SpeakersOut(Reply):
    """A recording's speakers (their voice vectors stay on the server)."""

    engine: str
    model: str
    speakers: list[SpeakerOut]
    turns: list[SpeakerTurnOut]

    @classmethod
    def of(cls, found: Speakers) -> Self:
        return cls(
            engine=found.engine,
            model=found.model,
            speakers=[
                SpeakerOut(
                    label=s.label,
                    name=s.name,
                    display=s.display,
                    seconds=round(s.seconds, 2),
                    suggestion=s.suggestion,
                    score=round(s.score, 3),
                )
                for s in found.speakers
            ],
            turns=[
                SpeakerTurnOut(start=t.start, end=t.end, speaker=t.speaker) for t in found.turns
            ],
        )


class VoiceProfileOut(Reply):
    name: str
    vectors: int = Field(description="Voice vectors stored for the person")
    recordings: list[str] = Field(description="The recordings they speak in")
    seconds: float

    @classmethod
    def of(cls, profile: VoiceProfile) -> Self:
        return cls(
            name=profile.name,
            vectors=profile.vectors,
            recordings=list(profile.recordings),
            seconds=round(profile.seconds, 2),
        )


class VoiceProfileList(Reply):
    profiles: list[VoiceProfileOut]


class VoiceProfileDeleted(Reply):
    deleted: str = Field(description="The profile's name")
    vectors_removed: int


# -- bodies ----------------------------------------------------------------------------
class _Strict(Request):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class SpeakerRenameBody(_Strict):
    speaker: Text = Field(description="The speaker's label or current name")
    name: str = Field(description="The person's name; empty gives back 'Speaker N'")


class KeepDropBody(_Strict):
    keep: Text = Field(description="The one that stays")
    drop: Text = Field(description="The one merged into it")


class SpeakerMoveBody(_Strict):
    start: float = Field(description="Seconds")
    end: float = Field(description="Seconds")
    speaker: Text = Field(description="Who said it")


class ProfileRenameBody(_Strict):
    name: Text = Field(description="The new name")
