"""Transcript formats: Markdown lines, SRT, VTT and JSON, and reading Markdown back."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ..models import Segment

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


def to_markdown(segments: Sequence[Segment], title: str = "") -> str:
    lines = [f"# {title}", ""] if title else []
    lines += [f"[{clock(s.start)} - {clock(s.end)}] {s.text.strip()}" for s in segments]
    return "\n".join(lines) + "\n"


def to_srt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{n}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{s.text.strip()}\n"
        for n, s in enumerate(segments, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{s.text.strip()}\n" for s in segments
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_json(segments: Sequence[Segment], **extra: object) -> str:
    payload = {
        **extra,
        "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in segments],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


def segments_from_json(text: str) -> list[Segment]:
    data = json.loads(text)
    return [Segment(float(s["start"]), float(s["end"]), str(s["text"])) for s in data["segments"]]


def segments_from_markdown(text: str) -> list[Segment]:
    """Timed lines become segments; untimed text (a plain document) becomes one per paragraph."""
    segments: list[Segment] = []
    plain: list[str] = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            h1, m1, s1, h2, m2, s2, body = match.groups()
            start = int(h1) * 3600 + int(m1) * 60 + int(s1)
            end = int(h2) * 3600 + int(m2) * 60 + int(s2)
            segments.append(Segment(float(start), float(end), body.strip()))
        elif line.strip() and not (line.startswith("# ") and not segments and not plain):
            plain.append(line.strip())
    if segments:
        return segments
    return [Segment(0.0, 0.0, p) for p in plain]
