"""A recording as a Markdown note for Obsidian (or any folder of notes).

The note has YAML front matter (title, date, duration, tags, speakers when known, the
recording id, similar recordings as ``[[wikilinks]]``), then the summary with its times,
then the transcript.  Everything above :data:`MARKER` belongs to RecordRoute and is
rewritten on every export; everything below it belongs to the user and is kept.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime

from ..models import Segment

MARKER = "%% recordroute: write your own notes below this line; RecordRoute keeps them %%"
_ID_LINE = re.compile(r"^recordroute_id:\s*\"?([0-9a-f-]{36})\"?\s*$", re.MULTILINE)
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]')


@dataclasses.dataclass(frozen=True)
class NoteData:
    recording_id: str
    title: str
    created_at: datetime
    duration_s: float | None
    tags: tuple[str, ...]
    summary: str
    segments: tuple[Segment, ...]
    #: note names of similar recordings (become [[wikilinks]])
    similar: tuple[str, ...] = ()
    #: speaker names, when the recording knows them
    speakers: tuple[str, ...] = ()
    kind: str = "audio"


def note_name(display_name: str) -> str:
    """A file name (without ``.md``) that Obsidian and every file system accept."""
    stem = display_name.rsplit(".", 1)[0] if "." in display_name[1:] else display_name
    clean = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .")
    return clean[:120] or "recording"


def clock(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _yaml(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML and escape everything that needs it."""
    return json.dumps(value, ensure_ascii=False)


def front_matter(data: NoteData) -> str:
    lines = [
        "---",
        f"title: {_yaml(data.title)}",
        f"date: {data.created_at.astimezone().date().isoformat()}",
    ]
    if data.duration_s:
        lines.append(f"duration: {_yaml(clock(data.duration_s))}")
    lines.append("tags: [" + ", ".join(_yaml(t.replace(" ", "-")) for t in data.tags) + "]")
    if data.speakers:
        lines.append("speakers: [" + ", ".join(_yaml(s) for s in data.speakers) + "]")
    lines.append(f"recordroute_id: {_yaml(data.recording_id)}")
    lines.append("similar:" if data.similar else "similar: []")
    lines += [f"  - {_yaml(f'[[{name}]]')}" for name in data.similar]
    lines.append("---")
    return "\n".join(lines)


def body(data: NoteData) -> str:
    parts = [f"# {data.title}", ""]
    parts.append("## Summary")
    parts.append("")
    summary = _demote(data.summary.strip())
    parts.append(summary or "_No summary yet._")
    parts += ["", "## Transcript", ""]
    timed = any(s.end > 0 for s in data.segments)
    if not data.segments:
        parts.append("_No transcript yet._")
    for segment in data.segments:
        text = " ".join(segment.text.split())
        parts.append(f"**{clock(segment.start)}** {text}" if timed else text)
        if timed:
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _demote(markdown: str) -> str:
    """Headings of the summary one level under the note's ``## Summary``."""
    return re.sub(
        r"^(#{1,5}) ", lambda m: "#" * min(6, len(m.group(1)) + 2) + " ", markdown, flags=re.M
    )


def render(data: NoteData, previous: str | None = None) -> str:
    """The whole note; the user's part of ``previous`` (the note as it is now) is kept."""
    owned = f"{front_matter(data)}\n\n{body(data)}\n{MARKER}\n"
    return owned + user_part(previous)


def user_part(previous: str | None) -> str:
    """What the user wrote: below the marker, or, in a file RecordRoute never wrote, all of it."""
    if not previous:
        return "\n"
    at = previous.find(MARKER)
    kept = previous[at + len(MARKER) :] if at >= 0 else previous
    return "\n" + kept.lstrip("\n")


def recording_id_of(text: str) -> str | None:
    """The ``recordroute_id`` of a note's front matter, if it has one."""
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    match = _ID_LINE.search(text[: end if end > 0 else 2000])
    return match.group(1) if match else None


__all__ = [
    "MARKER",
    "NoteData",
    "body",
    "front_matter",
    "note_name",
    "recording_id_of",
    "render",
    "user_part",
]
