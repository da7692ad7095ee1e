"""The summary artifact: Markdown with the same section headings as always, each line timed.

```
> Extractive summary: sentences taken word for word from the recording. ...

## Key points
- [00:01:23] The budget for the new office was approved.
```
A line's time is when the passage that supports it starts; a document without times
(PDF, text) has lines without them. The first line says in plain words how the summary
was made.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from . import prompts
from .formats import clock

_TIMED = re.compile(r"^- \[(\d{1,3}):(\d{2}):(\d{2})\] (.*)$")


@dataclasses.dataclass(frozen=True)
class SummaryLine:
    section: str
    text: str
    #: seconds into the recording (None for documents without times)
    start: float | None
    end: float | None
    #: the support score the grounding check gave it
    score: float
    #: ``recording`` (a sentence taken from it) or ``model`` (written by the language model)
    origin: str
    owner: str | None = None
    due: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def render(
    headings: Mapping[str, str],
    sections: Mapping[str, Sequence[SummaryLine]],
    language: str,
    note: str,
) -> str:
    """The Markdown text: the note, then every section in order (an empty one says so)."""
    none = prompts.NONE_NOTED[prompts.prompt_language(language)]
    out = [f"> {note}", ""] if note else []
    for key, heading in headings.items():
        out.append(f"## {heading}")
        lines = sections.get(key) or []
        for line in lines:
            stamp = f"[{clock(line.start)}] " if line.start is not None else ""
            out.append(f"- {stamp}{line.text}")
        if not lines:
            out.append(f"- {none}")
        out.append("")
    return "\n".join(out)


def timed_lines(markdown: str) -> list[tuple[str, float | None, str]]:
    """(heading, seconds or None, text) for every bullet of a summary's Markdown."""
    heading = ""
    out: list[tuple[str, float | None, str]] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            heading = line[3:].strip()
            continue
        match = _TIMED.match(line)
        if match:
            h, m, s, text = match.groups()
            out.append((heading, int(h) * 3600 + int(m) * 60 + float(s), text))
        elif line.startswith("- "):
            out.append((heading, None, line[2:]))
    return out


def searchable_text(markdown: str) -> str:
    """The summary as the search index should see it: what was said, not how it was made.

    The note about the mode, the time stamps and the "None noted" placeholders are the same
    in every summary; indexed, they would make all recordings look alike.
    """
    placeholders = {f"- {text}" for text in prompts.NONE_NOTED.values()}
    out = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("> ") or line in placeholders:
            continue
        match = _TIMED.match(line)
        out.append(f"- {match.group(4)}" if match else line)
    return "\n".join(out).strip() + "\n"
