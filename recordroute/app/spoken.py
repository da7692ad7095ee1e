"""Who said a passage: the rule search and asking share for "spoken by".

A recording's ``speakers`` artifact holds its turns (who spoke when, by display name: the
given name, else "Speaker N").  :class:`SpokenBy` answers, for the people named (any of
them; names compared without regard to case or extra spaces), whether a span of a
recording is theirs, reading each recording's speakers once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..errors import InvalidInputError
from ..models import SpeakerTurn
from ..pipeline import speakers

#: a recording's speakers, or None when it was never diarized
LoadSpeakers = Callable[[str], speakers.Speakers | None]
#: half a second either side of a moment still counts as speaking at it
SLACK_S = 0.5


def normalise(names: Iterable[str]) -> tuple[str, ...]:
    """The names with runs of spaces made one, empty ones dropped, each once."""
    cleaned = (" ".join(str(n).split()) for n in names)
    return tuple(dict.fromkeys(n for n in cleaned if n))


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


def share_said(turns: Sequence[SpeakerTurn], start: float, end: float) -> float:
    """The share of ``start``..``end`` that ``turns`` cover (0 to 1).

    A span shorter than half a second counts as a moment: 1 when one of the turns is
    under way at it (half a second either side), else 0.
    """
    if end - start < SLACK_S:
        return 1.0 if any(t.start - SLACK_S <= start <= t.end + SLACK_S for t in turns) else 0.0
    covered = sum(max(0.0, min(end, t.end) - max(start, t.start)) for t in turns)
    return min(1.0, covered / (end - start))


class SpokenBy:
    """The turns of the people named, recording by recording (each recording read once)."""

    def __init__(self, names: Iterable[str], load: LoadSpeakers) -> None:
        self.names = normalise(names)
        self._wanted = {key(n) for n in self.names}
        self._load = load
        self._turns: dict[str, tuple[SpeakerTurn, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self.names)

    def turns(self, recording_id: str) -> tuple[SpeakerTurn, ...]:
        """Their turns in the recording (empty: none of them speaks in it)."""
        found = self._turns.get(recording_id)
        if found is None:
            known = self._load(recording_id)
            found = (
                ()
                if known is None
                else tuple(t for t in known.turns if key(t.speaker) in self._wanted)
            )
            self._turns[recording_id] = found
        return found

    def speaks_in(self, recording_id: str) -> bool:
        return bool(self.turns(recording_id))

    def share(self, recording_id: str, start: float | None, end: float | None) -> float:
        """How much of the span they said (a span without times: 1 when they speak in the
        recording at all, e.g. a summary's passage)."""
        turns = self.turns(recording_id)
        if not turns:
            return 0.0
        if start is None:
            return 1.0
        return share_said(turns, start, end if end is not None else start)

    def said(self, recording_id: str, start: float | None, end: float | None) -> bool:
        """Whether they said most of the span (or speak at a moment)."""
        return self.share(recording_id, start, end) >= 0.5


def names_in(recording_ids: Iterable[str], load: LoadSpeakers) -> list[str]:
    """Every speaker name (given names and unnamed "Speaker N") of these recordings, sorted."""
    shown: dict[str, str] = {}
    for rid in recording_ids:
        known = load(rid)
        if known is not None:
            for speaker in known.speakers:
                shown.setdefault(key(speaker.display), speaker.display)
    return sorted(shown.values(), key=str.casefold)


def check_known(names: Sequence[str], known: Sequence[str]) -> None:
    """Refuse names no recording knows, listing the names there are."""
    have = {key(n) for n in known}
    unknown = [n for n in normalise(names) if key(n) not in have]
    if not unknown:
        return
    named = ", ".join(repr(n) for n in unknown)
    if not known:
        raise InvalidInputError(
            f"No recording knows its speakers yet, so none has a speaker called {named}.",
            "Run the diarize step (speakers) on a recording first; then ask by a name "
            "you gave a speaker, or by 'Speaker 1'.",
        )
    raise InvalidInputError(
        f"No recording has a speaker called {named}.",
        f"Use one of: {', '.join(known)} (name a speaker in the viewer or with "
        "'recordroute speakers ID --rename').",
    )
