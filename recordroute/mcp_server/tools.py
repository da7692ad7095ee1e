"""What the MCP tools answer: JSON objects built from the facade, every item cited.

A citation names the recording and, where there is one, the moment:
``{"recording_id", "name", "start_s", "label": "[name, HH:MM:SS]"}``.  The functions
take the open :class:`~recordroute.RecordRoute` and plain arguments, so they are tested
without an MCP client; :mod:`.server` registers them as tools.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..app import RecordRoute
from ..ask import Citation, clock
from ..errors import InvalidInputError
from ..models import Recording

Json = dict[str, Any]
_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})$")


def cite(rec: Recording, start_s: float | None = None, end_s: float | None = None) -> Json:
    citation = Citation(rec.id, rec.display_name, "transcript", start_s, end_s)
    label = citation.label if start_s is not None else f"[{citation.name}]"
    return {"recording_id": rec.id, "name": rec.display_name, "start_s": start_s, "label": label}


def seconds(name: str, value: str | float | None) -> float | None:
    """Seconds from a number or ``HH:MM:SS`` / ``MM:SS``."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    match = _CLOCK.match(text)
    if match:
        hours, minutes, secs = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    try:
        return float(text)
    except ValueError:
        raise InvalidInputError(
            f"{name}={value!r} is not a time.", "Use seconds (75) or HH:MM:SS (00:01:15)."
        ) from None


def day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{name}={value!r} is not a date.", "Use YYYY-MM-DD.") from None


def recording_json(app: RecordRoute, rec: Recording) -> Json:
    return {
        "id": rec.id,
        "name": rec.display_name,
        "title": rec.title,
        "kind": rec.kind,
        "created_at": rec.created_at.isoformat(),
        "duration_s": rec.duration_s,
        "tags": list(rec.tags),
        "citation": cite(rec),
    }


def search(
    app: RecordRoute,
    query: str,
    limit: int = 10,
    since: str | None = None,
    until: str | None = None,
    tags: list[str] | None = None,
) -> Json:
    hits = app.search.query(
        query, k=limit, start=day("since", since), end=day("until", until), tags=tags or ()
    )
    results = []
    for hit in hits:
        rec = app.recordings.get(hit.recording_id)
        results.append(
            {
                "recording_id": rec.id,
                "name": rec.display_name,
                "title": rec.title,
                "snippet": hit.snippet,
                "score": round(hit.score, 4),
                "citation": cite(rec, hit.start_s, hit.end_s),
            }
        )
    return {"query": query, "results": results}


def ask(
    app: RecordRoute,
    question: str,
    recording_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tags: list[str] | None = None,
    conversation_id: str | None = None,
    speakers: list[str] | None = None,
) -> Json:
    """``speakers``: only what these people said (any of them; a name or "Speaker 1")."""
    answer = app.ask.ask(
        question,
        conversation_id=conversation_id,
        recording_id=recording_id,
        start=day("since", since),
        end=day("until", until),
        tags=tags or (),
        speakers=speakers or (),
    )
    data = answer.to_dict()
    return {
        "question": answer.question,
        "found": answer.found,
        "mode": answer.mode,
        "answer": answer.text(),
        "note": answer.note,
        "lead": data["lead"],
        "sentences": data["sentences"],
        "conversation_id": answer.conversation_id,
    }


def list_recordings(
    app: RecordRoute, tag: str | None = None, kind: str | None = None, limit: int = 50
) -> Json:
    found = app.recordings.list(tag=tag, kind=kind, limit=limit)
    return {"recordings": [recording_json(app, rec) for rec in found]}


def get_transcript(
    app: RecordRoute,
    recording_id: str,
    start: str | float | None = None,
    end: str | float | None = None,
) -> Json:
    rec = app.recordings.get(recording_id)
    low, high = seconds("start", start), seconds("end", end)
    if low is not None and high is not None and low > high:
        raise InvalidInputError(
            f"start {clock(low)} is after end {clock(high)}.", "Swap them or leave one out."
        )
    lines = []
    for segment in app.transcripts.segments(rec.id):
        timed = segment.end > 0
        if timed and low is not None and segment.end <= low:
            continue
        if timed and high is not None and segment.start > high:
            continue
        lines.append(
            {
                "start_s": segment.start if timed else None,
                "end_s": segment.end if timed else None,
                "text": segment.text.strip(),
                "citation": cite(rec, segment.start if timed else None),
            }
        )
    return {"recording": recording_json(app, rec), "segments": lines}


def get_summary(app: RecordRoute, recording_id: str) -> Json:
    rec = app.recordings.get(recording_id)
    artifact = app.recordings.latest_artifact(rec.id, "summary", "md")
    if artifact is None:
        return {
            "recording": recording_json(app, rec),
            "summary": None,
            "note": "This recording has no summary yet; run the summarize step.",
        }
    text = app.recordings.read_text(artifact.id)
    return {"recording": recording_json(app, rec), "summary": text, "citation": cite(rec)}


def similar_recordings(app: RecordRoute, recording_id: str, limit: int = 5) -> Json:
    rec = app.recordings.get(recording_id)
    out = []
    for item in app.search.similar(rec.id, k=limit):
        other = app.recordings.get(item.recording_id)
        chunk = item.best_chunk
        out.append(
            {
                **recording_json(app, other),
                "score": round(item.score, 4),
                "passage": chunk.text[:400],
                "citation": cite(other, chunk.start_s, chunk.end_s),
            }
        )
    return {"recording": recording_json(app, rec), "similar": out}


def add_file(app: RecordRoute, path: str, tags: list[str] | None = None) -> Json:
    rec = app.recordings.add_file(path, tags=tags or ())
    return {"recording": recording_json(app, rec)}


def start_processing(app: RecordRoute, recording_id: str, steps: list[str] | None = None) -> Json:
    job = app.jobs.submit(recording_id, steps or ())
    rec = app.recordings.get(recording_id)
    return {
        "job_id": job.id,
        "state": job.state,
        "steps": list(job.steps),
        "recording": recording_json(app, rec),
        "note": "Queued: a running `recordroute serve` or `recordroute worker` processes it.",
    }
