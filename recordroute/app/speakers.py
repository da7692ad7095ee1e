"""Speakers: who spoke in a recording, naming them, and the voice profiles that carry names
across recordings.

Naming a speaker ("Speaker 1" -> "Anna") stores that speaker's voice vector as one of
Anna's in SQLite; the diarize step of a later recording names a speaker "Anna" by itself
when the voice is close enough (``RECORDROUTE_VOICE_THRESHOLD``), and otherwise leaves it
unnamed with Anna as a suggestion.
"""

from __future__ import annotations

import dataclasses

from ..config import Settings
from ..events import EventBus
from ..pipeline import speakers
from ..pipeline.ports import RecordingStore
from ..storage.voices import VoiceProfile, VoiceProfiles
from .recordings import RecordingsService
from .spoken import names_in
from .transcripts import TranscriptsService


class VoiceBookAdapter:
    """The stored voice profiles as the diarize step sees them."""

    def __init__(self, profiles: VoiceProfiles, settings: Settings) -> None:
        self._profiles = profiles
        self.threshold = settings.voice_threshold

    def vectors(self, model: str) -> dict[str, list[list[float]]]:
        return self._profiles.vectors(model)


@dataclasses.dataclass(frozen=True)
class SpeakingTime:
    """How much one person (or unnamed "Speaker N") spoke across the archive."""

    speaker: str
    seconds: float
    words: int
    turns: int
    recordings: int

    @property
    def words_per_minute(self) -> float:
        return round(self.words / (self.seconds / 60), 1) if self.seconds > 0 else 0.0


@dataclasses.dataclass(frozen=True)
class TurnRow:
    """One turn of one recording, with the words said in it (for charts and notebooks)."""

    recording_id: str
    speaker: str
    start: float
    end: float
    words: int


