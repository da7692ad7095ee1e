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

from ..engine_protocols import Diarization
from ..errors import InvalidInputError, NotFoundError, StorageError
from ..models import Recording, Segment, SpeakerTurn
from . import formats, voice_match
from .ports import RecordingStore, VoiceBook


@dataclasses.dataclass(frozen=True)
class Speaker:
    label: str
    name: str = ""
    seconds: float = 0.0
    voice: tuple[float, ...] = ()
    #: a known voice this speaker sounds like: named (``name`` is it) or only suggested
    suggestion: str = ""
    #: the similarity to that voice (0 when no profile was compared)
    score: float = 0.0

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
    voice_model: str = ""

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

    def label_of(self, who: str) -> str:
        """The label of the speaker shown as ``who`` (a label or a given name)."""
        for s in self.speakers:
            if who in (s.label, s.name):
                return s.label
        raise NotFoundError(
            f"This recording has no speaker {who!r}.",
            f"Use one of: {', '.join(s.display for s in self.speakers)}.",
        )

    def rename(self, who: str, name: str) -> Speakers:
        """Give the speaker shown as ``who`` the name ``name`` (empty: back to its label)."""
        label = self.label_of(who)
        name = " ".join(name.split())
        if ":" in name or len(name) > 80:
            raise InvalidInputError(
                f"{name!r} cannot be a speaker's name.",
                "Use at most 80 characters and no colon (transcript lines read 'Name: text').",
            )
        taken = {s.display for s in self.speakers if s.label != label}
        if name and name in taken:
            raise InvalidInputError(
                f"Another speaker of this recording is already called {name!r}.",
                "Merge the two speakers instead, or choose another name.",
            )
        return dataclasses.replace(
            self,
            speakers=tuple(
                dataclasses.replace(s, name=name, suggestion="", score=0.0)
                if s.label == label
                else s
                for s in self.speakers
            ),
        )

    def merge(self, keep: str, drop: str) -> Speakers:
        """One speaker from two: ``drop``'s turns and voice join ``keep``'s."""
        kept, dropped = self.label_of(keep), self.label_of(drop)
        if kept == dropped:
            raise InvalidInputError(
                f"{keep!r} and {drop!r} are the same speaker.", "Choose two different speakers."
            )
        a = next(s for s in self.speakers if s.label == kept)
        b = next(s for s in self.speakers if s.label == dropped)
        voice = a.voice
        if a.voice and b.voice and len(a.voice) == len(b.voice):
            total = a.seconds + b.seconds or 1.0
            mixed = [
                (x * a.seconds + y * b.seconds) / total
                for x, y in zip(a.voice, b.voice, strict=True)
            ]
            norm = sum(v * v for v in mixed) ** 0.5 or 1.0
            voice = tuple(v / norm for v in mixed)
        joined = dataclasses.replace(a, seconds=a.seconds + b.seconds, voice=voice)
        turns = [
            SpeakerTurn(t.start, t.end, kept if t.speaker == dropped else t.speaker)
            for t in self.label_turns
        ]
        return dataclasses.replace(
            self,
            speakers=tuple(
                joined if s.label == kept else s for s in self.speakers if s.label != dropped
            ),
            label_turns=tuple(_join_adjacent(turns)),
        )

    def move(self, start: float, end: float, to: str) -> Speakers:
        """Say that ``to`` spoke from ``start`` to ``end`` (a transcript line given to them)."""
        label = self.label_of(to)
        if not end > start >= 0:
            raise InvalidInputError(
                f"{start}-{end} is not a stretch of time.",
                "Give a start before the end, in seconds.",
            )
        turns: list[SpeakerTurn] = []
        for t in self.label_turns:
            if t.end <= start or t.start >= end:
                turns.append(t)
                continue
            if t.start < start:
                turns.append(SpeakerTurn(t.start, start, t.speaker))
            if t.end > end:
                turns.append(SpeakerTurn(end, t.end, t.speaker))
        turns.append(SpeakerTurn(start, end, label))
        turns.sort(key=lambda t: (t.start, t.end))
        seconds: dict[str, float] = {}
        for t in turns:
            seconds[t.speaker] = seconds.get(t.speaker, 0.0) + t.end - t.start
        return dataclasses.replace(
            self,
            speakers=tuple(
                dataclasses.replace(s, seconds=seconds.get(s.label, 0.0)) for s in self.speakers
            ),
            label_turns=tuple(_join_adjacent(turns)),
        )

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
            "voice_model": self.voice_model,
            "speakers": [
                {
                    "label": s.label,
                    "name": s.name,
                    "seconds": round(s.seconds, 2),
                    "suggestion": s.suggestion,
                    "score": round(s.score, 4),
                    "voice": [round(x, 6) for x in s.voice],
                }
                for s in self.speakers
            ],
            "turns": [[t.start, t.end, t.speaker] for t in self.label_turns],
        }
        return json.dumps(payload, ensure_ascii=False)


