"""Transcript formats: Markdown lines, SRT, VTT, TXT and JSON, and reading Markdown back.

A segment's speaker, when known, is written where each format puts a voice: Markdown and TXT
lines ``[HH:MM:SS - HH:MM:SS] Anna: text`` (the original client's line shape, the name at the
start of the text), VTT voice tags ``<v Anna>text``, SRT ``[Anna] text``, JSON ``"speaker"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence

from ..models import Segment, SpeakerTurn

_LINE = re.compile(
    r"^\[(\d{1,3}):(\d{2}):(\d{2})(?:\.\d+)? - (\d{1,3}):(\d{2}):(\d{2})(?:\.\d+)?\]\s?(.*)$"
)


def clock(seconds: float) -> str:
    """``HH:MM:SS`` (hours keep growing past 99; nothing wraps)."""
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _stamp(seconds: float, sep: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def spoken(segment: Segment) -> str:
    """The segment's text, after ``Name: `` when its speaker is known."""
    text = segment.text.strip()
    return f"{segment.speaker}: {text}" if segment.speaker else text


def to_markdown(segments: Sequence[Segment], title: str = "") -> str:
    lines = [f"# {title}", ""] if title else []
    lines += [f"[{clock(s.start)} - {clock(s.end)}] {spoken(s)}" for s in segments]
    return "\n".join(lines) + "\n"


def to_txt(segments: Sequence[Segment]) -> str:
    """Plain text: one line per segment, ``Name: text`` when the speaker is known."""
    return "\n".join(spoken(s) for s in segments if s.text.strip()) + "\n"


def to_srt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{n}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n"
        f"{f'[{s.speaker}] ' if s.speaker else ''}{s.text.strip()}\n"
        for n, s in enumerate(segments, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n"
        f"{f'<v {_vtt_name(s.speaker)}>' if s.speaker else ''}{s.text.strip()}\n"
        for s in segments
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _vtt_name(name: str) -> str:
    """A speaker name safe inside a VTT voice tag (no ``>`` or line breaks)."""
    return re.sub(r"[>\r\n]+", " ", name).strip()


def to_json(segments: Sequence[Segment], **extra: object) -> str:
    rows = []
    for s in segments:
        row: dict[str, object] = {"start": s.start, "end": s.end, "text": s.text}
        if s.speaker:
            row["speaker"] = s.speaker
        rows.append(row)
    return json.dumps({**extra, "segments": rows}, ensure_ascii=False, indent=1)


def segments_from_json(text: str) -> list[Segment]:
    data = json.loads(text)
    return [
        Segment(float(s["start"]), float(s["end"]), str(s["text"]), str(s.get("speaker") or ""))
        for s in data["segments"]
    ]


def segments_from_markdown(text: str, speakers: Collection[str] = ()) -> list[Segment]:
    """Timed lines become segments; untimed text (a plain document) becomes one per paragraph.

    A timed line whose text starts with ``Name: `` for a name in ``speakers`` (the
    recording's known speakers) gets that speaker, and the name is taken off its text.
    """
    segments: list[Segment] = []
    plain: list[str] = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            h1, m1, s1, h2, m2, s2, body = match.groups()
            start = int(h1) * 3600 + int(m1) * 60 + int(s1)
            end = int(h2) * 3600 + int(m2) * 60 + int(s2)
            speaker, said = _split_speaker(body.strip(), speakers)
            segments.append(Segment(float(start), float(end), said, speaker))
        elif line.strip() and not (line.startswith("# ") and not segments and not plain):
            plain.append(line.strip())
    if segments:
        return segments
    return [Segment(0.0, 0.0, p) for p in plain]


def _split_speaker(body: str, speakers: Collection[str]) -> tuple[str, str]:
    name, sep, rest = body.partition(": ")
    if sep and name in speakers:
        return name, rest.strip()
    return "", body


def assign_speakers(
    segments: Sequence[Segment], turns: Sequence[SpeakerTurn], *, keep: bool = False
) -> list[Segment]:
    """Each segment gets the speaker who talks longest within its time.

    A segment that no turn overlaps takes the nearest turn's speaker if it is within a
    second, else none.  With ``keep``, segments that already name a speaker keep it.
    """
    out: list[Segment] = []
    for seg in segments:
        if keep and seg.speaker:
            out.append(seg)
            continue
        shares: dict[str, float] = {}
        for turn in turns:
            shared = min(seg.end, turn.end) - max(seg.start, turn.start)
            if shared > 0:
                shares[turn.speaker] = shares.get(turn.speaker, 0.0) + shared
        if shares:
            speaker = max(shares, key=lambda name: shares[name])
        else:
            gaps = [
                (max(turn.start - seg.end, seg.start - turn.end), turn.speaker) for turn in turns
            ]
            near = min(gaps, default=(float("inf"), ""))
            speaker = near[1] if near[0] <= 1.0 else ""
        out.append(Segment(seg.start, seg.end, seg.text, speaker))
    return out
