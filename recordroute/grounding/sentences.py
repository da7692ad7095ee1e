"""Sentences with the times they were said, from transcript segments.

Speech recognition cuts segments where the speaker pauses, not where sentences end; a
document becomes one untimed segment per paragraph. Here segments are joined where a
sentence runs on and split where several sentences share one, and every sentence keeps
the time it started (estimated from its place in the segment) and ended.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..models import Segment

#: sentence ends: . ! ? and their full-width forms, optionally followed by closing quotes
_END = re.compile(r"(?<=[.!?。！？…])[\"'”’)\]]*\s+")
#: Korean sentence-final endings, for transcripts written without punctuation
_KO_END = re.compile(
    r"(?:니다|어요|아요|해요|세요|에요|예요|네요|군요|한다|했다|된다|이다|였다|있다|없다|겠다)"
    r"\s+(?=[가-힣])"
)
_TERMINAL = re.compile(
    r"[.!?。！？…][\"'”’)\]]*$|(?:니다|어요|아요|해요|세요|에요|예요|한다|했다|이다|였다)$"
)
#: a run-on sentence is cut here (characters), so no passage grows without bound
MAX_CHARS = 400
#: segments further apart than this (seconds) are never joined into one sentence
MAX_GAP_S = 2.0


@dataclasses.dataclass(frozen=True)
class TimedSentence:
    text: str
    start: float
    end: float
    #: index of the segment the sentence starts in
    segment: int
    #: who said it, where the recording was diarized ("" when unknown)
    speaker: str = ""


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of ``text``."""
    out: list[tuple[int, str]] = []
    cuts = [m.end() for m in _END.finditer(text)]
    if not cuts and re.search(r"[가-힣]", text):
        cuts = [m.end() for m in _KO_END.finditer(text)]
    begin = 0
    for cut in [*cuts, len(text)]:
        piece = text[begin:cut].strip()
        if piece:
            out.append((begin + len(text[begin:cut]) - len(text[begin:cut].lstrip()), piece))
        begin = cut
    return out


def split_sentences(segments: Sequence[Segment]) -> list[TimedSentence]:
    """Every sentence of the segments, in order, with its start and end in seconds."""
    out: list[TimedSentence] = []
    pending: TimedSentence | None = None  # a sentence that runs on into the next segment
    last_end = 0.0
    for index, segment in enumerate(segments):
        text = " ".join(segment.text.split())
        if not text:
            continue
        timed = segment.end > segment.start
        gap = segment.start - last_end
        if pending is not None and (not timed or gap > MAX_GAP_S):
            out.append(pending)
            pending = None
        last_end = segment.end
        span = max(0.0, segment.end - segment.start)
        speaker = segment.speaker
        pieces = _pieces(text)
        for number, (offset, piece) in enumerate(pieces):
            start = segment.start + span * offset / len(text)
            stop = (
                segment.start + span * pieces[number + 1][0] / len(text)
                if number + 1 < len(pieces)
                else segment.end
            )
            if number == 0 and pending is not None:
                joined = f"{pending.text} {piece}"
                if len(joined) <= MAX_CHARS and pending.speaker == speaker:
                    pending = TimedSentence(
                        joined, pending.start, stop, pending.segment, pending.speaker
                    )
                else:
                    out.append(pending)
                    pending = TimedSentence(piece, start, stop, index, speaker)
            else:
                if pending is not None:
                    out.append(pending)
                pending = TimedSentence(piece, start, stop, index, speaker)
            if _TERMINAL.search(pending.text) or not timed:
                out.append(pending)
                pending = None
    if pending is not None:
        out.append(pending)
    return out