def _join_adjacent(turns: Sequence[SpeakerTurn]) -> list[SpeakerTurn]:
    out: list[SpeakerTurn] = []
    for t in sorted(turns, key=lambda t: (t.start, t.end)):
        if out and out[-1].speaker == t.speaker and t.start - out[-1].end <= 0.05:
            out[-1] = SpeakerTurn(out[-1].start, max(out[-1].end, t.end), t.speaker)
        else:
            out.append(t)
    return out


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
        voice_model=result.voice_model,
    )


def recognise(found: Speakers, book: VoiceBook) -> Speakers:
    """Name the speakers whose voice matches a profile; suggest the closest for the rest.

    A person is given to one speaker only (the best match); another speaker who sounds
    like them keeps the suggestion.
    """
    profiles = book.vectors(found.voice_model) if found.voice_model else {}
    if not profiles:
        return found
    matches = {
        s.label: voice_match.identify(s.voice, profiles, book.threshold) for s in found.speakers
    }
    taken: dict[str, str] = {}
    ranked = sorted(
        (m.score, label, m.person) for label, m in matches.items() if m is not None and m.accepted
    )
    for _score, label, person in reversed(ranked):
        taken.setdefault(person, label)
    updated = []
    for s in found.speakers:
        match = matches[s.label]
        if match is None:
            updated.append(s)
        elif taken.get(match.person) == s.label:
            updated.append(dataclasses.replace(s, name=match.person, score=match.score))
        else:
            updated.append(dataclasses.replace(s, suggestion=match.person, score=match.score))
    return dataclasses.replace(found, speakers=tuple(updated))


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
                    str(s.get("suggestion") or ""),
                    float(s.get("score") or 0.0),
                )
                for s in data["speakers"]
            ),
            label_turns=tuple(
                SpeakerTurn(float(a), float(b), str(label)) for a, b, label in data["turns"]
            ),
            engine=str(data.get("engine", "")),
            model=str(data.get("model", "")),
            voice_model=str(data.get("voice_model", "")),
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


def _file_name(recording: Recording, suffix: str, fmt: str) -> str:
    return f"{recording.original_name.rsplit('.', 1)[0]}{suffix}.{fmt}"


def save(store: RecordingStore, recording: Recording, found: Speakers) -> int:
    """Write ``found`` and give the transcript's segments and exports their speakers.

    Returns how many segments name a speaker.  A transcript the user edited by hand is
    left alone here: the caller saves :func:`renamed_lines` of it as the user's edit, so
    that only the ``Name: `` at the start of its lines follows renames and merges.
    """
    rid = recording.id
    save_text(store, recording, "speakers", "json", found.to_json(), found.meta())
    seg = store.find_artifact(rid, "segments", "json")
    if seg is None:
        return 0
    labelled = found.apply(formats.segments_from_json(store.read_text(seg)))
    save_text(store, recording, "segments", "json", formats.to_json(labelled, **seg.meta), seg.meta)
    save_text(store, recording, "export", "srt", formats.to_srt(labelled))
    save_text(store, recording, "export", "vtt", formats.to_vtt(labelled))
    md = store.find_artifact(rid, "transcript", "md")
    if md is None or not md.edited:
        save_text(store, recording, "transcript", "md", formats.to_markdown(labelled), seg.meta)
    return sum(1 for s in labelled if s.speaker)


def save_text(
    store: RecordingStore,
    recording: Recording,
    kind: str,
    fmt: str,
    text: str,
    meta: dict[str, Any] | None = None,
) -> None:
    suffix = {"transcript": "", "segments": ".segments", "export": "", "speakers": ".speakers"}[
        kind
    ]
    store.save_artifact(
        recording.id,
        kind,
        fmt,
        text.encode("utf-8"),
        file_name=_file_name(recording, suffix, fmt),
        meta=meta,
    )


def renamed_lines(text: str, before: Speakers, after: Speakers) -> str:
    """The edited transcript with each ``] Old: `` line start following the new names."""
    shown_after = {s.label: s.display for s in after.speakers}
    renames: dict[str, str] = {}
    for s in before.speakers:
        # a dropped (merged) label's turns now carry the label that kept them
        new_label = s.label if s.label in shown_after else _merged_into(before, after, s.label)
        if new_label is not None and shown_after[new_label] != s.display:
            renames[s.display] = shown_after[new_label]
    if not renames:
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        head, sep, rest = line.partition("] ")
        name, colon, said = rest.partition(": ")
        if sep and colon and name in renames:
            line = f"{head}] {renames[name]}: {said}"
        lines.append(line)
    return "".join(lines)


def _merged_into(before: Speakers, after: Speakers, label: str) -> str | None:
    for t in before.label_turns:
        if t.speaker != label:
            continue
        for u in after.label_turns:
            if u.start <= t.start < u.end:
                return u.speaker
    return None
