"""A recording's speakers: the ``speakers.json`` artifact the diarize step writes.

It holds who spoke when (turns, by the diarizer's labels "Speaker 1", "Speaker 2", ...),
each speaker's voice vector (for voice profiles), and the name a person gave a label.
Segments carry the display name: the given name, else the label.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from ..errors import StorageError
from ..models import Segment, SpeakerTurn
from ..protocols import Diarization
from . import formats
from .ports import RecordingStore


@dataclasses.dataclass(frozen=True)
class Speaker:
    label: str
    name: str = ""
    seconds: float = 0.0
    voice: tuple[float, ...] = ()

    @property
    def display(self) -> str:
        return self.name or self.label


@dataclasses.dataclass(frozen=True)
class Speakers:
    speakers: tuple[Speaker, ...]
    #: turns by label
    label_turns: tuple[SpeakerTurn, ...]
    engine: str
    model: str

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.speakers)

    @property
    def turns(self) -> tuple[SpeakerTurn, ...]:
        """The turns by display name."""
        shown = {s.label: s.display for s in self.speakers}
        return tuple(
            SpeakerTurn(t.start, t.end, shown.get(t.speaker, t.speaker)) for t in self.label_turns
        )

    def names(self) -> set[str]:
        """Every name a transcript line may start with: labels and given names."""
        return {s.label for s in self.speakers} | {s.name for s in self.speakers if s.name}

    def apply(self, segments: Sequence[Segment]) -> list[Segment]:
        """The segments, each with the speaker who talks longest in its time."""
        return formats.assign_speakers(segments, self.turns)

    def meta(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "model": self.model,
            "speakers": [s.display for s in self.speakers],
        }

    def to_json(self) -> str:
        payload = {
            "engine": self.engine,
            "model": self.model,
            "speakers": [
                {
                    "label": s.label,
                    "name": s.name,
                    "seconds": round(s.seconds, 2),
                    "voice": [round(x, 6) for x in s.voice],
                }
                for s in self.speakers
            ],
            "turns": [[t.start, t.end, t.speaker] for t in self.label_turns],
        }
        return json.dumps(payload, ensure_ascii=False)


def from_diarization(result: Diarization) -> Speakers:
    seconds = result.speaking_time()
    return Speakers(
        speakers=tuple(
            Speaker(label, "", seconds.get(label, 0.0), result.voices.get(label, ()))
            for label in result.speakers
        ),
        label_turns=result.turns,
        engine=result.engine,
        model=result.model,
    )


def parse(text: str, where: str) -> Speakers:
    """Read a ``speakers.json``; a damaged one is an error naming it, never "no speakers"."""
    try:
        data = json.loads(text)
        return Speakers(
            speakers=tuple(
                Speaker(
                    str(s["label"]),
                    str(s.get("name") or ""),
                    float(s.get("seconds") or 0.0),
                    tuple(float(x) for x in s.get("voice") or ()),
                )
                for s in data["speakers"]
            ),
            label_turns=tuple(
                SpeakerTurn(float(a), float(b), str(label)) for a, b, label in data["turns"]
            ),
            engine=str(data.get("engine", "")),
            model=str(data.get("model", "")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StorageError(
            f"The speakers file {where} is damaged ({exc}).",
            "Run the diarize step again to rebuild it.",
        ) from exc


def find(store: RecordingStore, recording_id: str) -> Speakers | None:
    """The recording's speakers, or None when it was never diarized."""
    artifact = store.find_artifact(recording_id, "speakers", "json")
    if artifact is None:
        return None
    return parse(store.read_text(artifact), artifact.file_name)