class SpeakersService:
    def __init__(
        self,
        recordings: RecordingsService,
        transcripts: TranscriptsService,
        store: RecordingStore,
        profiles: VoiceProfiles,
        events: EventBus,
    ) -> None:
        self._recordings = recordings
        self._transcripts = transcripts
        self._store = store
        self.profiles = profiles
        self._events = events

    # -- one recording ------------------------------------------------------------
    def of(self, recording_id: str) -> speakers.Speakers:
        """The recording's speakers; NotFoundError when it was never diarized."""
        from ..errors import NotFoundError

        self._store.get_recording(recording_id)
        found = self._transcripts.speakers(recording_id)
        if found is None:
            raise NotFoundError(
                f"Recording {recording_id} has no speakers yet.",
                "Run the diarize step (speakers) on it first.",
            )
        return found

    def rename(self, recording_id: str, who: str, name: str) -> speakers.Speakers:
        """Name a speaker (empty: back to "Speaker N"); the voice joins that person's profile."""
        before = self.of(recording_id)
        after = before.rename(who, name)
        label = before.label_of(who)
        self._save(recording_id, before, after)
        speaker = next(s for s in after.speakers if s.label == label)
        if speaker.name and speaker.voice:
            self.profiles.enrol(
                speaker.name,
                speaker.voice,
                model=after.voice_model,
                recording_id=recording_id,
                label=label,
                seconds=speaker.seconds,
            )
        else:
            self.profiles.forget(recording_id, label)
        return after

    def merge(self, recording_id: str, keep: str, drop: str) -> speakers.Speakers:
        """``drop``'s lines become ``keep``'s (two labels found for one voice)."""
        before = self.of(recording_id)
        dropped = before.label_of(drop)
        after = before.merge(keep, drop)
        self._save(recording_id, before, after)
        self.profiles.forget(recording_id, dropped)
        kept = next(s for s in after.speakers if s.label == before.label_of(keep))
        if kept.name and kept.voice:
            self.profiles.enrol(
                kept.name,
                kept.voice,
                model=after.voice_model,
                recording_id=recording_id,
                label=kept.label,
                seconds=kept.seconds,
            )
        return after

    def move(self, recording_id: str, start: float, end: float, to: str) -> speakers.Speakers:
        """Give the line from ``start`` to ``end`` (seconds) to speaker ``to``."""
        before = self.of(recording_id)
        after = before.move(start, end, to)
        self._save(recording_id, before, after)
        return after

    def _save(self, recording_id: str, before: speakers.Speakers, after: speakers.Speakers) -> None:
        rec = self._store.get_recording(recording_id)
        speakers.save(self._store, rec, after)
        markdown = self._store.find_artifact(recording_id, "transcript", "md")
        if markdown is not None and markdown.edited:
            text = self._store.read_text(markdown)
            renamed = speakers.renamed_lines(text, before, after)
            if renamed != text:
                self._transcripts.edit(recording_id, renamed)
        self._events.publish("recording.changed", recording_id=recording_id, fields=["speakers"])

    # -- across the archive --------------------------------------------------------
    def names(self) -> list[str]:
        """Every speaker name of the active recordings (given names and unnamed
        "Speaker N"), sorted: the names search and asking take for "spoken by"."""
        return names_in((r.id for r in self._recordings.list()), self._transcripts.speakers)

    def turns(self, recording_id: str | None = None) -> list[TurnRow]:
        """Every speaker turn (of one recording, or of every active diarized recording)."""
        ids = [recording_id] if recording_id else [r.id for r in self._recordings.list()]
        rows: list[TurnRow] = []
        for rid in ids:
            found = self._transcripts.speakers(rid)
            if found is None:
                continue
            segments = self._transcripts.segments(rid)
            for turn in found.turns:
                words = sum(
                    len(s.text.split())
                    for s in segments
                    if s.speaker == turn.speaker and turn.start <= (s.start + s.end) / 2 < turn.end
                )
                rows.append(TurnRow(rid, turn.speaker, turn.start, turn.end, words))
        return rows

    def speaking_time(self, recording_id: str | None = None) -> list[SpeakingTime]:
        """Speaking time, words, words per minute and turns per speaker, most time first."""
        totals: dict[str, list[float]] = {}
        where: dict[str, set[str]] = {}
        for row in self.turns(recording_id):
            seconds, words, turns = totals.setdefault(row.speaker, [0.0, 0.0, 0.0])
            totals[row.speaker] = [seconds + row.end - row.start, words + row.words, turns + 1]
            where.setdefault(row.speaker, set()).add(row.recording_id)
        stats = [
            SpeakingTime(name, round(v[0], 2), int(v[1]), int(v[2]), len(where[name]))
            for name, v in totals.items()
        ]
        return sorted(stats, key=lambda s: -s.seconds)

    # -- voice profiles -----------------------------------------------------------
    def list_profiles(self) -> list[VoiceProfile]:
        return self.profiles.list_profiles()

    def rename_profile(self, name: str, new_name: str) -> VoiceProfile:
        """Rename a person, in the profiles and in every recording they were named in."""
        renamed = self.profiles.rename(name, new_name)
        self._rename_in_recordings(name, renamed.name)
        return renamed

    def merge_profiles(self, keep: str, drop: str) -> VoiceProfile:
        """Two profiles of one person become one (``drop``'s name follows in recordings)."""
        merged = self.profiles.merge(keep, drop)
        self._rename_in_recordings(drop, merged.name)
        return merged

    def delete_profile(self, name: str) -> int:
        """Forget a person's voice: every stored vector goes.  Transcripts keep the name."""
        return self.profiles.delete(name)

    def _rename_in_recordings(self, old: str, new: str) -> None:
        """Every recording naming ``old`` (named by hand or recognised) now names ``new``."""
        for rec in self._recordings.list(deleted=None):
            if self._recordings.latest_artifact(rec.id, "speakers", "json") is None:
                continue
            recording_id = rec.id
            found = self._transcripts.speakers(recording_id)
            if found is None or old not in {s.name for s in found.speakers}:
                continue
            taken = {s.name for s in found.speakers}
            if new in taken:  # both names were in this recording: one voice, merge them
                self._save(recording_id, found, found.merge(new, old))
            else:
                self._save(recording_id, found, found.rename(old, new))
